package io.vpnlb.control.it;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * MOBIKE (RFC 4555) through vpnlb with real strongSwan peers in network namespaces
 * ({@code src/test/sh/ikev2-mobike.sh}): the client's tunnel is up on one server, then the client's address
 * changes to one that vpnlb's Maglev table sends to the other server.
 *
 * <p>With SPI-aware routing (the default) the UPDATE_SA_ADDRESSES from the new address reaches the server that
 * holds the SA, which keeps it and sees the update, and the tunnel keeps passing pings. With
 * {@code ike: { spi-routing: false }} the same move sends the client to the other server and the tunnel is
 * lost: proof that SPI routing is what keeps it alive. Skipped (with the script's reason) without root, network
 * namespaces, strongSwan with kernel-libipsec or a JDK.
 */
class MobikeThroughVpnlbIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @Test
    void tunnelSurvivesClientAddressChangeWithSpiRouting() throws Exception {
        new NamespaceScenario("ikev2-mobike.sh", "ikev2-mobike-spi-routing-on", TIMEOUT)
                .runAndExpectPass("--spi-routing", "on");
    }

    @Test
    void sameAddressChangeLosesTheTunnelWithoutSpiRouting() throws Exception {
        new NamespaceScenario("ikev2-mobike.sh", "ikev2-mobike-spi-routing-off", TIMEOUT)
                .runAndExpectPass("--spi-routing", "off");
    }
}
