package io.vpnlb.dataplane.tcp;

import io.vpnlb.config.ClientAuth;
import io.vpnlb.config.ServiceType;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.TlsMode;
import io.vpnlb.config.Transport;
import io.vpnlb.config.cert.CertificateFixtures;
import io.vpnlb.dataplane.transport.NetTransport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLServerSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * TLS-session persistence where vpnlb ends the client's TLS: openssl s_client saves a session from one loopback
 * address and resumes it from another; the resumed connection reaches the member of the original one (each member
 * answers with its name) although the fixture's router sends every new session to the next member in turn.
 */
class TlsSessionPersistenceIT {

    private static final Pattern MEMBER = Pattern.compile("member=(m[0-9])");

    @TempDir
    static Path dir;
    private static Path certificate;
    private static CertificateFixtures.Chain chain;

    @BeforeAll
    static void certificate() {
        assumeTrue(SstpTerminateIT.onPath("openssl"), "openssl is not installed (Debian package openssl)");
        chain = CertificateFixtures.chain("vpn.test");
        certificate = CertificateFixtures.pemFile(dir, "vpn.pem", chain);
    }

    static Stream<Arguments> modes() {
        List<Arguments> arguments = new ArrayList<>();
        for (NetTransport transport : NetTransport.available()) {
            arguments.add(Arguments.of(transport, TlsMode.TERMINATE));
            arguments.add(Arguments.of(transport, TlsMode.REENCRYPT));
        }
        return arguments.stream();
    }

    /**
     * Members m0, m1, m2 (plain for terminate, TLS for reencrypt): each reads the client's first bytes, answers
     * {@code member=NAME} and closes.
     */
    private static final class Members implements AutoCloseable {

        private final List<BlockingMember> list = new ArrayList<>();

        Members(TlsMode mode) throws Exception {
            for (int i = 0; i < 3; i++) {
                String name = "m" + i;
                ServerSocket server;
                if (mode == TlsMode.REENCRYPT) {
                    server = TcpProxyIT.serverContext(chain.leaf()).getServerSocketFactory()
                            .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
                    ((SSLServerSocket) server).setEnabledProtocols(new String[] {"TLSv1.2"});
                } else {
                    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                }
                list.add(new BlockingMember(name, server, (socket, member) -> {
                    InputStream in = socket.getInputStream();
                    OutputStream out = socket.getOutputStream();
                    if (in.read(new byte[1024]) > 0) {
                        out.write(("member=" + name + "\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                }));
            }
        }

        /** An ip-https service in {@code mode} in front of these members. */
        TcpFixture behind(NetTransport transport, TlsMode mode, Duration persistence) {
            TlsConfig tls = new TlsConfig(mode, certificate.toString(), null, ClientAuth.NONE, null, null,
                    persistence, false);
            return new TcpFixture(transport, ServiceType.IP_HTTPS, tls, Duration.ofMinutes(1),
                    list.stream().mapToInt(BlockingMember::port).toArray());
        }

        @Override
        public void close() throws IOException {
            for (BlockingMember member : list) {
                member.close();
            }
        }
    }

    /**
     * One openssl s_client connection from {@code source} that says hello and prints what comes back. The option
     * {@code -ticket} stands for s_client's default, offering a session ticket.
     */
    private static String sClient(TcpFixture lb, String source, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect",
                "127.0.0.1:" + lb.address().getPort(), "-bind", source, "-servername", "vpn.test", "-ign_eof"));
        for (String option : options) {
            if (!option.equals("-ticket")) {
                command.add(option);
            }
        }
        return PeerProcess.run(command, "hello\n", true);
    }

    private static String member(String output) {
        Matcher matcher = MEMBER.matcher(output);
        assertThat(matcher.find()).as("a member answered:%n%s", output).isTrue();
        return matcher.group(1);
    }

    @ParameterizedTest
    @MethodSource("modes")
    void aResumedSessionReachesItsMemberFromAnotherAddress(NetTransport transport, TlsMode mode) throws Exception {
        try (Members members = new Members(mode); TcpFixture lb = members.behind(transport, mode, null)) {
            for (String tickets : List.of("-no_ticket", "-ticket")) {
                // With -no_ticket the client resumes by session ID only; otherwise it also offers a session
                // ticket, which vpnlb does not issue (a session resumed from a ticket would lose its member).
                Path session = dir.resolve("session-" + transport.displayName() + mode + tickets + ".pem");
                String first = sClient(lb, "127.0.0.2", "-tls1_2", tickets, "-sess_out", session.toString());
                assertThat(first).contains("New, TLSv1.2");
                String original = member(first);

                String resumed = sClient(lb, "127.0.0.3", "-tls1_2", tickets, "-sess_in", session.toString());
                assertThat(resumed).contains("Reused, TLSv1.2");
                assertThat(member(resumed)).as("the resumed session's member").isEqualTo(original);

                String fresh = sClient(lb, "127.0.0.3", "-tls1_2", tickets);
                assertThat(fresh).contains("New, TLSv1.2");
                assertThat(member(fresh)).as("a new session goes where the router says").isNotEqualTo(original);
            }
            assertThat(lb.counters().tlsSessionRoutes()).isEqualTo(2);
        }
    }

    @Test
    void zeroTurnsItOff() throws Exception {
        try (Members members = new Members(TlsMode.TERMINATE);
             TcpFixture lb = members.behind(NetTransport.resolve(Transport.AUTO), TlsMode.TERMINATE,
                     Duration.ZERO)) {
            Path session = dir.resolve("session-off.pem");
            String first = sClient(lb, "127.0.0.2", "-tls1_2", "-sess_out", session.toString());
            String resumed = sClient(lb, "127.0.0.3", "-tls1_2", "-sess_in", session.toString());
            assertThat(resumed).contains("Reused, TLSv1.2");
            assertThat(member(resumed)).as("the router's next member").isNotEqualTo(member(first));
            assertThat(lb.counters().tlsSessionRoutes()).isZero();
        }
    }

    @Test
    void tls13SessionsAreNeverResumedOnAnotherMember() throws Exception {
        try (Members members = new Members(TlsMode.TERMINATE);
             TcpFixture lb = members.behind(NetTransport.resolve(Transport.AUTO), TlsMode.TERMINATE, null)) {
            Path session = dir.resolve("session-tls13.pem");
            String first = sClient(lb, "127.0.0.2", "-tls1_3", "-sess_out", session.toString());
            assertThat(first).contains("New, TLSv1.3");
            if (TlsContexts.provider() == io.netty.handler.ssl.SslProvider.OPENSSL) {
                // BoringSSL resumes TLS 1.3 from tickets only, and vpnlb issues none: nothing to resume.
                assertThat(session).as("a resumable TLS 1.3 session").doesNotExist();
            } else {
                String resumed = sClient(lb, "127.0.0.3", "-tls1_3", "-sess_in", session.toString());
                assertThat(resumed).contains("Reused, TLSv1.3");
                assertThat(member(resumed)).isEqualTo(member(first));
            }
        }
    }
}
