package io.vpnlb.control.it;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * Real-peer end-to-end test: a strongSwan IKEv2 client in one network namespace, vpnlb in a middle
 * namespace, two strongSwan servers in two more. The IKE SA and the CHILD SA establish through vpnlb, a
 * ping crosses the tunnel (ESP-in-UDP on 4500, kernel-libipsec), and the server holding the SA is the one
 * that received the client's UDP 500 traffic.
 *
 * <p>The work is done by {@code src/test/sh/ikev2-strongswan.sh}, which builds and always removes its own
 * namespaces, veths, processes and temp files. Exit 0 passes, 77 skips (not root, no {@code ip netns}, no
 * strongSwan with kernel-libipsec: the script prints one {@code SKIP: reason} line), anything else fails.
 * Logs of the last run are kept in {@code target/it-logs/ikev2-strongswan/}.
 */
class StrongSwanThroughVpnlbIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    @Test
    void ikeAndChildSaEstablishThroughVpnlbAndStickToOneMember() throws Exception {
        new NamespaceScenario("ikev2-strongswan.sh", "ikev2-strongswan", TIMEOUT).runAndExpectPass();
    }
}
