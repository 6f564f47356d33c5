package io.vpnlb.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Debian package built by {@code mvn verify}: its control data and contents, and a full life cycle in a scratch
 * root with dpkg itself ({@code dpkg --root DIR --force-script-chrootless}: the maintainer scripts run with
 * {@code DPKG_ROOT=DIR}): install, upgrade, remove, purge.
 */
class DebianPackageIT {

    @TempDir
    Path scratch;

    @Test
    void controlDataNamesTheProjectVersion() throws Exception {
        String dpkgDeb = Tools.require("dpkg-deb", "dpkg");
        Path deb = deb();
        String version = System.getProperty("project.version").replace("-SNAPSHOT", "~SNAPSHOT");
        assertThat(deb.getFileName()).hasToString("vpnlb_" + version + "_all.deb");
        String fields = Tools.run(dpkgDeb, "--field", deb.toString(), "Package", "Version", "Architecture", "Depends")
                .assertSuccess().output();
        assertThat(fields.lines()).containsExactly(
                "Package: vpnlb",
                "Version: " + version,
                "Architecture: all",
                "Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless, passwd, procps");
        assertThat(Tools.run(dpkgDeb, "--info", deb.toString(), "conffiles").assertSuccess().output().strip())
                .isEqualTo("/etc/sysctl.d/60-vpnlb.conf");
    }

    @Test
    void everyFileBelongsToRootWithItsMode() throws Exception {
        String dpkgDeb = Tools.require("dpkg-deb", "dpkg");
        List<String> entries = new ArrayList<>();
        String contents = Tools.run(dpkgDeb, "--contents", deb().toString()).assertSuccess().output();
        for (String line : contents.lines().toList()) {
            String[] fields = line.split("\\s+");
            assertThat(fields[1]).as(line).isEqualTo("root/root");
            String path = fields[5].substring(1).replaceAll("/$", "");
            if (fields[0].startsWith("-")) {
                entries.add(fields[0] + " " + path);
            }
        }
        List<String> expected = new ArrayList<>();
        expected.add("-rw-r--r-- /opt/vpnlb/vpnlb.jar");
        expected.add("-rw-r--r-- /lib/systemd/system/vpnlb.service");
        InstalledLayout.PROGRAM_FILES.keySet().forEach(path -> expected.add(
                (InstalledLayout.EXECUTABLES.contains(path) ? "-rwxr-xr-x " : "-rw-r--r-- ") + path));
        for (String dir : InstalledLayout.SHARED_DIRS) {
            Path source = Tools.module().resolve(dir);
            try (Stream<Path> files = Files.walk(source)) {
                files.filter(Files::isRegularFile)
                        .forEach(file -> expected.add("-rw-r--r-- /opt/vpnlb/" + dir + "/" + source.relativize(file)));
            }
        }
        assertThat(entries).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void installUpgradeRemoveAndPurgeInAScratchRoot() throws Exception {
        String dpkg = Tools.require("dpkg", "dpkg");
        Tools.require("useradd", "passwd");
        Tools.requireRoot("dpkg --root and the maintainer scripts set owners");
        ScratchRoot root = ScratchRoot.create(scratch.resolve("root"));

        dpkg(dpkg, root, "--install", deb().toString());
        InstalledLayout.assertInstalled(root, "/lib/systemd/system/vpnlb.service");
        InstalledLayout.assertLauncherValidatesExamples(root, scratch);
        assertThat(status(root)).isEqualTo("install ok installed");

        // An upgrade keeps the operator's configuration and token, and repairs their owners and modes.
        Path config = root.path("/etc/vpnlb/vpnlb.yaml");
        Path token = root.path("/etc/vpnlb/admin.token");
        Files.writeString(config, Files.readString(config).replace("192.0.2.13", "192.0.2.14"));
        String tokenBefore = Files.readString(token);
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        dpkg(dpkg, root, "--install", deb().toString());
        assertThat(Files.readString(config)).contains("192.0.2.14");
        assertThat(Files.readString(token)).isEqualTo(tokenBefore);
        assertThat(root.owner("/etc/vpnlb/admin.token")).startsWith("0600 ");

        dpkg(dpkg, root, "--remove", "vpnlb");
        assertThat(root.path("/opt/vpnlb")).doesNotExist();
        assertThat(root.path("/lib/systemd/system/vpnlb.service")).doesNotExist();
        assertThat(root.path("/usr/bin/vpnlb")).doesNotExist();
        assertThat(Files.readString(token)).as("remove keeps the token").isEqualTo(tokenBefore);
        assertThat(root.path("/etc/sysctl.d/60-vpnlb.conf")).as("remove keeps conffiles").exists();
        assertThat(status(root)).isEqualTo("deinstall ok config-files");

        dpkg(dpkg, root, "--purge", "vpnlb");
        assertThat(root.path("/etc/vpnlb")).doesNotExist();
        assertThat(root.path("/var/lib/vpnlb")).doesNotExist();
        assertThat(root.path("/etc/sysctl.d/60-vpnlb.conf")).doesNotExist();
        assertThat(root.uid("vpnlb")).as("the system user stays, as Debian does").isPositive();
    }

    private static void dpkg(String dpkg, ScratchRoot root, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(dpkg, "--root=" + root.dir, "--force-script-chrootless",
                "--force-depends"));
        command.addAll(List.of(args));
        // The scripts find useradd and friends on the host; nothing but the scratch root changes.
        Map<String, String> environment = new HashMap<>();
        environment.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        Tools.run(environment, Duration.ofMinutes(2), command.toArray(String[]::new)).assertSuccess();
    }

    private static String status(ScratchRoot root) throws Exception {
        return Tools.run(Tools.require("dpkg-query", "dpkg"), "--admindir=" + root.path("/var/lib/dpkg"), "--show",
                "--showformat=${Status}", "vpnlb").assertSuccess().output().strip();
    }

    static Path deb() throws Exception {
        Path dir = Path.of(System.getProperty("vpnlb.deb.dir"));
        String version = System.getProperty("project.version").replace("-SNAPSHOT", "~SNAPSHOT");
        Path deb = dir.resolve("vpnlb_" + version + "_all.deb");
        assertThat(deb).as("the package built by the package phase (mvn verify)").isRegularFile();
        return deb;
    }
}
