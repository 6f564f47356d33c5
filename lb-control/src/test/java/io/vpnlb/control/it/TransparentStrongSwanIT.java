package io.vpnlb.control.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpnlb.control.it.TransparentModeIT.ScriptRun;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * Transparent mode ({@code source-nat: false}) with real strongSwan peers: a strongSwan client in one network
 * namespace, vpnlb (ikev2 service on UDP 500 + 4500, transport auto) in the lb namespace with
 * {@code deploy/transparent-routing.sh up}, two strongSwan servers whose default route is the vpnlb host.
 *
 * <p>{@code src/test/sh/transparent-strongswan.sh} asserts that the IKE SA and CHILD SA establish through vpnlb,
 * a ping crosses the tunnel, and the server holding the SA lists the remote as the client's own address
 * {@code 10.99.1.2[4500]} (not vpnlb's), with its IKE_SA_INIT received from {@code 10.99.1.2[500]}. The script
 * builds and always removes its own namespaces, processes and temp files; exit 0 passes, 77 skips (not root, no
 * {@code ip netns}, no {@code nft}, no strongSwan with kernel-libipsec, no epoll or io_uring), anything else fails.
 * Logs of the last run: {@code target/it-logs/transparent-strongswan/}.
 */
class TransparentStrongSwanIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(100);

    @Test
    void serverSeesTheClientsOwnAddressThroughVpnlb() throws Exception {
        ScriptRun.assumeLinux();
        ScriptRun run = ScriptRun.run("transparent-strongswan", TIMEOUT,
                ScriptRun.moduleDir().resolve("target/it-logs/transparent-strongswan"));
        run.abortIfSkipped();
        run.assertPassed();
        assertThat(run.text()).contains("remote 'client' @ 10.99.1.2[4500] (the client's own address)");
    }
}
