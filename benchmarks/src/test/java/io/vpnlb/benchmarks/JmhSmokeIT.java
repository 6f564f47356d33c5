package io.vpnlb.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every JMH benchmark of the shaded {@code benchmarks.jar} still runs with the allocation profiler and reports its
 * score and {@code gc.alloc.rate.norm} (B/op), in one short iteration in one fork. Measures nothing: no figure is
 * judged (RESULTS.md holds the measured runs).
 */
class JmhSmokeIT {

    private static final Path JAR = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
            .toAbsolutePath().resolve("target").resolve("benchmarks.jar");

    @TempDir
    Path dir;

    @Test
    void everyBenchmarkRunsWithTheAllocationProfiler() throws Exception {
        List<String> benchmarks = run(List.of("-l")).lines().map(String::strip)
                .filter(line -> line.startsWith("io.vpnlb.")).toList();
        assertThat(benchmarks).isNotEmpty();

        Path json = dir.resolve("jmh.json");
        // One fork each, so that every benchmark's @Fork settings (JVM flags, executor) are exercised too.
        run(List.of("-f", "1", "-wi", "0", "-i", "1", "-r", "50ms", "-prof", "gc", "-rf", "json", "-rff",
                json.toString()));

        JsonNode results = new ObjectMapper().readTree(json.toFile());
        List<String> reported = new ArrayList<>();
        for (JsonNode result : results) {
            String name = result.path("benchmark").asText();
            reported.add(name);
            assertThat(result.path("primaryMetric").path("score").isNumber()).as("score of %s", name).isTrue();
            assertThat(result.path("secondaryMetrics").path("gc.alloc.rate.norm").path("scoreUnit").asText())
                    .as("B/op of %s", name).isEqualTo("B/op");
        }
        assertThat(reported).containsAll(benchmarks);
    }

    private String run(List<String> arguments) throws Exception {
        // JMH's lock file (java.io.tmpdir/jmh.lock) goes to the test's own directory, removed after the test.
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Djava.io.tmpdir=" + dir, "-jar", JAR.toString()));
        command.addAll(arguments);
        Path log = dir.resolve("jmh.log");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean ended = process.waitFor(300, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly().waitFor();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(ended).as("%s ended within 300 s; output:%n%s", command, output).isTrue();
        assertThat(process.exitValue()).as("%s exit status; output:%n%s", command, output).isZero();
        return output;
    }
}
