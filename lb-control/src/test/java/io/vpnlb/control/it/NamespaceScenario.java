package io.vpnlb.control.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Runs one real-peer scenario script of {@code src/test/sh/} (strongSwan peers and vpnlb in network
 * namespaces, see {@code lib-netns.sh}) and turns its exit status into a JUnit outcome: 0 passes (the output
 * must also say {@code RESULT: PASS}), 77 aborts the test with the script's {@code SKIP: reason}, anything else
 * fails with the whole output. The script's logs are kept in {@code target/it-logs/<logName>/}.
 *
 * <p>The script builds and always removes its own namespaces ({@code vpnlbit-<script pid>-<role>}), veths,
 * processes and temp dir. On a timeout it gets SIGTERM (it cleans up and exits); if it is still running after
 * {@link #CLEANUP_GRACE} its process tree is killed and its namespaces are deleted here.
 *
 * <p>Invocation: {@code bash SCRIPT --keep-logs LOGDIR [args...] VPNLB_JAR JAVA}, where JAVA is the JVM running
 * this test (a JDK: the scripts run a single-file Java helper against the jar).
 */
final class NamespaceScenario {

    /** After SIGTERM the script tears its namespaces down; give it this long before killing the tree. */
    static final Duration CLEANUP_GRACE = Duration.ofSeconds(30);
    static final int EXIT_SKIP = 77;

    private final String script;
    private final String logName;
    private final Duration timeout;

    /**
     * @param script  file name in {@code src/test/sh/}
     * @param logName directory name under {@code target/it-logs/}
     * @param timeout how long the script may run before it is stopped and the test fails
     */
    NamespaceScenario(String script, String logName, Duration timeout) {
        this.script = script;
        this.logName = logName;
        this.timeout = timeout;
    }

    /** The lb-control module directory (Maven's {@code basedir}). */
    static Path moduleDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    /** The directory the script's logs are copied to. */
    Path logDir() {
        return moduleDir().resolve("target/it-logs").resolve(logName);
    }

    /**
     * Runs the script with {@code args} before the jar argument; returns its output lines when it passed.
     * Aborts the test (skip) on exit 77 and fails it on anything else.
     */
    List<String> runAndExpectPass(String... args) throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"),
                "needs Linux network namespaces");
        Path moduleDir = moduleDir();
        Path jar = moduleDir.resolve("target/vpnlb.jar");
        Path scriptPath = moduleDir.resolve("src/test/sh").resolve(script);
        Path logDir = logDir();
        assertThat(scriptPath).as("test script").isRegularFile();
        assertThat(jar).as("vpnlb.jar (built by the package phase: mvn verify)").isRegularFile();
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        deleteRecursively(logDir);

        List<String> command = new ArrayList<>(List.of("bash", scriptPath.toString(), "--keep-logs", logDir.toString()));
        command.addAll(List.of(args));
        command.add(jar.toString());
        command.add(java);
        log("running: " + String.join(" ", command));
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .directory(moduleDir.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();

        List<String> output = new ArrayList<>();
        Thread pump = new Thread(() -> pump(process, output), logName + "-output");
        pump.setDaemon(true);
        pump.start();

        boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            log("timed out after " + timeout + "; sending SIGTERM so the script cleans up");
            List<ProcessHandle> tree = process.descendants().toList();
            // ProcessHandle.destroy only signals (SIGTERM); Process.destroy would also close the output pipe.
            process.toHandle().destroy();
            if (!process.waitFor(CLEANUP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                log("script still running after " + CLEANUP_GRACE + "; killing its process tree");
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
                deleteLeftoverNamespaces(process.pid());
            }
            tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
        pump.join(TimeUnit.SECONDS.toMillis(10));
        List<String> lines;
        synchronized (output) {
            lines = new ArrayList<>(output);
        }
        String text = String.join("\n", lines);
        if (!finished) {
            fail(script + " did not finish within " + timeout + "; output:\n" + text);
        }
        log(script + " exited " + process.exitValue() + " after "
                + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) + " s");

        int exit = process.exitValue();
        if (exit == EXIT_SKIP) {
            String reason = lines.stream()
                    .filter(line -> line.startsWith("SKIP:"))
                    .reduce((first, second) -> second)
                    .map(line -> line.substring("SKIP:".length()).trim())
                    .orElse(script + " exited 77 (skip)");
            log("skipped: " + reason);
            Assumptions.abort("real-peer scenario " + script + " skipped: " + reason);
        }
        // the verdict first: a CI summary shows only the beginning of a failure message
        String verdict = lines.stream()
                .filter(line -> line.startsWith("RESULT:") || line.startsWith("FAIL:"))
                .reduce((first, second) -> second)
                .orElse("(no RESULT line)");
        assertThat(exit)
                .as("%s: %s%nexit status (0 pass, 1 fail, 77 skip); logs in %s; output:%n%s",
                        script, verdict, logDir, text)
                .isZero();
        assertThat(text).as("output of %s", script).contains("RESULT: PASS");
        return lines;
    }

    private void pump(Process process, List<String> output) {
        String prefix = "[" + logName + "] ";
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                System.out.println(prefix + line);
                synchronized (output) {
                    output.add(line);
                }
            }
        } catch (IOException e) {
            System.out.println(prefix + "output stream closed: " + e);
        }
    }

    /** Last resort when the script could not clean up: its namespaces are named vpnlbit-PID-*. */
    private void deleteLeftoverNamespaces(long scriptPid) {
        String prefix = "vpnlbit-" + scriptPid + "-";
        List<String> names = new ArrayList<>();
        try {
            Process list = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(list.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    String name = line.trim().split("\\s+")[0];
                    if (name.startsWith(prefix)) {
                        names.add(name);
                    }
                }
            }
            list.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            log("cannot run ip netns list: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        for (String name : names) {
            try {
                Process del = new ProcessBuilder("ip", "netns", "del", name)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                del.waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                log("cannot run ip netns del " + name + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void log(String message) {
        System.out.println("[" + getClass().getSimpleName() + " " + logName + "] " + message);
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
