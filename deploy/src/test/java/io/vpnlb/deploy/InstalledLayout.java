package io.vpnlb.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layout that the Debian package and {@code deploy/install.sh} both install, checked file by file: contents
 * equal to the sources, owners and modes as a hardened service needs them.
 */
final class InstalledLayout {

    /** Installed path -> source in the repository; all owned by root. */
    static final Map<String, String> PROGRAM_FILES = Map.ofEntries(
            Map.entry("/opt/vpnlb/bin/vpnlb", "bin/vpnlb"),
            Map.entry("/opt/vpnlb/bin/transparent-routing.sh", "deploy/transparent-routing.sh"),
            Map.entry("/opt/vpnlb/libexec/vpnlb-setup", "deploy/vpnlb-setup"),
            Map.entry("/opt/vpnlb/README.md", "README.md"),
            Map.entry("/opt/vpnlb/systemd/transparent.conf", "systemd/transparent.conf"),
            Map.entry("/etc/sysctl.d/60-vpnlb.conf", "deploy/sysctl/60-vpnlb.conf"));
    static final List<String> EXECUTABLES = List.of("/opt/vpnlb/bin/vpnlb", "/opt/vpnlb/bin/transparent-routing.sh",
            "/opt/vpnlb/libexec/vpnlb-setup");
    /** Directories of the repository's deploy/ copied whole under /opt/vpnlb. */
    static final List<String> SHARED_DIRS = List.of("examples", "nftables", "ha", "monitoring");

    private InstalledLayout() {
    }

    /** Everything is in place in {@code root}, with the unit at {@code unitPath}. */
    static void assertInstalled(ScratchRoot root, String unitPath) throws IOException {
        Path repo = Tools.repository();
        List<String> problems = new ArrayList<>();
        assertThat(Files.mismatch(root.path("/opt/vpnlb/vpnlb.jar"), Path.of(System.getProperty("vpnlb.jar"))))
                .as("/opt/vpnlb/vpnlb.jar is the built jar").isEqualTo(-1L);
        check(problems, root, "/opt/vpnlb/vpnlb.jar", "0644 0 0");
        for (Map.Entry<String, String> file : PROGRAM_FILES.entrySet()) {
            same(problems, root, file.getKey(), repo.resolve(file.getValue()));
            check(problems, root, file.getKey(), EXECUTABLES.contains(file.getKey()) ? "0755 0 0" : "0644 0 0");
        }
        same(problems, root, unitPath, repo.resolve("systemd/vpnlb.service"));
        check(problems, root, unitPath, "0644 0 0");
        for (String dir : SHARED_DIRS) {
            Path source = repo.resolve("deploy").resolve(dir);
            try (Stream<Path> files = Files.walk(source)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String installed = "/opt/vpnlb/" + dir + "/" + source.relativize(file);
                    same(problems, root, installed, file);
                    check(problems, root, installed, "0644 0 0");
                }
            }
        }
        assertThat(Files.readSymbolicLink(root.path("/usr/bin/vpnlb"))).hasToString("/opt/vpnlb/bin/vpnlb");

        String[] user = root.passwd("vpnlb");
        assertThat(user).as("the vpnlb user in etc/passwd").isNotNull();
        int uid = root.uid("vpnlb");
        int gid = root.gid("vpnlb");
        assertThat(uid).as("vpnlb is a system user").isBetween(1, 999);
        assertThat(Integer.parseInt(user[3])).as("vpnlb's primary group").isEqualTo(gid);
        assertThat(user[5]).isEqualTo("/var/lib/vpnlb");
        assertThat(user[6]).isEqualTo("/usr/sbin/nologin");
        check(problems, root, "/etc/vpnlb", "0750 0 " + gid);
        check(problems, root, "/etc/vpnlb/vpnlb.yaml", "0640 0 " + gid);
        check(problems, root, "/etc/vpnlb/admin.token", "0600 " + uid + " " + gid);
        check(problems, root, "/var/lib/vpnlb", "0750 " + uid + " " + gid);
        assertThat(problems).as("files that differ from what is expected").isEmpty();
        assertThat(Files.readString(root.path("/etc/vpnlb/admin.token")))
                .as("a generated token: 32 random bytes in hex").matches("[0-9a-f]{64}\n");
    }

    /** The installed launcher accepts every example configuration and the installed one, and rejects a bad one. */
    static void assertLauncherValidatesExamples(ScratchRoot root, Path scratch) throws Exception {
        List<Path> configs = new ArrayList<>();
        try (Stream<Path> examples = Files.list(root.path("/opt/vpnlb/examples"))) {
            examples.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(configs::add);
        }
        assertThat(configs).as("example configurations").hasSizeGreaterThanOrEqualTo(4);
        configs.add(root.path("/etc/vpnlb/vpnlb.yaml"));
        String launcher = root.path("/opt/vpnlb/bin/vpnlb").toString();
        // The launcher must find the jar beside it, as it does under /opt/vpnlb.
        Map<String, String> environment = new java.util.HashMap<>();
        environment.put("VPNLB_JAR", null);
        for (Path config : configs) {
            // The examples name certificate files of the site they are written for: checked without reading them.
            Tools.Result check = Tools.run(environment, Tools.DEFAULT_TIMEOUT, launcher, "check",
                    "--skip-certificates", "--config", config.toString()).assertSuccess();
            assertThat(check.output()).contains(config + ": valid (");
        }
        Path broken = scratch.resolve("broken.yaml");
        Files.writeString(broken, Files.readString(root.path("/opt/vpnlb/examples/aovpn-rras.yaml"))
                .replace("session-idle-timeout:", "sesion-idle-timeout:"));
        Tools.Result rejected = Tools.run(environment, Tools.DEFAULT_TIMEOUT, launcher, "check", "--config",
                broken.toString());
        assertThat(rejected.exit()).as(rejected.output()).isEqualTo(1);
        assertThat(rejected.output()).contains("services[ikev2].sesion-idle-timeout: unknown key")
                .contains("did you mean session-idle-timeout?");
    }

    private static void same(List<String> problems, ScratchRoot root, String installed, Path source)
            throws IOException {
        Path path = root.path(installed);
        if (!Files.isRegularFile(path)) {
            problems.add(installed + ": missing");
        } else if (Files.mismatch(path, source) != -1L) {
            problems.add(installed + ": differs from " + source);
        }
    }

    private static void check(List<String> problems, ScratchRoot root, String installed, String expected)
            throws IOException {
        if (!Files.exists(root.path(installed), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            problems.add(installed + ": missing");
            return;
        }
        String actual = root.owner(installed);
        if (!actual.equals(expected)) {
            problems.add(installed + ": mode uid gid " + actual + " (expected: " + expected + ")");
        }
    }
}
