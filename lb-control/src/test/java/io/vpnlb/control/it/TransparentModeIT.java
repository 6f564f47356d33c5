package io.vpnlb.control.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.vpnlb.dataplane.testing.FreePorts;
import io.vpnlb.dataplane.transport.NetTransport;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Transparent mode ({@code source-nat: false}): each session's upstream socket is bound to the client's own address
 * and port, so the member sees the real client.
 *
 * <p>{@link #memberSeesTheClientsOwnAddress} runs {@code src/test/sh/transparent-udp.sh} once per transport that can
 * bind a foreign address (epoll, io_uring; one that this machine lacks is skipped): client, vpnlb and a UDP echo
 * member in three network namespaces, {@code deploy/transparent-routing.sh up} in vpnlb's. The member must see two
 * client addresses as themselves, replies must reach the client from the VIP, and with the routing down (negative
 * control) the reply must not come back. The script builds and always removes its own namespaces, processes and
 * temp files; exit 0 passes, 77 skips (not root, no {@code ip netns}, no {@code nft}, no python3: one
 * {@code SKIP: reason} line), anything else fails. Logs of the last run: {@code target/it-logs/transparent-udp-*}.
 *
 * <p>The start checks need no namespace: transport nio, or epoll without CAP_NET_ADMIN, must stop vpnlb at once
 * with exit status 1 and one clear line.
 */
class TransparentModeIT {

    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(100);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    static Stream<NetTransport> transparentTransports() {
        return Arrays.stream(NetTransport.values()).filter(t -> t.ipTransparent() != null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transparentTransports")
    void memberSeesTheClientsOwnAddress(NetTransport transport) throws Exception {
        ScriptRun.assumeLinux();
        Assumptions.assumeTrue(transport.isAvailable(),
                () -> "transport " + transport.displayName() + " is not available here: "
                        + transport.unavailabilityCause());
        Path moduleDir = ScriptRun.moduleDir();
        ScriptRun run = ScriptRun.run("transparent-udp", SCRIPT_TIMEOUT,
                moduleDir.resolve("target/it-logs/transparent-udp-" + transport.displayName()),
                transport.displayName());
        // This JVM has the transport; vpnlb.jar not having it would be a packaging fault, not a reason to skip.
        assertThat(run.skipReason())
                .as("transparent-udp.sh skipped although this JVM has transport %s; output:%n%s",
                        transport.displayName(), run.text())
                .doesNotContain("is not available");
        run.abortIfSkipped();
        run.assertPassed();
        assertThat(run.text()).contains("member saw 10.98.1.2:40123, reply from 10.98.1.1:5000",
                "member saw 10.98.1.3:40124, reply from 10.98.1.1:5000", "no reply within");
    }

    @Test
    void nioTransportRefusesTransparentModeWithOneLine(@TempDir Path dir) throws Exception {
        ScriptRun.assumeLinux();
        StartResult result = startVpnlb(dir, "nio", List.of());
        assertThat(result.exit).as("exit status of vpnlb run; output:%n%s", result.all()).isEqualTo(1);
        String line = result.onlyErrorLine();
        assertThat(line).contains("transparent mode", "epoll or io_uring", "service plain", "nio");
    }

    @Test
    void transparentModeWithoutCapNetAdminRefusesToStart(@TempDir Path dir) throws Exception {
        ScriptRun.assumeLinux();
        Assumptions.assumeTrue(NetTransport.EPOLL.isAvailable(), "needs the epoll transport");
        Assumptions.assumeTrue(ScriptRun.isRoot(), "needs root to drop capabilities with setpriv");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs /usr/bin/setpriv (util-linux)");
        // Root without CAP_NET_ADMIN and CAP_NET_RAW: the bounding set limits what the exec'd java may have.
        StartResult result = startVpnlb(dir, "epoll", List.of("/usr/bin/setpriv",
                "--bounding-set", "-net_admin,-net_raw", "--inh-caps", "-net_admin,-net_raw"));
        assertThat(result.exit).as("exit status of vpnlb run; output:%n%s", result.all()).isEqualTo(1);
        assertThat(result.onlyErrorLine()).contains("transparent mode", "CAP_NET_ADMIN", "transparent-routing.sh");
    }

    private record StartResult(int exit, List<String> stdout, List<String> stderr) {
        String all() {
            return "stdout:\n" + String.join("\n", stdout) + "\nstderr:\n" + String.join("\n", stderr);
        }

        /** The one line vpnlb prints about the start failure; no stack trace anywhere. */
        String onlyErrorLine() {
            List<String> errors = stderr.stream().filter(l -> l.startsWith("vpnlb:")).toList();
            assertThat(errors).as("lines starting with 'vpnlb:' on stderr; output:%n%s", all()).hasSize(1);
            assertThat(Stream.concat(stdout.stream(), stderr.stream()))
                    .as("no stack trace; output:%n%s", all())
                    .noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception"));
            return errors.get(0);
        }
    }

    /** Runs {@code [prefix...] java -jar vpnlb.jar run --config} a one-service transparent configuration. */
    private static StartResult startVpnlb(Path dir, String transport, List<String> prefix) throws Exception {
        Path jar = ScriptRun.jar();
        int port = FreePorts.udp();
        Path yaml = dir.resolve("transparent-" + transport + ".yaml");
        Files.writeString(yaml, String.join("\n",
                "transport: " + transport,
                "services:",
                "  - name: plain",
                "    type: udp",
                "    listen: 127.0.0.1",
                "    ports: [\"" + port + ":6000\"]",
                "    pool: p",
                "    source-nat: false",
                "pools:",
                "  - name: p",
                "    members:",
                "      - { address: 127.0.0.1 }",
                ""));
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(ScriptRun.java(), "-jar", jar.toString(), "run", "--config", yaml.toString()));
        ScriptRun.log("running: " + String.join(" ", command));
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        List<String> out = new ArrayList<>();
        List<String> err = new ArrayList<>();
        Thread outPump = ScriptRun.pump(process.getInputStream(), out, "vpnlb out");
        Thread errPump = ScriptRun.pump(process.getErrorStream(), err, "vpnlb err");
        if (!process.waitFor(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            outPump.join(5000);
            errPump.join(5000);
            fail("vpnlb (transport " + transport + ", source-nat: false) still running after " + START_TIMEOUT
                    + ": it must refuse to start; output:\nstdout:\n" + String.join("\n", snapshot(out))
                    + "\nstderr:\n" + String.join("\n", snapshot(err)));
        }
        outPump.join(10_000);
        errPump.join(10_000);
        return new StartResult(process.exitValue(), snapshot(out), snapshot(err));
    }

    private static List<String> snapshot(List<String> lines) {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    /**
     * One run of a namespace scenario script in {@code src/test/sh}: {@code bash SCRIPT --keep-logs DIR [ARGS...]
     * VPNLB_JAR JAVA}, output pumped to stdout with a prefix. On timeout the script gets SIGTERM (its trap removes its
     * namespaces), then its process tree is killed and its namespaces ({@code vpnlbit-<pid>-*}) deleted.
     */
    static final class ScriptRun {

        /** After SIGTERM the script tears its namespaces down; give it this long before killing the tree. */
        private static final Duration CLEANUP_GRACE = Duration.ofSeconds(30);
        private static final int EXIT_SKIP = 77;

        final String name;
        final int exit;
        final List<String> lines;
        final Path logDir;

        private ScriptRun(String name, int exit, List<String> lines, Path logDir) {
            this.name = name;
            this.exit = exit;
            this.lines = lines;
            this.logDir = logDir;
        }

        String text() {
            return String.join("\n", lines);
        }

        static void assumeLinux() {
            Assumptions.assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"),
                    "needs Linux");
        }

        static Path moduleDir() {
            return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        }

        static Path jar() {
            Path jar = moduleDir().resolve("target/vpnlb.jar");
            assertThat(jar).as("vpnlb.jar (built by the package phase: mvn verify)").isRegularFile();
            return jar;
        }

        static String java() {
            return ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        }

        static boolean isRoot() {
            try {
                return Files.readAllLines(Path.of("/proc/self/status")).stream()
                        .filter(l -> l.startsWith("Uid:"))
                        .anyMatch(l -> l.split("\\s+")[2].equals("0"));
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }

        /** Runs {@code src/test/sh/NAME.sh} and returns its exit status and output (77: see {@link #abortIfSkipped}). */
        static ScriptRun run(String name, Duration timeout, Path logDir, String... args) throws Exception {
            Path moduleDir = moduleDir();
            Path script = moduleDir.resolve("src/test/sh/" + name + ".sh");
            assertThat(script).as("test script").isRegularFile();
            Path jar = jar();
            deleteRecursively(logDir);
            List<String> command = new ArrayList<>(List.of("bash", script.toString(), "--keep-logs", logDir.toString()));
            command.addAll(List.of(args));
            command.add(jar.toString());
            command.add(java());
            log("running: " + String.join(" ", command));
            long started = System.nanoTime();
            Process process = new ProcessBuilder(command)
                    .directory(moduleDir.toFile())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            List<String> output = new ArrayList<>();
            Thread pump = pump(process.getInputStream(), output, name);

            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                log(name + " timed out after " + timeout + "; sending SIGTERM so the script cleans up");
                List<ProcessHandle> tree = process.descendants().toList();
                // ProcessHandle.destroy only signals (SIGTERM); Process.destroy would also close the output pipe.
                process.toHandle().destroy();
                if (!process.waitFor(CLEANUP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    log(name + " still running after " + CLEANUP_GRACE + "; killing its process tree");
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                    deleteLeftoverNamespaces(process.pid());
                }
                tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            }
            pump.join(TimeUnit.SECONDS.toMillis(10));
            List<String> lines = snapshot(output);
            String text = String.join("\n", lines);
            if (!finished) {
                fail(name + ".sh did not finish within " + timeout + "; output:\n" + text);
            }
            int exit = process.exitValue();
            log(name + " exited " + exit + " after " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
            return new ScriptRun(name, exit, lines, logDir);
        }

        /** The reason of a skip (exit 77, last {@code SKIP:} line), or "" when the script did not skip. */
        String skipReason() {
            if (exit != EXIT_SKIP) {
                return "";
            }
            return lines.stream()
                    .filter(line -> line.startsWith("SKIP:"))
                    .reduce((first, second) -> second)
                    .map(line -> line.substring("SKIP:".length()).trim())
                    .orElse(name + ".sh exited 77 (skip)");
        }

        /** Aborts the test (reported as skipped) when the script exited 77. */
        void abortIfSkipped() {
            if (exit == EXIT_SKIP) {
                log("skipped: " + skipReason());
                Assumptions.abort(name + " skipped: " + skipReason());
            }
        }

        void assertPassed() {
            assertThat(exit)
                    .as("%s.sh exit status (0 pass, 1 fail, 77 skip); logs in %s; output:%n%s", name, logDir, text())
                    .isZero();
            assertThat(text()).contains("RESULT: PASS");
        }

        static Thread pump(InputStream stream, List<String> output, String prefix) {
            Thread pump = new Thread(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        System.out.println("[" + prefix + "] " + line);
                        synchronized (output) {
                            output.add(line);
                        }
                    }
                } catch (IOException e) {
                    System.out.println("[" + prefix + "] output stream closed: " + e);
                }
            }, prefix + "-output");
            pump.setDaemon(true);
            pump.start();
            return pump;
        }

        /** Last resort when the script could not clean up: its namespaces are named vpnlbit-PID-ROLE. */
        private static void deleteLeftoverNamespaces(long scriptPid) {
            try {
                Process list = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
                List<String> names;
                try (BufferedReader reader = new BufferedReader(
                        new InputStreamReader(list.getInputStream(), StandardCharsets.UTF_8))) {
                    names = reader.lines().map(l -> l.split("\\s+")[0])
                            .filter(n -> n.startsWith("vpnlbit-" + scriptPid + "-")).toList();
                }
                list.waitFor(10, TimeUnit.SECONDS);
                for (String name : names) {
                    Process del = new ProcessBuilder("ip", "netns", "del", name)
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
                    del.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (IOException e) {
                log("cannot remove namespaces vpnlbit-" + scriptPid + "-*: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        static void log(String message) {
            System.out.println("[TransparentIT] " + message);
        }

        private static void deleteRecursively(Path dir) throws IOException {
            if (!Files.exists(dir)) {
                return;
            }
            try (var paths = Files.walk(dir)) {
                for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }
}
