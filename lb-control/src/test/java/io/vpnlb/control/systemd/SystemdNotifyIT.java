package io.vpnlb.control.systemd;

import io.vpnlb.dataplane.testing.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code vpnlb run} under a service manager: with {@code $NOTIFY_SOCKET} set it sends READY=1 only once its
 * listeners are bound and its admin API answers, RELOADING=1 then READY=1 around a SIGHUP reload (with the
 * outcome in STATUS), and STOPPING=1 on SIGTERM, as systemd's {@code Type=notify} expects.
 */
class SystemdNotifyIT {

    private static final long START_SECONDS = 60;

    @TempDir
    Path dir;

    @Test
    void readyReloadingAndStoppingFollowTheBalancersState() throws Exception {
        int udpPort = FreePorts.udp();
        int adminPort = FreePorts.tcp();
        Path config = dir.resolve("vpnlb.yaml");
        writeConfig(config, udpPort, adminPort, "127.0.1.1");
        Path socket = dir.resolve("notify");
        try (NotifySocket systemd = new NotifySocket(socket.toString())) {
            Process vpnlb = start(config, socket);
            try {
                String ready = systemd.next(START_SECONDS);
                // At READY=1 the listener is bound and the admin API serves, with no waiting.
                assertThat(ready).startsWith("READY=1\nSTATUS=running, snapshot ");
                assertThatThrownBy(() -> new DatagramSocket(new InetSocketAddress("127.0.0.1", udpPort)).close())
                        .as("UDP 127.0.0.1:%d is bound by vpnlb", udpPort).isInstanceOf(BindException.class);
                assertThat(get(adminPort, "/readyz")).isEqualTo(200);

                kill("-HUP", vpnlb);
                assertThat(systemd.next()).startsWith("RELOADING=1\nMONOTONIC_USEC=");
                assertThat(systemd.next()).startsWith("READY=1\nSTATUS=running, reload unchanged, snapshot ");

                writeConfig(config, udpPort, adminPort, "127.0.1.2");
                kill("-HUP", vpnlb);
                assertThat(systemd.next()).startsWith("RELOADING=1\n");
                assertThat(systemd.next()).startsWith("READY=1\nSTATUS=running, reload applied, snapshot ");

                Files.writeString(config, "services: [");
                kill("-HUP", vpnlb);
                assertThat(systemd.next()).startsWith("RELOADING=1\n");
                assertThat(systemd.next()).startsWith("READY=1\nSTATUS=running, reload rejected, snapshot ");

                vpnlb.destroy();
                assertThat(systemd.next()).isEqualTo("STOPPING=1\nSTATUS=stopping");
                assertThat(vpnlb.waitFor(30, TimeUnit.SECONDS)).as("vpnlb stops on SIGTERM").isTrue();
                // The JVM exits 128 + 15 after SIGTERM; the unit lists 143 in SuccessExitStatus=.
                assertThat(vpnlb.exitValue()).as("exit status after SIGTERM").isEqualTo(143);
                assertThat(systemd.isEmpty()).isTrue();
            } finally {
                vpnlb.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void withoutNotifySocketTheBalancerRunsAsBefore() throws Exception {
        int udpPort = FreePorts.udp();
        int adminPort = FreePorts.tcp();
        Path config = dir.resolve("vpnlb.yaml");
        writeConfig(config, udpPort, adminPort, "127.0.1.1");
        Process vpnlb = start(config, null);
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(START_SECONDS))
                    .ignoreExceptions().until(() -> get(adminPort, "/readyz") == 200);
            vpnlb.destroy();
            assertThat(vpnlb.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            vpnlb.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Process start(Path config, Path notifySocket) throws IOException {
        Path jar = Path.of(System.getProperty("basedir", ".")).resolve("target/vpnlb.jar").toAbsolutePath();
        assertThat(jar).as("vpnlb.jar (built by the package phase: mvn verify)").isRegularFile();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-jar", jar.toString(), "run", "--config",
                config.toString(), "--event-loops", "1")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve("vpnlb.out").toFile())
                .redirectError(dir.resolve("vpnlb.err").toFile());
        builder.environment().remove(SystemdNotifier.NOTIFY_SOCKET);
        if (notifySocket != null) {
            builder.environment().put(SystemdNotifier.NOTIFY_SOCKET, notifySocket.toString());
        }
        return builder.start();
    }

    private void writeConfig(Path config, int udpPort, int adminPort, String member) throws IOException {
        Files.writeString(config, String.join("\n",
                "admin:",
                "  listen: 127.0.0.1:" + adminPort,
                "  token-file: " + dir.resolve("admin.token"),
                "services:",
                "  - { name: plain, type: udp, listen: 127.0.0.1, ports: [\"" + udpPort + ":7000\"], pool: p }",
                "pools:",
                "  - { name: p, members: [ { address: " + member + " } ] }",
                ""));
    }

    private static void kill(String signal, Process process) throws Exception {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill %s %d", signal, process.pid()).isZero();
    }

    private static int get(int port, String path) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
