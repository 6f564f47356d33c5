package io.vpnlb.control.api;

import io.vpnlb.config.cert.CertificateFixtures;
import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.config.io.LoadResult;
import io.vpnlb.control.Balancer;
import io.vpnlb.control.reload.ReloadResult;
import io.vpnlb.dataplane.tcp.TcpProxyIT;
import io.vpnlb.dataplane.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Reloads that add, remove and replace services: their listeners are bound and closed live, while a client of a
 * service that stays keeps its session and loses no datagram; a listener that cannot be bound rejects the reload
 * and leaves the running configuration as it was.
 */
class ServiceReloadIT {

    private Path dir;
    private Path configFile;
    private EchoMember member;
    private ServerSocket tcpMember;
    private Thread tcpMemberThread;
    private Balancer balancer;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("vpnlb-service-reload-");
        configFile = dir.resolve("vpnlb.yaml");
        member = new EchoMember("127.0.1.1");
        tcpMember = new ServerSocket(0, 50, InetAddress.getByName("127.0.1.1"));
        tcpMemberThread = new Thread(this::serveTcp, "tcp-echo-member");
        tcpMemberThread.setDaemon(true);
        tcpMemberThread.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (balancer != null) {
            balancer.close();
        }
        member.close();
        tcpMember.close();
        tcpMemberThread.join(5_000);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /** Answers each TCP connection's bytes back, prefixed with "tcp|" once. */
    private void serveTcp() {
        while (!tcpMember.isClosed()) {
            try (Socket socket = tcpMember.accept()) {
                socket.getOutputStream().write("tcp|".getBytes(StandardCharsets.US_ASCII));
                socket.getInputStream().transferTo(socket.getOutputStream());
            } catch (IOException e) {
                if (tcpMember.isClosed()) {
                    return;
                }
            }
        }
    }

    private void write(String services) throws IOException {
        Files.writeString(configFile, "services:\n" + services + String.join("\n",
                "pools:",
                "  - { name: udp-pool, members: [ { address: 127.0.1.1, port: " + member.port() + " } ] }",
                "  - { name: tcp-pool, members: [ { address: 127.0.1.1, port: " + tcpMember.getLocalPort() + " } ] }",
                ""));
    }

    private static String udpService(String name, int port) {
        return "  - { name: " + name + ", type: udp, listen: 127.0.0.1, ports: [" + port + "], pool: udp-pool }\n";
    }

    private static String tcpService(String name, int port) {
        return "  - { name: " + name + ", type: tcp, listen: 127.0.0.1, ports: [" + port + "], pool: tcp-pool }\n";
    }

    private ReloadResult reload() {
        return balancer.reload();
    }

