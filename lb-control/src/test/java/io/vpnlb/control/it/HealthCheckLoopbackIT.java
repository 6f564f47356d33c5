package io.vpnlb.control.it;

import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.config.io.LoadResult;
import io.vpnlb.control.Balancer;
import io.vpnlb.control.pool.Health;
import io.vpnlb.control.pool.MemberState;
import io.vpnlb.dataplane.transport.NetTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Health checks against real sockets: a member that stops answering goes DOWN, its client's next session lands
 * on the other member, and it comes back UP when it answers again.
 */
class HealthCheckLoopbackIT {

    private final List<TestMember> members = new ArrayList<>();
    private Balancer balancer;

    @AfterEach
    void tearDown() {
        if (balancer != null) {
            balancer.close();
        }
        members.forEach(TestMember::close);
    }

    @Test
    void aMemberThatStopsAnsweringIsTakenOutAndComesBack() throws Exception {
        TestMember first = new TestMember("127.0.1.1", new InetSocketAddress("127.0.1.1", 0));
        members.add(first);
        int memberPort = first.port();
        members.add(new TestMember("127.0.1.2", new InetSocketAddress("127.0.1.2", memberPort)));
        int vipPort;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            vipPort = probe.getLocalPort();
        }
        LoadResult loaded = ConfigLoader.parse(String.join("\n",
                "transport: " + NetTransport.resolve(io.vpnlb.config.Transport.AUTO).displayName(),
                "services:",
                "  - name: vpn",
                "    type: udp",
                "    listen: 127.0.0.1",
                "    ports: [\"" + vipPort + ":" + memberPort + "\"]",
                "    pool: vpn",
                "    persistence: { scope: vip }",
                "pools:",
                "  - name: vpn",
                "    algorithm: round-robin",
                "    health-check: { type: udp, interval: 200ms, timeout: 100ms, rise: 2, fall: 2 }",
                "    members:",
                "      - { address: 127.0.1.1 }",
                "      - { address: 127.0.1.2 }",
                ""), "HealthCheckLoopbackIT");
        assertThat(loaded.violations()).isEmpty();
        balancer = Balancer.start(loaded.config(), 2);
        MemberState one = balancer.pools().member("vpn", "127.0.1.1:0");
        InetAddress client = InetAddress.getByName("127.0.3.9");
        assertThat(send(client, vipPort)).isEqualTo("127.0.1.1");

        first.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> one.health() == Health.DOWN);

        assertThat(one.lastCheck()).startsWith("ICMP port unreachable");
        // The client's persistence pointed at the DOWN member: it was dropped, so the next session is rebalanced.
        assertThat(send(client, vipPort)).isEqualTo("127.0.1.2");

        long reopened = System.currentTimeMillis();
        members.add(new TestMember("127.0.1.1", new InetSocketAddress("127.0.1.1", memberPort)));
        await().atMost(Duration.ofSeconds(10)).until(() -> one.health() == Health.UP);
        assertThat(one.checkFailures()).isGreaterThanOrEqualTo(2);
        // One trip out of service and back, in the counters and the health's time of change.
        assertThat(one.wentDown()).isEqualTo(1);
        assertThat(one.cameUp()).isEqualTo(1);
        assertThat(balancer.metrics().scrape().lines()).contains(
                "vpnlb_member_health_transitions_total{member=\"127.0.1.1\",pool=\"vpn\",to=\"down\"} 1.0",
                "vpnlb_member_health_transitions_total{member=\"127.0.1.1\",pool=\"vpn\",to=\"up\"} 1.0",
                "vpnlb_member_health_transitions_total{member=\"127.0.1.2\",pool=\"vpn\",to=\"down\"} 0.0");
        assertThat(one.healthSinceMillis()).isGreaterThanOrEqualTo(reopened);
    }

    /** One request from a fresh socket of {@code source}; the member's name from its answer. */
    private static String send(InetAddress source, int port) throws IOException {
        byte[] datagram = ByteBuffer.allocate(16).putLong(1).putLong(2).array();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(source, 0))) {
            socket.setSoTimeout(1000);
            byte[] buffer = new byte[2048];
            for (int attempt = 0; attempt < 5; attempt++) {
                socket.send(new DatagramPacket(datagram, datagram.length, new InetSocketAddress("127.0.0.1", port)));
                DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(reply);
                    String answer = new String(buffer, 0, reply.getLength(), StandardCharsets.US_ASCII);
                    return answer.substring(0, answer.indexOf('|'));
                } catch (SocketTimeoutException e) {
                    // resend
                }
            }
        }
        throw new AssertionError("no answer through 127.0.0.1:" + port);
    }
}
