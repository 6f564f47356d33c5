package io.vpnlb.benchmarks;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Each end-to-end benchmark script still starts, runs every path it compares for a fraction of a second
 * ({@code --smoke}) and prints its output format: the {@code RESULT key=value} lines its tables are made from and
 * {@code smoke: ok}, which the script prints only when its TSV holds a row. Measures nothing and judges no figure.
 * Also checks that a run leaves nothing behind: no work directory, no result file, no process.
 *
 * <p>Needs root (the scripts install nginx, HAProxy and a C compiler from Debian's packages when missing, and start
 * them); skips elsewhere. CI runs as root.
 */
class E2eSmokeIT {

    private static final Path E2E = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
            .toAbsolutePath().resolve("e2e");
    private static final Path RESULTS = E2E.getParent().resolve("results").resolve("e2e");
    private static final String SMOKE_PORT = "27500";

    @BeforeAll
    static void needsRoot() throws Exception {
        Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
        String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        id.waitFor();
        assumeTrue(uid.equals("0"), "needs root: the benchmark scripts install and start nginx and HAProxy; skipping");
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp-throughput", "udp-latency", "new-sessions", "memory", "alloc-per-datagram",
            "cpu-per-datagram", "tls-handshakes", "tls-throughput"})
    void scriptRunsAndPrintsItsFormat(String script) throws Exception {
        Set<String> workBefore = workDirectories();
        Set<String> resultsBefore = files(RESULTS);
        Set<Long> processesBefore = scriptProcesses();
        Path log = Files.createTempFile("vpnlb-smoke-" + script, ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder("bash", E2E.resolve(script + ".sh").toString(), "--smoke")
                    // Appending: the scripts also write to /dev/stderr by path, which would overwrite at another offset.
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            // Ports of their own, away from the scripts' default used by benchmarks run by hand.
            builder.environment().put("BENCH_PORT", SMOKE_PORT);
            Process run = builder.start();
            boolean ended = run.waitFor(300, TimeUnit.SECONDS);
            if (!ended) {
                // SIGTERM first: the script's exit trap stops what it started and removes its work directory.
                run.destroy();
                if (!run.waitFor(30, TimeUnit.SECONDS)) {
                    run.descendants().forEach(ProcessHandle::destroyForcibly);
                    run.destroyForcibly().waitFor();
                }
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(ended).as("%s --smoke ended within 300 s; output:%n%s", script, output).isTrue();
            assertThat(run.exitValue()).as("%s --smoke exit status; output:%n%s", script, output).isZero();
            List<String> lines = output.lines().toList();
            assertThat(lines).as("%s prints its RESULT lines; output:%n%s", script, output)
                    .anyMatch(line -> line.matches("RESULT( [a-z0-9_]+=\\S+)+"));
            assertThat(lines).as("%s confirms its TSV; output:%n%s", script, output).contains("smoke: ok");

            assertThat(workDirectories()).as("work directories left by %s", script)
                    .isSubsetOf(workBefore);
            assertThat(files(RESULTS)).as("files written to results/e2e by a smoke run of %s", script)
                    .isEqualTo(resultsBefore);
            assertThat(processesLeft(processesBefore)).as("processes left by %s", script).isEmpty();
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static Set<String> workDirectories() throws IOException {
        try (Stream<Path> tmp = Files.list(Path.of("/tmp"))) {
            return tmp.map(p -> p.getFileName().toString()).filter(name -> name.startsWith("vpnlb-e2e."))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static Set<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> listed = Files.list(dir)) {
            return listed.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** Processes whose command line names a script's work directory (balancers, peers, generators). */
    private static Set<Long> scriptProcesses() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains("/tmp/vpnlb-e2e."))
                .map(ProcessHandle::pid)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Command lines of script processes that were not there before the run and are still there 10 s after it
     * ended (the exit trap signals them; a daemonized nginx may take a moment to go).
     */
    private static List<String> processesLeft(Set<Long> before) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<String> left = ProcessHandle.allProcesses()
                    .filter(p -> !before.contains(p.pid()))
                    .map(p -> p.info().commandLine().orElse(""))
                    .filter(command -> command.contains("/tmp/vpnlb-e2e."))
                    .toList();
            if (left.isEmpty() || System.nanoTime() > deadline) {
                return left;
            }
            Thread.sleep(100);
        }
    }
}
