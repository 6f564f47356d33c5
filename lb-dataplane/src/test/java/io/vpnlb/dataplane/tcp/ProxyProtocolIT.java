package io.vpnlb.dataplane.tcp;

import io.vpnlb.config.ClientAuth;
import io.vpnlb.config.ProxyProtocol;
import io.vpnlb.config.ServiceType;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.TlsMode;
import io.vpnlb.config.cert.CertificateFixtures;
import io.vpnlb.dataplane.testing.FreePorts;
import io.vpnlb.dataplane.transport.NetTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * PROXY protocol v2 toward members (pool {@code proxy-protocol: v2}) in every mode, against nginx listening with
 * {@code proxy_protocol} (a real PROXY-aware member): nginx answers with the client address and port and the VIP
 * address and port it read from the header. The client connects from 127.0.0.2 while vpnlb reaches the member
 * from 127.0.0.1, so the answer can only name the client through the header.
 */
class ProxyProtocolIT {

    private static final InetAddress CLIENT_ADDRESS = address("127.0.0.2");
    private static final Duration IDLE = Duration.ofMinutes(1);

    @TempDir
    static Path dir;
    private static Path certificate;
    private static PeerProcess nginx;
    private static int plainPort;
    private static int tlsPort;

    static List<NetTransport> transports() {
        return NetTransport.available();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void startNginx() throws Exception {
        assumeTrue(SstpTerminateIT.onPath("nginx"), "nginx is not installed (Debian package nginx)");
        certificate = CertificateFixtures.pemFile(dir, "vpn.pem", CertificateFixtures.chain("vpn.test"));
        plainPort = FreePorts.tcp();
        tlsPort = FreePorts.tcp();
        String answer = "return 200 \"client=$proxy_protocol_addr:$proxy_protocol_port "
                + "vip=$proxy_protocol_server_addr:$proxy_protocol_server_port\\n\";";
        String config = String.join("\n",
                "daemon off;",
                "master_process off;",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log stderr info;",
                "events { worker_connections 64; }",
                "http {",
                "  access_log off;",
                "  client_body_temp_path " + dir.resolve("body") + ";",
                "  proxy_temp_path " + dir.resolve("proxy") + ";",
                "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
                "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
                "  scgi_temp_path " + dir.resolve("scgi") + ";",
                "  server { listen 127.0.0.1:" + plainPort + " proxy_protocol; location / { " + answer + " } }",
                "  server {",
                "    listen 127.0.0.1:" + tlsPort + " ssl proxy_protocol;",
                "    ssl_certificate " + certificate + ";",
                "    ssl_certificate_key " + certificate + ";",
                "    location / { " + answer + " }",
                "  }",
                "}", "");
        Path file = Files.writeString(dir.resolve("nginx.conf"), config);
        nginx = PeerProcess.start(plainPort, List.of("nginx", "-p", dir.toString(), "-c", file.toString()));
    }

    @AfterAll
    static void stopNginx() {
        if (nginx != null) {
            nginx.close();
        }
    }

    /** GET / through vpnlb from {@link #CLIENT_ADDRESS}; returns the local port used and the answer's body. */
    private static List<String> get(InetSocketAddress vip, boolean tls) throws Exception {
        Socket socket;
        if (tls) {
            SSLContext context = TcpProxyIT.trustAll();
            socket = context.getSocketFactory().createSocket(vip.getAddress(), vip.getPort(), CLIENT_ADDRESS, 0);
        } else {
            socket = new Socket(vip.getAddress(), vip.getPort(), CLIENT_ADDRESS, 0);
        }
        try (socket) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET / HTTP/1.0\r\nHost: vpn.test\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            List<String> result = new ArrayList<>();
            result.add(Integer.toString(socket.getLocalPort()));
            result.add(response.substring(response.indexOf("\r\n\r\n") + 4).trim());
            return result;
        }
    }

    private void assertMemberSeesTheClient(NetTransport transport, TlsConfig tls, int memberPort, boolean clientTls)
            throws Exception {
        try (TcpFixture lb = new TcpFixture(transport, tls == null ? ServiceType.TCP : ServiceType.IP_HTTPS, tls,
                IDLE, new int[] {memberPort}, 1000, ProxyProtocol.V2)) {
            List<String> portAndBody = get(lb.address(), clientTls);
            assertThat(portAndBody.get(1)).as("nginx output:%n%s", nginx.output())
                    .isEqualTo("client=127.0.0.2:" + portAndBody.get(0) + " vip=127.0.0.1:" + lb.address().getPort());
            assertThat(lb.counters().opened()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void plainTcp(NetTransport transport) throws Exception {
        assertMemberSeesTheClient(transport, null, plainPort, false);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void tlsTerminatedToAPlainMember(NetTransport transport) throws Exception {
        assertMemberSeesTheClient(transport, new TlsConfig(TlsMode.TERMINATE, certificate.toString(), null,
                ClientAuth.NONE, null, null), plainPort, true);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void tlsPassedThroughAfterTheHeader(NetTransport transport) throws Exception {
        assertMemberSeesTheClient(transport, new TlsConfig(TlsMode.PASSTHROUGH, null, null), tlsPort, true);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void memberTlsHandshakeAfterTheHeader(NetTransport transport) throws Exception {
        assertMemberSeesTheClient(transport, new TlsConfig(TlsMode.REENCRYPT, certificate.toString(), null,
                ClientAuth.NONE, null, null), tlsPort, true);
    }
}
