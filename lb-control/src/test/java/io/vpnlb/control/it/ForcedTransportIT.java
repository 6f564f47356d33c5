package io.vpnlb.control.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A forced transport that cannot run fails at start with one line naming it. Netty's native transports are
 * switched off in a child JVM ({@code io.netty.transport.noNative}), as on a machine without them.
 */
class ForcedTransportIT {

    @TempDir
    Path dir;

    @Test
    void aForcedNativeTransportThatCannotLoadIsNamedAtStart() throws Exception {
        for (String transport : List.of("epoll", "io_uring")) {
            Path config = Files.writeString(dir.resolve(transport + ".yaml"), String.join("\n",
                    "transport: " + transport,
                    "services:",
                    "  - { name: ikev2, type: ikev2, listen: 127.0.0.1, ports: [\"10500:500\", \"10501:4500\"], "
                            + "pool: vpn }",
                    "pools:",
                    "  - { name: vpn, members: [ { address: 127.0.1.1 } ] }",
                    ""));
            String java = ProcessHandle.current().info().command().orElse("java");
            Process process = new ProcessBuilder(java, "-Dio.netty.transport.noNative=true", "-jar",
                    Path.of("target", "vpnlb.jar").toAbsolutePath().toString(), "run", "--config", config.toString())
                    .redirectErrorStream(false).start();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("vpnlb exits").isTrue();
            String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();

            assertThat(process.exitValue()).isEqualTo(1);
            // Logs go to stderr too; the operator's answer is the one line that starts with "vpnlb:".
            List<String> answers = stderr.lines().filter(line -> line.startsWith("vpnlb:")).toList();
            assertThat(answers).singleElement().asString()
                    .startsWith("vpnlb: transport " + transport + " is not available on this machine")
                    .contains("transport: auto");
        }
    }
}
