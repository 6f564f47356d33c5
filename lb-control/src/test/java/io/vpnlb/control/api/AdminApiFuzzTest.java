package io.vpnlb.control.api;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.config.io.LoadResult;
import io.vpnlb.control.Balancer;
import io.vpnlb.control.reload.ConfigReloader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the admin API's request handling: the same handlers as a real admin connection
 * ({@link AdminServer#initPipeline}: HTTP codec, expect-continue, aggregation, {@link AdminApi}) in an
 * {@link EmbeddedChannel}, over a running balancer with one UDP service and pool {@code vpn}. Seeds: requests as
 * curl sends them for every endpoint (PATCH member with admin_state and weight, reload, persistence queries and
 * deletes, reads), in {@code AdminApiFuzzTestInputs/}.
 *
 * <p>Input: byte 0 bit 0 clear = the rest is raw HTTP bytes; set = byte 1 picks the method, byte 2 the endpoint,
 * and the rest is the JSON body of a well-formed authorized request (so the fuzzer works on bodies). Every answer
 * is well-formed HTTP, never a 5xx, and every 4xx carries a JSON object with an {@code error}; no exception escapes
 * and every buffer is released.
 */
class AdminApiFuzzTest {

    static final String TOKEN = "fuzz-token-0123456789";
    private static final String[] METHODS = {"GET", "PATCH", "POST", "DELETE", "PUT", "HEAD", "OPTIONS"};
    private static final String[] PATHS = {
        "/api/v1/pools/vpn/members/127.0.0.2", "/api/v1/pools/vpn/members/127.0.0.3:500", "/api/v1/reload",
        "/api/v1/persistence?client=10.0.0.1", "/api/v1/persistence?member=127.0.0.2", "/api/v1/persistence?all=true",
        "/api/v1/services", "/api/v1/pools", "/api/v1/pools/vpn/members", "/api/v1/certificates", "/healthz",
        "/readyz", "/api/v1/pools/none/members/10.9.9.9", "/api/v1/openapi.json", "/"};
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path dir;
    private static Balancer balancer;
    private static AdminApi api;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("vpnlb-admin-fuzz-");
        Path config = dir.resolve("vpnlb.yaml");
        int port;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            port = socket.getLocalPort();
        }
        Files.writeString(config, "admin:\n  listen: 127.0.0.1:0\n  token-file: " + dir.resolve("token") + "\n"
                + "services:\n  - { name: ike, type: udp, listen: 127.0.0.1, ports: [" + port + "], pool: vpn }\n"
                + "pools:\n  - name: vpn\n    members:\n"
                + "      - { address: 127.0.0.2, port: 500 }\n      - { address: 127.0.0.3, port: 500 }\n");
        LoadResult loaded = ConfigLoader.load(config);
        assertThat(loaded.violations()).isEmpty();
        balancer = Balancer.start(loaded.config(), 1, new Balancer.Options(config, false));
        api = new AdminApi(balancer.pools(), balancer.udp(), balancer.tcp(), balancer.metrics(),
                new ConfigReloader(balancer.pools(), config, result -> { }), AdminToken.of(TOKEN));
    }

    @AfterAll
    static void stop() throws IOException {
        if (balancer != null) {
            balancer.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @FuzzTest(maxDuration = "20s")
    @Timeout(10)
    void answer(byte[] input) throws IOException {
        byte[] request = request(input);
        EmbeddedChannel channel = new EmbeddedChannel();
        AdminServer.initPipeline(channel.pipeline(), api);
        ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(request.length, 1));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            in.writeBytes(request);
            channel.writeInbound(in.retain());
            for (ByteBuf answer; (answer = channel.readOutbound()) != null; ) {
                answer.readBytes(out, answer.readableBytes());
                answer.release();
            }
            channel.checkException();
        } finally {
            channel.finishAndReleaseAll();
            in.release();
        }
        assertThat(in.refCnt()).as("request buffer released").isZero();
        checkAnswers(out.toByteArray());
    }

    private static byte[] request(byte[] input) {
        if (input.length < 3 || (input[0] & 1) == 0) {
            return input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length);
        }
        String method = METHODS[Math.floorMod(input[1], METHODS.length)];
        String path = PATHS[Math.floorMod(input[2], PATHS.length)];
        byte[] body = Arrays.copyOfRange(input, 3, input.length);
        byte[] head = (method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\n"
                + "Accept: */*\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] whole = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, whole, head.length, body.length);
        return whole;
    }

    /** Splits the bytes written back into HTTP responses and checks each. */
    private static void checkAnswers(byte[] bytes) throws IOException {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int p = 0;
        while (p < text.length()) {
            int headEnd = text.indexOf("\r\n\r\n", p);
            assertThat(headEnd).as("a complete response head in %s", text.substring(p)).isPositive();
            String[] lines = text.substring(p, headEnd).split("\r\n");
            assertThat(lines[0]).matches("HTTP/1\\.[01] \\d{3} .*");
            int status = Integer.parseInt(lines[0].substring(9, 12));
            int length = 0;
            String contentType = "";
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i].toLowerCase(Locale.ROOT);
                if (line.startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).strip());
                } else if (line.startsWith("content-type:")) {
                    contentType = line.substring(13).strip();
                }
            }
            int bodyStart = headEnd + 4;
            // The answer to a HEAD request has its Content-Length but no body (the HTTP codec leaves it out).
            boolean head = length > 0 && (bodyStart == text.length() || text.startsWith("HTTP/1.", bodyStart));
            if (head) {
                length = 0;
            }
            assertThat(bodyStart + length).as("Content-Length %d of %s", length, text)
                    .isLessThanOrEqualTo(text.length());
            String body = text.substring(bodyStart, bodyStart + length);
            assertThat(status).as("%s %s", lines[0], body).isLessThan(500);
            if (status >= 400 && !head) {
                assertThat(contentType).as("%s %s", lines[0], body).startsWith("application/json");
                JsonNode error = JSON.readTree(body.getBytes(StandardCharsets.ISO_8859_1));
                assertThat(error.path("error").isTextual()).as("%s %s", lines[0], body).isTrue();
            }
            p = bodyStart + length;
        }
    }
}
