package io.vpnlb.control.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vpnlb.dataplane.testing.FreePorts;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code vpnlb run} under an open-files limit of 512 ({@code ulimit -n} in the shell that starts it) with more
 * clients than that limit allows sessions: it warns at start, refuses new sessions once only the reserve of 256
 * descriptors is left (counted as {@code fd_reserve}, never failing with EMFILE), and its admin API keeps
 * answering, many connections at once, and reloads.
 */
class OpenFilesReserveIT {

    private static final int LIMIT = 512;
    private static final int RESERVE = 256;
    private static final int CLIENTS = 400;
    private static final int BATCH = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process vpnlb;
    private DatagramSocket member;
    private int adminPort;
    private String token;

    @AfterEach
    void stop() throws Exception {
        if (vpnlb != null) {
            vpnlb.destroy();
            if (!vpnlb.waitFor(30, TimeUnit.SECONDS)) {
                vpnlb.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (member != null) {
            member.close();
        }
    }

    @Test
    void atTheReserveNewSessionsAreRefusedAndTheAdminApiKeepsWorking() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")) && Files.isExecutable(Path.of("/bin/bash")),
                "Linux with bash");
        member = new DatagramSocket(new InetSocketAddress("127.0.1.1", 0));
        int udpPort = FreePorts.udp();
        adminPort = FreePorts.tcp();
        Path config = dir.resolve("vpnlb.yaml");
        Files.writeString(config, String.join("\n",
                "admin:",
                "  listen: 127.0.0.1:" + adminPort,
                "  token-file: " + dir.resolve("admin.token"),
                "services:",
                "  - name: plain",
                "    type: udp",
                "    listen: 127.0.0.1",
                "    ports: [\"" + udpPort + ":" + member.getLocalPort() + "\"]",
                "    pool: p",
                "    session-idle-timeout: 10m",
                "    max-sessions: 100000",
                "pools:",
                "  - { name: p, members: [ { address: 127.0.1.1 } ] }",
                ""));
        start(config);
        assertThat(Files.readString(Path.of("/proc/" + vpnlb.pid() + "/limits")))
                .containsPattern("Max open files +" + LIMIT + " +" + LIMIT + " ");
        assertThat(Files.readString(dir.resolve("vpnlb.err")))
                .contains("open files limit " + LIMIT + " is below what max-sessions allow: 100000 UDP sessions");

        // One first datagram from each of 400 sources; every one is received (batches well below the socket's
        // receive buffer, each awaited), so each either opened a session or was refused.
        InetSocketAddress vip = new InetSocketAddress("127.0.0.1", udpPort);
        byte[] payload = "hello".getBytes(StandardCharsets.US_ASCII);
        for (int sent = 0; sent < CLIENTS; ) {
            for (int end = sent + BATCH; sent < end; sent++) {
                InetAddress source = InetAddress.getByAddress(new byte[] {127, 0, (byte) (6 + sent / 200),
                        (byte) (1 + sent % 200)});
                try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(source, 0))) {
                    client.send(new DatagramPacket(payload, payload.length, vip));
                }
            }
            long expected = sent;
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> listener().path("rx_datagrams").asLong() == expected);
        }

        JsonNode listener = listener();
        long opened = listener.path("sessions_created").asLong();
        long refused = listener.path("drops").path("fd_reserve").asLong();
        assertThat(opened + refused).isEqualTo(CLIENTS);
        assertThat(refused).as("sessions refused at the reserve").isPositive();
        assertThat(opened).as("sessions opened below it").isGreaterThan(100);
        assertThat(listener.path("drops").path("upstream_failed").asLong()).as("EMFILE").isZero();
        assertThat(listener.path("sessions_active").asLong()).isEqualTo(opened);
        assertThat(Files.readString(dir.resolve("vpnlb.err")))
                .contains("new sessions are refused to keep " + RESERVE + " free for the admin API");
        assertThat(get("/metrics").body()).contains("vpnlb_drops_total{listener=\"plain/" + udpPort
                + "\",reason=\"fd_reserve\",service=\"plain\"} " + refused + ".0");
        long open;
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + vpnlb.pid() + "/fd"))) {
            open = fds.count();
        }
        // About the reserve is free; the few more in use are this test's admin connections since the last count.
        assertThat(LIMIT - open).as("free descriptors (%d open)", open).isBetween(RESERVE - 8L, RESERVE + 1L);

        // 100 admin connections at once, each answered, then a reload (which reads the file) and a new client
        // that is still refused.
        List<Socket> connections = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                Socket socket = new Socket("127.0.0.1", adminPort);
                socket.setSoTimeout(10_000);
                connections.add(socket);
            }
            for (Socket socket : connections) {
                OutputStream out = socket.getOutputStream();
                out.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            for (Socket socket : connections) {
                assertThat(statusLine(socket.getInputStream())).startsWith("HTTP/1.1 200");
            }
        } finally {
            for (Socket socket : connections) {
                socket.close();
            }
        }
        HttpResponse<String> reload = http.send(authorized("/api/v1/reload")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
        assertThat(JSON.readTree(reload.body()).path("result").asText()).isEqualTo("unchanged");
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
    }

    private void start(Path config) throws Exception {
        Path jar = Path.of(System.getProperty("basedir", ".")).resolve("target/vpnlb.jar").toAbsolutePath();
        assertThat(jar).as("vpnlb.jar (built by the package phase: mvn verify)").isRegularFile();
        String java = ProcessHandle.current().info().command().orElse("java");
        // ulimit -n sets the soft and the hard limit, so the JVM cannot raise its soft limit to a higher hard one.
        vpnlb = new ProcessBuilder("/bin/bash", "-c", "ulimit -n " + LIMIT + " && exec \"$@\"", "vpnlb", java,
                "-jar", jar.toString(), "run", "--config", config.toString(), "--event-loops", "1")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve("vpnlb.out").toFile())
                .redirectError(dir.resolve("vpnlb.err").toFile())
                .start();
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> get("/readyz").statusCode() == 200);
        token = Files.readString(dir.resolve("admin.token")).strip();
    }

    private JsonNode listener() throws Exception {
        HttpResponse<String> answer = http.send(authorized("/api/v1/services").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body()).path("services").get(0).path("listeners").get(0);
    }

    private HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token);
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .timeout(Duration.ofSeconds(10)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != -1 && b != '\n'; ) {
            line.append((char) b);
        }
        return line.toString().strip();
    }
}
