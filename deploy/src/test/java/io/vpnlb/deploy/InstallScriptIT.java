package io.vpnlb.deploy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code deploy/install.sh --root DIR}: the same layout as the Debian package in a scratch root, idempotent, and
 * an uninstall that keeps or (with --purge) removes the configuration, the state and the user.
 */
class InstallScriptIT {

    @TempDir
    Path scratch;

    private ScratchRoot root;
    private String script;

    @BeforeEach
    void scratchRoot() throws Exception {
        Tools.require("useradd", "passwd");
        Tools.requireRoot("install.sh sets owners");
        root = ScratchRoot.create(scratch.resolve("root"));
        script = Tools.module().resolve("install.sh").toString();
    }

    @Test
    void installsTheLayoutAndStartsNothingInAnotherRoot() throws Exception {
        Tools.Result result = install("--transparent");
        assertThat(result.output()).contains("install.sh: installed into " + root.dir
                + " (no setting applied, no service started)");
        InstalledLayout.assertInstalled(root, "/etc/systemd/system/vpnlb.service");
        assertThat(Files.mismatch(root.path("/etc/systemd/system/vpnlb.service.d/transparent.conf"),
                Tools.repository().resolve("systemd/transparent.conf"))).isEqualTo(-1L);
        InstalledLayout.assertLauncherValidatesExamples(root, scratch);
    }

    @Test
    void runningAgainKeepsTheConfigurationAndTheToken() throws Exception {
        install();
        Path config = root.path("/etc/vpnlb/vpnlb.yaml");
        Path token = root.path("/etc/vpnlb/admin.token");
        Files.writeString(config, Files.readString(config).replace("192.0.2.13", "192.0.2.14"));
        String tokenBefore = Files.readString(token);
        Files.writeString(root.path("/opt/vpnlb/examples/left-over.yaml"), "services: []\n");

        Tools.Result again = install();
        assertThat(again.output()).doesNotContain("created user").doesNotContain("generated the admin API token");
        assertThat(Files.readString(config)).contains("192.0.2.14");
        assertThat(Files.readString(token)).isEqualTo(tokenBefore);
        assertThat(root.path("/opt/vpnlb/examples/left-over.yaml")).as("examples are replaced whole").doesNotExist();
        assertThat(root.path("/etc/systemd/system/vpnlb.service.d")).as("no drop-in unless asked").doesNotExist();
        InstalledLayout.assertInstalled(root, "/etc/systemd/system/vpnlb.service");
    }

    @Test
    void uninstallKeepsConfigurationStateAndUserUnlessPurged() throws Exception {
        install("--transparent");
        String token = Files.readString(root.path("/etc/vpnlb/admin.token"));

        Tools.run(script, "--root", root.dir.toString(), "--uninstall").assertSuccess();
        for (String gone : new String[] {"/opt/vpnlb", "/usr/bin/vpnlb", "/etc/systemd/system/vpnlb.service",
                "/etc/systemd/system/vpnlb.service.d", "/etc/sysctl.d/60-vpnlb.conf"}) {
            assertThat(root.path(gone)).as(gone).doesNotExist();
        }
        assertThat(Files.readString(root.path("/etc/vpnlb/admin.token"))).isEqualTo(token);
        assertThat(root.path("/var/lib/vpnlb")).isDirectory();
        assertThat(root.uid("vpnlb")).isPositive();

        Tools.run(script, "--root", root.dir.toString(), "--uninstall", "--purge").assertSuccess();
        assertThat(root.path("/etc/vpnlb")).doesNotExist();
        assertThat(root.path("/var/lib/vpnlb")).doesNotExist();
        assertThat(root.uid("vpnlb")).isEqualTo(-1);
        assertThat(root.gid("vpnlb")).isEqualTo(-1);
    }

    @Test
    void leavesAPackageInstallationToDpkg() throws Exception {
        Files.writeString(root.path("/var/lib/dpkg/info/vpnlb.list"), "/opt/vpnlb\n");
        Tools.Result refused = Tools.run(script, "--root", root.dir.toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.output()).contains("vpnlb is installed from its Debian package here; use apt or dpkg");
        assertThat(root.path("/opt/vpnlb")).doesNotExist();
    }

    private Tools.Result install(String... options) throws Exception {
        String[] command = new String[options.length + 3];
        command[0] = script;
        command[1] = "--root";
        command[2] = root.dir.toString();
        System.arraycopy(options, 0, command, 3, options.length);
        return Tools.run(command).assertSuccess();
    }
}
