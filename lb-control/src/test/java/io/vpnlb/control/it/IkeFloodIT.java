package io.vpnlb.control.it;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * Flood protection against a spoofed IKE_SA_INIT flood ({@code src/test/sh/ikev2-flood.sh} with
 * {@code ike-flood.py}): while a real strongSwan tunnel through vpnlb pings, 220,000 IKE_SA_INIT datagrams from
 * 60,004 source addresses (10.200.0.0/16, sent over a raw socket from the test's own "flood" network namespace)
 * hit the VIP; at least 200,000 datagrams from at least 50,000 distinct sources must arrive. One server answers
 * the flood (its sessions stop being half-open and count against {@code max-sessions}), the other drops it (its
 * sessions stay half-open, bounded by {@code ike.max-half-open}). The tunnel must lose no more pings than in the
 * same window without the flood (tolerance 2 of 60) and keep its IKE SA on the same server; vpnlb must stay
 * within {@code max-sessions}, {@code ike.max-half-open}, {@code -Xmx256m} and a peak RSS under 600 MB, log no
 * OutOfMemoryError or dead thread, and count the refused sessions in {@code vpnlb_drops_total}. Skipped (with
 * the script's reason) without root, network namespaces, strongSwan with kernel-libipsec or python3.
 */
class IkeFloodIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @Test
    void spoofedIkeSaInitFloodIsRefusedAndCountedWhileTheTunnelKeepsPinging() throws Exception {
        new NamespaceScenario("ikev2-flood.sh", "ikev2-flood", TIMEOUT).runAndExpectPass();
    }
}
