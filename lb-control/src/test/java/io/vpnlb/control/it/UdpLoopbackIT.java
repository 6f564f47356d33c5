package io.vpnlb.control.it;

import io.netty.channel.Channel;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.Transport;
import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.config.io.LoadResult;
import io.vpnlb.control.Balancer;
import io.vpnlb.dataplane.testing.FreePorts;
import io.vpnlb.dataplane.transport.NetTransport;
import io.vpnlb.dataplane.udp.UdpListenerGroup;
import io.vpnlb.dataplane.udp.UdpListenerHandler;
import io.vpnlb.dataplane.udp.UdpSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The balancer on loopback with three UDP members, over every transport this machine has: cross-port
 * affinity for 200 clients from distinct addresses, a fair spread, idle expiry and large datagrams.
 */
class UdpLoopbackIT {

    private static final int CLIENTS = 200;
    private static final String[] MEMBER_ADDRESSES = {"127.0.1.1", "127.0.1.2", "127.0.1.3"};

    private final List<TestMember> members = new ArrayList<>();
    private Balancer balancer;
    private int ikePort;
    private int natTPort;

    static List<NetTransport> transports() {
        return NetTransport.available();
    }

    @AfterEach
    void tearDown() {
        if (balancer != null) {
            balancer.close();
        }
        members.forEach(TestMember::close);
    }