    @Test
    void servicesComeAndGoWhileAStayingClientKeepsItsSession() throws Exception {
        int portA = FreePorts.udp();
        int portB = FreePorts.udp();
        int portT = FreePorts.tcp();
        write(udpService("a", portA));
        LoadResult loaded = ConfigLoader.load(configFile);
        assertThat(loaded.violations()).isEmpty();
        balancer = Balancer.start(loaded.config(), 2, new Balancer.Options(configFile, false));

        InetSocketAddress vipA = new InetSocketAddress("127.0.0.1", portA);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        Thread steady;
        try (DatagramSocket client = AdminFixture.client("127.0.3.1")) {
            assertThat(AdminFixture.exchange(client, vipA, "hello")).isEqualTo("127.0.1.1");
            steady = new Thread(() -> {
                try {
                    while (running.get()) {
                        sent.incrementAndGet();
                        if (AdminFixture.exchange(client, vipA, "steady-" + sent.get()) != null) {
                            answered.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "steady-client");
            steady.start();
            try {
                // Add a UDP and a TCP service.
                write(udpService("a", portA) + udpService("b", portB) + tcpService("t", portT));
                ReloadResult added = reload();
                assertThat(added.outcome()).as(added.toString()).isEqualTo(ReloadResult.Outcome.APPLIED);
                assertThat(added.changes()).contains("service b added (udp on 127.0.0.1 ports [" + portB + "])",
                        "service t added (tcp on 127.0.0.1 ports [" + portT + "])");
                try (DatagramSocket other = AdminFixture.client("127.0.3.2")) {
                    assertThat(AdminFixture.exchange(other, new InetSocketAddress("127.0.0.1", portB), "to-b"))
                            .isEqualTo("127.0.1.1");
                }
                assertThat(tcpEcho(portT, "ping")).isEqualTo("tcp|ping");
                assertThat(balancer.metrics().scrape())
                        .contains("vpnlb_listener_rx_datagrams_total{listener=\"b/" + portB + "\",service=\"b\"}")
                        .contains("vpnlb_tcp_connections_accepted_total{listener=\"t/" + portT + "\",service=\"t\"}");

                // Remove them again.
                write(udpService("a", portA));
                ReloadResult removed = reload();
                assertThat(removed.outcome()).as(removed.toString()).isEqualTo(ReloadResult.Outcome.APPLIED);
                try (DatagramSocket other = AdminFixture.client("127.0.3.3")) {
                    other.setSoTimeout(1_000);
                    assertThat(AdminFixture.exchange(other, new InetSocketAddress("127.0.0.1", portB), "gone"))
                            .isNull();
                }
                assertThatThrownBy(() -> tcpEcho(portT, "gone")).isInstanceOf(ConnectException.class);
                assertThat(balancer.metrics().scrape()).doesNotContain("service=\"b\"").doesNotContain("service=\"t\"");

                // A listener that cannot be bound rejects the reload and changes nothing.
                try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                    int taken = squatter.getLocalPort();
                    write(udpService("a", portA) + udpService("c", taken));
                    ReloadResult refused = reload();
                    assertThat(refused.outcome()).isEqualTo(ReloadResult.Outcome.REJECTED);
                    assertThat(refused.violations()).singleElement().asString()
                            .startsWith("services[c]: service c: cannot bind UDP 127.0.0.1:" + taken + ": ");
                    assertThat(balancer.pools().snapshot().service("c")).isNull();
                    assertThat(balancer.pools().config().services()).extracting(s -> s.name()).containsExactly("a");
                }
            } finally {
                running.set(false);
                steady.join(10_000);
            }
            assertThat(sent.get()).isGreaterThan(10);
            assertThat(answered.get()).isEqualTo(sent.get());
            // The staying client kept its one session through every reload.
            assertThat(balancer.metrics().scrape()).contains(
                    "vpnlb_sessions_opened_total{listener=\"a/" + portA + "\",service=\"a\"} 1.0");
        }

        // Replacing a service (another port) closes the old listener and binds the new one.
        int portA2 = FreePorts.udp();
        write(udpService("a", portA2));
        ReloadResult replaced = reload();
        assertThat(replaced.outcome()).as(replaced.toString()).isEqualTo(ReloadResult.Outcome.APPLIED);
        assertThat(replaced.changes()).first().asString().startsWith("service a replaced (ports [" + portA + "] -> ["
                + portA2 + "])");
        try (DatagramSocket client = AdminFixture.client("127.0.3.4")) {
            assertThat(AdminFixture.exchange(client, new InetSocketAddress("127.0.0.1", portA2), "moved"))
                    .isEqualTo("127.0.1.1");
            client.setSoTimeout(1_000);
            assertThat(AdminFixture.exchange(client, vipA, "old-port")).isNull();
        }
    }

    @Test
    void aReloadWhoseCertificateDoesNotLoadKeepsTheRunningTlsListenerAndItsConnections() throws Exception {
        CertificateFixtures.Chain chain = CertificateFixtures.chain("vpn.test");
        Path pfx = CertificateFixtures.write(dir, "vpn.pfx",
                CertificateFixtures.pkcs12(chain.leaf(), chain.certificates(), "right-pass"));
        Path right = CertificateFixtures.write(dir, "right.pass", "right-pass\n");
        Path wrong = CertificateFixtures.write(dir, "wrong.pass", "wrong-pass\n");
        int port = FreePorts.tcp();
        write(tlsService(port, pfx, right));
        LoadResult loaded = ConfigLoader.load(configFile);
        assertThat(loaded.violations()).isEmpty();
        balancer = Balancer.start(loaded.config(), 2, new Balancer.Options(configFile, false));

        try (SSLSocket socket = (SSLSocket) TcpProxyIT.trustAll().getSocketFactory()
                .createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            assertThat(roundTrip(socket, "one")).isEqualTo("tcp|one");

            write(tlsService(port, pfx, wrong));
            ReloadResult refused = reload();
            assertThat(refused.outcome()).isEqualTo(ReloadResult.Outcome.REJECTED);
            assertThat(refused.violations()).singleElement().asString()
                    .startsWith("services[t]: service t: tls.certificate: " + pfx + ": wrong password")
                    .doesNotContain("right-pass", "wrong-pass");
            assertThat(roundTrip(socket, "two")).as("the connection opened before the rejected reload")
                    .isEqualTo("two");
        }
        assertThat(balancer.metrics().scrape())
                .contains("vpnlb_tcp_connections_accepted_total{listener=\"t/" + port + "\",service=\"t\"} 1.0");
    }

    private static String tlsService(int port, Path pfx, Path passwordFile) {
        return "  - { name: t, type: tcp, listen: 127.0.0.1, ports: [" + port + "], pool: tcp-pool,\n"
                + "      tls: { mode: terminate, certificate: " + pfx + ", password-file: " + passwordFile + " } }\n";
    }

    /** Writes {@code text} and reads until as many bytes as expected came back (the member's prefix once). */
    private static String roundTrip(SSLSocket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        StringBuilder got = new StringBuilder();
        byte[] buffer = new byte[256];
        while (!got.toString().endsWith(text)) {
            int n = in.read(buffer);
            if (n < 0) {
                throw new IOException("closed by the balancer after '" + got + "'");
            }
            got.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
        }
        return got.toString();
    }

    private static String tcpEcho(int port, String text) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 3_000);
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(text.getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
