package io.vpnlb.control.it;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * vpnlb's {@code ike} health check against real strongSwan servers in network namespaces
 * ({@code src/test/sh/ikev2-health.sh}; interval 1s, timeout 500ms, rise 2, fall 2): stopping charon on the
 * server that holds a client's SA marks it DOWN within interval x fall + timeout, a new client whose address
 * Maglev would send to that server lands on the other one, and restarting charon brings it back UP. Skipped
 * (with the script's reason) without root, network namespaces, strongSwan with kernel-libipsec or a JDK.
 */
class IkeHealthCheckIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @Test
    void stoppedCharonIsMarkedDownNewClientsGoElsewhereAndItComesBackUp() throws Exception {
        new NamespaceScenario("ikev2-health.sh", "ikev2-health", TIMEOUT).runAndExpectPass();
    }
}