    private void start(NetTransport transport, String idleTimeout) throws Exception {
        int[] memberPorts = bindMembers();
        ikePort = FreePorts.udp();
        natTPort = FreePorts.udp();
        String yaml = String.join("\n",
                "transport: " + transport.displayName(),
                "services:",
                "  - name: ikev2",
                "    type: ikev2",
                "    listen: 127.0.0.1",
                "    ports: [\"" + ikePort + ":" + memberPorts[0] + "\", \"" + natTPort + ":" + memberPorts[1] + "\"]",
                "    pool: vpn",
                "    session-idle-timeout: " + idleTimeout,
                "pools:",
                "  - name: vpn",
                "    algorithm: maglev",
                "    members:",
                "      - { address: 127.0.1.1 }",
                "      - { address: 127.0.1.2 }",
                "      - { address: 127.0.1.3 }",
                "");
        LoadResult loaded = ConfigLoader.parse(yaml, "UdpLoopbackIT");
        assertThat(loaded.violations()).isEmpty();
        LbConfig config = loaded.config();
        assertThat(config.transport()).isEqualTo(Transport.fromConfigName(transport.displayName()));
        balancer = Balancer.start(config, 2);
        assertThat(balancer.transport()).isEqualTo(transport);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void everyClientKeepsBothPortsOnOneMemberAndTheSpreadIsFair(NetTransport transport) throws Exception {
        start(transport, "5m");
        InetAddress vip = InetAddress.getByName("127.0.0.1");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        Map<String, Integer> spread = new HashMap<>();
        try {
            List<Future<String[]>> results = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                InetAddress source = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)});
                long spi = 0x5000_0000_0000_0000L + i;
                results.add(pool.submit(() -> {
                    String ike = memberOf(exchange(source, new InetSocketAddress(vip, ikePort), ikeSaInit(spi, false)));
                    String natT = memberOf(exchange(source, new InetSocketAddress(vip, natTPort), esp(spi)));
                    return new String[] {source.getHostAddress(), ike, natT};
                }));
            }
            for (Future<String[]> result : results) {
                String[] r = result.get(30, TimeUnit.SECONDS);
                assertThat(r[2]).as("NAT-T member of client %s", r[0]).isEqualTo(r[1]);
                spread.merge(r[1], 1, Integer::sum);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(spread).containsOnlyKeys(MEMBER_ADDRESSES);
        double fair = CLIENTS / 3.0;
        assertThat(spread.values()).allSatisfy(count ->
                assertThat((double) count).isBetween(fair * 0.8, fair * 1.2));
        assertThat(totalSessions()).isEqualTo(2 * CLIENTS);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void largeDatagramsPassIntactBothWays(NetTransport transport) throws Exception {
        start(transport, "5m");
        InetAddress source = InetAddress.getByName("127.0.0.250");
        InetSocketAddress natT = new InetSocketAddress("127.0.0.1", natTPort);
        try (DatagramSocket socket = clientSocket(source)) {
            for (int size : new int[] {9_000, 65_000, 65_507}) {
                // The member answers with length and digest; the payload is an ESP datagram of that size.
                byte[] payload = TestMember.bigPayload(size);
                String answer = send(socket, natT, payload);
                assertThat(answer).endsWith("|" + size + "|" + TestMember.sha256(payload, size));
            }
            for (int size : new int[] {9_000, 65_000}) {
                byte[] reply = sendForBytes(socket, natT, ("BIG:" + size).getBytes(StandardCharsets.US_ASCII));
                assertThat(reply).isEqualTo(TestMember.bigPayload(size));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void idleSessionExpiresAndReleasesItsUpstreamSocket(NetTransport transport) throws Exception {
        start(transport, "1s");
        InetAddress source = InetAddress.getByName("127.0.0.251");
        InetSocketAddress client;
        try (DatagramSocket socket = clientSocket(source)) {
            assertThat(send(socket, new InetSocketAddress("127.0.0.1", ikePort), ikeSaInit(0x77, false)))
                    .startsWith("127.0.1.");
            client = (InetSocketAddress) socket.getLocalSocketAddress();
        }
        UdpSession session = findSession(client);
        assertThat(session).isNotNull();
        Channel upstream = session.upstream();
        assertThat(upstream.isOpen()).isTrue();

        await().atMost(Duration.ofSeconds(15)).until(() -> !upstream.isOpen() && totalSessions() == 0);
        long expired = 0;
        for (UdpListenerGroup group : balancer.udp().listeners()) {
            expired += group.counters().sessionsExpired();
        }
        assertThat(expired).isEqualTo(1);
        assertThat(session.member().stats().activeSessions()).isZero();
    }

    private UdpSession findSession(InetSocketAddress client) throws Exception {
        for (UdpListenerGroup group : balancer.udp().listeners()) {
            for (int i = 0; i < group.handlers().size(); i++) {
                UdpListenerHandler handler = group.handlers().get(i);
                Channel channel = group.channels().get(i);
                UdpSession session = channel.eventLoop().submit(() -> handler.session(client)).get();
                if (session != null) {
                    return session;
                }
            }
        }
        return null;
    }

    private int totalSessions() throws Exception {
        int total = 0;
        for (UdpListenerGroup group : balancer.udp().listeners()) {
            for (int i = 0; i < group.handlers().size(); i++) {
                UdpListenerHandler handler = group.handlers().get(i);
                total += group.channels().get(i).eventLoop().submit(handler::sessionCount).get();
            }
        }
        return total;
    }

    private static String memberOf(String answer) {
        return answer == null ? null : answer.substring(0, answer.indexOf('|'));
    }

    private static String exchange(InetAddress source, InetSocketAddress to, byte[] datagram) throws IOException {
        try (DatagramSocket socket = clientSocket(source)) {
            return send(socket, to, datagram);
        }
    }

    /** An IKE_SA_INIT request header (RFC 7296), behind the non-ESP marker for the NAT-T port. */
    static byte[] ikeSaInit(long spi, boolean natT) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((natT ? 4 : 0) + 28);
        if (natT) {
            buf.putInt(0);
        }
        buf.putLong(spi).putLong(0).put((byte) 0).put((byte) 0x20).put((byte) 34).put((byte) 0x08).putInt(0)
                .putInt(28);
        return buf.array();
    }

    /** An ESP-in-UDP datagram (RFC 3948) with a SPI derived from {@code seed}. */
    static byte[] esp(long seed) {
        return java.nio.ByteBuffer.allocate(16).putInt((int) seed | 0x1000).putInt(1).putLong(seed).array();
    }

    private static DatagramSocket clientSocket(InetAddress source) throws SocketException {
        DatagramSocket socket = new DatagramSocket(null);
        socket.setReceiveBufferSize(1 << 20);
        socket.setSoTimeout(1000);
        socket.bind(new InetSocketAddress(source, 0));
        return socket;
    }

    private static String send(DatagramSocket socket, InetSocketAddress to, byte[] payload) throws IOException {
        byte[] reply = sendForBytes(socket, to, payload);
        return reply == null ? null : new String(reply, StandardCharsets.US_ASCII);
    }

    /** Sends and waits for the answer, resending a few times: UDP may lose a datagram even on loopback. */
    private static byte[] sendForBytes(DatagramSocket socket, InetSocketAddress to, byte[] payload) throws IOException {
        byte[] buffer = new byte[65_535];
        for (int attempt = 0; attempt < 5; attempt++) {
            socket.send(new DatagramPacket(payload, payload.length, to));
            DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(reply);
                byte[] data = new byte[reply.getLength()];
                System.arraycopy(buffer, 0, data, 0, data.length);
                return data;
            } catch (SocketTimeoutException e) {
                // resend
            }
        }
        throw new AssertionError("no answer from " + to + " after 5 attempts");
    }

    /** Binds the three members on one pair of ports (the same on every member address). */
    private int[] bindMembers() throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            List<TestMember> bound = new ArrayList<>();
            try {
                int[] ports = {0, 0};
                for (int p = 0; p < 2; p++) {
                    for (String address : MEMBER_ADDRESSES) {
                        TestMember member = new TestMember(address, new InetSocketAddress(address, ports[p]));
                        ports[p] = member.port();
                        bound.add(member);
                    }
                }
                members.addAll(bound);
                return ports;
            } catch (SocketException e) {
                bound.forEach(TestMember::close);
            }
        }
        throw new IOException("could not bind three members on a common pair of ports");
    }
}
