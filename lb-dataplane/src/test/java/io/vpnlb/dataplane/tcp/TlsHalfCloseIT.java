package io.vpnlb.dataplane.tcp;

import io.vpnlb.config.ServiceType;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.TlsMode;
import io.vpnlb.config.cert.CertificateFixtures;
import io.vpnlb.dataplane.transport.NetTransport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * tls.mode terminate on a plain tcp service: the client's close_notify becomes a FIN toward the member, and the
 * member's FIN becomes close_notify then FIN toward the client, with the member's last bytes delivered first.
 */
class TlsHalfCloseIT {

    @TempDir
    Path dir;

    static List<NetTransport> transports() {
        return NetTransport.available();
    }

    @ParameterizedTest
    @MethodSource("transports")
    void clientCloseNotifyBecomesAFinTowardTheMember(NetTransport transport) throws Exception {
        Path pem = CertificateFixtures.pemFile(dir, "vpn.pem", CertificateFixtures.chain("vpn.test"));
        try (BlockingMember member = BlockingMember.echo("a");
             TcpFixture lb = new TcpFixture(transport, ServiceType.TCP,
                     new TlsConfig(TlsMode.TERMINATE, pem.toString(), null), Duration.ofMinutes(1),
                     new int[] {member.port()})) {
            for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
                try (SSLSocket socket = client(lb.address(), protocol)) {
                    socket.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    assertThat(new String(socket.getInputStream().readNBytes(5), StandardCharsets.US_ASCII))
                            .isEqualTo("hello");
                    assertThat(socket.getSession().getProtocol()).isEqualTo(protocol);
                    socket.shutdownOutput(); // close_notify
                    // vpnlb answers with close_notify; what the member says after the client's close is discarded.
                    socket.getInputStream().readAllBytes();
                }
            }
            await().untilAsserted(() -> {
                assertThat(member.eofs.get()).isEqualTo(2);
                TcpCounters counters = lb.counters();
                assertThat(counters.closed()).isEqualTo(2);
                assertThat(counters.clientHalfCloses()).isEqualTo(2);
                assertThat(lb.members.get(0).stats().activeSessions()).isZero();
            });
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void memberFinBecomesCloseNotifyAfterItsLastBytes(NetTransport transport) throws Exception {
        Path pem = CertificateFixtures.pemFile(dir, "vpn.pem", CertificateFixtures.chain("vpn.test"));
        try (BlockingMember member = new BlockingMember("first", (socket, self) -> {
                socket.getOutputStream().write("last-words".getBytes(StandardCharsets.US_ASCII));
                socket.shutdownOutput();
                socket.getInputStream().readAllBytes();
            });
             TcpFixture lb = new TcpFixture(transport, ServiceType.TCP,
                     new TlsConfig(TlsMode.TERMINATE, pem.toString(), null), Duration.ofMinutes(1),
                     new int[] {member.port()})) {
            try (SSLSocket socket = client(lb.address(), "TLSv1.3")) {
                socket.getOutputStream().write('x'); // the member connection opens on the first plaintext
                socket.getOutputStream().flush();
                assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("last-words");
            }
            await().untilAsserted(() -> {
                TcpCounters counters = lb.counters();
                assertThat(counters.memberHalfCloses()).isEqualTo(1);
                assertThat(counters.closed()).isEqualTo(1);
            });
        }
    }

    private static SSLSocket client(InetSocketAddress address, String protocol) throws Exception {
        SSLSocket socket = (SSLSocket) TcpProxyIT.trustAll().getSocketFactory()
                .createSocket(address.getAddress(), address.getPort());
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setProtocols(new String[] {protocol});
        socket.setSSLParameters(parameters);
        return socket;
    }
}
