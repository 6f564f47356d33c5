package io.vpnlb.deploy;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * vpnlb.service as systemd runs it, on a fresh host booted in a container with systemd-nspawn
 * ({@code src/test/sh/systemd-nspawn.sh}): {@code dpkg --install} leaves it running and ready (Type=notify: the
 * listeners are bound when the command returns), as user vpnlb with CAP_NET_BIND_SERVICE only and the system-call
 * filter on; reload, epoll and io_uring under the filter, the transparent-mode drop-in, a clean stop and
 * {@code dpkg --purge}; then {@code deploy/install.sh} from the checkout, twice, and its uninstall.
 */
class SystemdServiceIT {

    private static final int EXIT_SKIP = 77;

    @Test
    void theServiceRunsHardenedAndIsReadyWhenItsListenersAreBound() throws Exception {
        Tools.require("systemd-nspawn", "systemd-container");
        Tools.requireRoot("booting a container");
        Tools.Result result = Tools.run(Map.of(), Duration.ofMinutes(10), "bash",
                Tools.module().resolve("src/test/sh/systemd-nspawn.sh").toString(),
                DebianPackageIT.deb().toString(), Tools.repository().toString());
        System.out.println(result.output());
        // Machines that cannot boot a container at all (no cgroup access, for example) say so and skip.
        assumeTrue(result.exit() != EXIT_SKIP, result.output());
        result.assertSuccess();
        assertThat(result.output()).contains("PASS:").doesNotContain("FAILED");
    }
}
