package io.vpnlb.deploy;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * vpnlb.service as systemd runs it: the Debian package installed in a container booted with systemd-nspawn
 * ({@code src/test/sh/systemd-nspawn.sh}). Readiness (Type=notify), the user, capabilities and system-call filter,
 * reload, epoll and io_uring under the filter, the transparent-mode drop-in and a clean stop are checked on the
 * running unit.
 */
class SystemdServiceIT {

    private static final int EXIT_SKIP = 77;

    @Test
    void theServiceRunsHardenedAndIsReadyWhenItsListenersAreBound() throws Exception {
        Tools.require("systemd-nspawn", "systemd-container");
        Tools.require("useradd", "passwd");
        Tools.requireRoot("booting a container");
        Tools.Result result = Tools.run(Map.of(), Duration.ofMinutes(10), "bash",
                Tools.module().resolve("src/test/sh/systemd-nspawn.sh").toString(),
                DebianPackageIT.deb().toString());
        System.out.println(result.output());
        // Machines that cannot boot a container at all (no cgroup access, for example) say so and skip.
        assumeTrue(result.exit() != EXIT_SKIP, result.output());
        result.assertSuccess();
        assertThat(result.output()).contains("PASS:").doesNotContain("FAILED");
    }
}
