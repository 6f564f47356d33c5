package io.vpnlb.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the real tools the deployment files are checked with. A missing tool skips the test with a message naming
 * its Debian package; under CI ({@code CI=true}, where {@code .ci/run} installs every one) it fails instead.
 */
final class Tools {

    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);
    private static final boolean CI = "true".equalsIgnoreCase(System.getenv("CI"));

    private Tools() {
    }

    /** What a command printed (stdout and stderr together) and its exit status. */
    record Result(List<String> command, int exit, String output) {
        Result assertSuccess() {
            assertThat(exit).as("%s exited %d; output:%n%s", String.join(" ", command), exit, output).isZero();
            return this;
        }
    }

    /** The deploy module's directory. */
    static Path module() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    /** The repository's root directory. */
    static Path repository() {
        return module().getParent();
    }

    /** The absolute path of {@code program} on the PATH (or in /usr/sbin, /sbin), or a skip or failure. */
    static String require(String program, String debianPackage) {
        String found = find(program);
        if (found == null) {
            String message = program + " is not installed (Debian package " + debianPackage
                    + "; .ci/run installs it)";
            if (CI) {
                fail(message);
            }
            assumeTrue(false, message + ": skipping");
        }
        return found;
    }

    static String find(String program) {
        List<String> dirs = new ArrayList<>(
                List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/sbin"));
        for (String dir : dirs) {
            Path candidate = Path.of(dir, program);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    /** Skips the test (with {@code why}) unless it runs as root; CI runs as root. */
    static void requireRoot(String why) {
        assumeTrue(isRoot(), "needs root: " + why);
    }

    static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("Uid:"))
                    .anyMatch(line -> line.split("\\s+")[2].equals("0"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static Result run(String... command) throws IOException, InterruptedException {
        return run(Map.of(), DEFAULT_TIMEOUT, command);
    }

    /** Runs {@code command} with extra environment variables ({@code null} values remove one). */
    static Result run(Map<String, String> environment, Duration timeout, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        environment.forEach((name, value) -> {
            if (value == null) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
        Path output = Files.createTempFile("vpnlb-deploy-", ".out");
        try {
            builder.redirectOutput(output.toFile());
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail(String.join(" ", command) + " did not finish within " + timeout + "; output:\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Result(List.of(command), process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
