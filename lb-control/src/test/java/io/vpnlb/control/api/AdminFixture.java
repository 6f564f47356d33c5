package io.vpnlb.control.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.config.io.LoadResult;
import io.vpnlb.control.Balancer;

import io.vpnlb.dataplane.testing.FreePorts;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A balancer with the admin API on 127.0.0.1:0, a configuration file and a token file in a temporary directory,
 * and echo members on loopback addresses. One UDP service {@code ikev2} with one listener port (so that a member's
 * port in the file is the port its echo socket has).
 */
final class AdminFixture implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    final Path configFile;
    final Path tokenFile;
    final Map<String, EchoMember> members = new LinkedHashMap<>();
    final int vipPort;
    Balancer balancer;
    String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A member line: address, weight, priority. */
    record Member(String address, int weight, int priority) {
        static Member of(String address) {
            return new Member(address, 100, 1);
        }
    }

    AdminFixture() throws IOException {
        dir = Files.createTempDirectory("vpnlb-admin-");
        configFile = dir.resolve("vpnlb.yaml");
        tokenFile = dir.resolve("admin.token");
        vipPort = FreePorts.udp();
    }

    /** Writes the configuration and starts the balancer on it. */
    AdminFixture start(String algorithm, String idleTimeout, Member... pool) throws Exception {
        write(algorithm, idleTimeout, pool);
        LoadResult loaded = ConfigLoader.load(configFile);
        assertThat(loaded.violations()).isEmpty();
        balancer = Balancer.start(loaded.config(), 2, new Balancer.Options(configFile, true));
        token = Files.readString(tokenFile).strip();
        return this;
    }

    /** Writes the configuration file (starting echo members for new addresses); the balancer is not told. */
    void write(String algorithm, String idleTimeout, Member... pool) throws IOException {
        StringBuilder yaml = new StringBuilder()
                .append("transport: auto\n")
                .append("admin:\n  listen: 127.0.0.1:0\n  token-file: ").append(tokenFile).append('\n')
                .append("services:\n")
                .append("  - name: ike\n    type: udp\n    listen: 127.0.0.1\n")
                .append("    ports: [").append(vipPort).append("]\n")
                .append("    pool: vpn\n    session-idle-timeout: ").append(idleTimeout).append('\n')
                .append("    persistence: { scope: vip, timeout: 10m }\n")
                .append("pools:\n  - name: vpn\n    algorithm: ").append(algorithm).append("\n    members:\n");
        for (Member member : pool) {
            EchoMember echo = members.get(member.address());
            if (echo == null) {
                echo = new EchoMember(member.address());
                members.put(member.address(), echo);
            }
            yaml.append("      - { address: ").append(member.address()).append(", port: ").append(echo.port())
                    .append(", weight: ").append(member.weight()).append(", priority: ").append(member.priority())
                    .append(" }\n");
        }
        Files.writeString(configFile, yaml.toString());
    }

    String base() {
        InetSocketAddress admin = balancer.adminAddress();
        return "http://127.0.0.1:" + admin.getPort();
    }

    InetSocketAddress vip() {
        return new InetSocketAddress("127.0.0.1", vipPort);
    }

    /** An HTTP answer. */
    record Answer(int status, String body, Map<String, List<String>> headers) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return values == null ? null : values.get(0);
        }
    }

    Answer call(String method, String path, String body) throws Exception {
        return call(method, path, body, token);
    }

    Answer call(String method, String path, String body, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = http.send(request.build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Answer(response.statusCode(), response.body(), response.headers().map());
    }

    Answer get(String path) throws Exception {
        return call("GET", path, null);
    }

    /** The state of a member as the API reports it. */
    JsonNode member(String address) throws Exception {
        Answer answer = get("/api/v1/pools/vpn/members/" + address);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    void patch(String address, String body) throws Exception {
        Answer answer = call("PATCH", "/api/v1/pools/vpn/members/" + address, body);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    }

    /** A client socket on its own loopback address. */
    static DatagramSocket client(String address) throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 0));
        socket.setSoTimeout(3_000);
        return socket;
    }

    /** Sends {@code text} and returns the member that answered, or {@code null} after the timeout. */
    static String exchange(DatagramSocket socket, InetSocketAddress to, String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.US_ASCII);
        socket.send(new java.net.DatagramPacket(payload, payload.length, to));
        byte[] buffer = new byte[2048];
        java.net.DatagramPacket reply = new java.net.DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(reply);
        } catch (SocketTimeoutException e) {
            return null;
        }
        String answer = new String(buffer, 0, reply.getLength(), StandardCharsets.US_ASCII);
        assertThat(answer).endsWith("|" + text);
        return answer.substring(0, answer.indexOf('|'));
    }

    /** One exchange from a fresh socket on {@code address}: the member a new session of that client reaches. */
    String newSession(String address, String text) throws IOException {
        try (DatagramSocket socket = client(address)) {
            return exchange(socket, vip(), text);
        }
    }

    static List<String> addresses(String prefix, int from, int count) {
        List<String> addresses = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            addresses.add(prefix + i);
        }
        return addresses;
    }

    @Override
    public void close() throws Exception {
        if (balancer != null) {
            balancer.close();
        }
        for (EchoMember member : members.values()) {
            member.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
