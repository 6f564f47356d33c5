package io.vpnlb.control.it;

import io.vpnlb.config.LbConfig;
import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.config.io.LoadResult;
import io.vpnlb.control.Balancer;
import io.vpnlb.control.persistence.PersistenceTable;
import io.vpnlb.dataplane.select.ClientHash;
import io.vpnlb.dataplane.snapshot.PoolSnapshot;
import io.vpnlb.dataplane.testing.FreePorts;
import io.vpnlb.dataplane.transport.NetTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that changes address (MOBIKE, NAT rebinding) through the balancer on loopback, over every transport:
 * with SPI routing its IKE and ESP traffic from the new address reaches the member that holds its SAs; without
 * it, the new address is balanced on its own and lands elsewhere.
 */
class SpiRoutingLoopbackIT {

    private static final String[] MEMBER_ADDRESSES = {"127.0.1.1", "127.0.1.2", "127.0.1.3"};
    private static final long SPI_I = 0x0a0b0c0d01020304L;
    private static final long SPI_R = 0x1112131415161718L;
    private static final int ESP_SPI = 0xc0ffee01;

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

    private void start(NetTransport transport, boolean spiRouting) throws Exception {
        int memberIke = 0;
        int memberNatT = 0;
        for (int attempt = 0; attempt < 20 && members.size() < 6; attempt++) {
            members.forEach(TestMember::close);
            members.clear();
            try {
                for (String address : MEMBER_ADDRESSES) {
                    TestMember ike = new TestMember(address, new InetSocketAddress(address, memberIke));
                    memberIke = ike.port();
                    members.add(ike);
                }
                for (String address : MEMBER_ADDRESSES) {
                    TestMember natT = new TestMember(address, new InetSocketAddress(address, memberNatT));
                    memberNatT = natT.port();
                    members.add(natT);
                }
            } catch (java.net.SocketException e) {
                memberIke = 0;
                memberNatT = 0;
            }
        }
        assertThat(members).hasSize(6);
        ikePort = FreePorts.udp();
        natTPort = FreePorts.udp();
        LoadResult loaded = ConfigLoader.parse(String.join("\n",
                "transport: " + transport.displayName(),
                "services:",
                "  - name: ikev2",
                "    type: ikev2",
                "    listen: 127.0.0.1",
                "    ports: [\"" + ikePort + ":" + memberIke + "\", \"" + natTPort + ":" + memberNatT + "\"]",
                "    pool: vpn",
                "    persistence: { scope: vip, timeout: 10m }",
                "    ike: { spi-routing: " + spiRouting + " }",
                "pools:",
                "  - name: vpn",
                "    algorithm: maglev",
                "    members:",
                "      - { address: 127.0.1.1 }",
                "      - { address: 127.0.1.2 }",
                "      - { address: 127.0.1.3 }",
                ""), "SpiRoutingLoopbackIT");
        assertThat(loaded.violations()).isEmpty();
        LbConfig config = loaded.config();
        balancer = Balancer.start(config, 2);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void theSasFollowTheClientToNewAddresses(NetTransport transport) throws Exception {
        start(transport, true);
        InetAddress first = InetAddress.getByName("127.0.3.1");
        String holder = member(send(first, ikePort, ike(SPI_I, 0, 34, false)));
        // IKE_AUTH and ESP on the NAT-T port from the first address teach vpnlb the SA's SPIs.
        assertThat(member(send(first, natTPort, ike(SPI_I, SPI_R, 35, true)))).isEqualTo(holder);
        assertThat(member(send(first, natTPort, esp(ESP_SPI)))).isEqualTo(holder);

        InetAddress roamed = addressHashingAwayFrom(holder, 10);
        InetAddress rebound = addressHashingAwayFrom(holder, 200);
        // MOBIKE: UPDATE_SA_ADDRESSES (INFORMATIONAL) from the new address, then ESP from it.
        assertThat(member(send(roamed, natTPort, ike(SPI_I, SPI_R, 37, true)))).isEqualTo(holder);
        // NAT rebinding: ESP first, from yet another address.
        assertThat(member(send(rebound, natTPort, esp(ESP_SPI)))).isEqualTo(holder);
        // Routed by SPI: the NAT-T session of IKE_AUTH, the roamed address and the rebound address.
        assertThat(balancer.pools().router().saRoutes()).isEqualTo(3);
        String metrics = balancer.metrics().scrape();
        assertThat(metrics).contains("vpnlb_sa_routes_total 3.0");
        assertThat(metrics).contains("vpnlb_ike_messages_total{listener=\"ikev2/" + natTPort
                + "\",service=\"ikev2\"} 2.0");
        assertThat(metrics).contains("vpnlb_esp_datagrams_total{listener=\"ikev2/" + natTPort
                + "\",service=\"ikev2\"} 2.0");
        assertThat(metrics).contains("vpnlb_sa_entries{kind=\"ike\",service=\"ikev2\"} 1.0");
    }

    @ParameterizedTest
    @MethodSource("transports")
    void withoutSpiRoutingTheNewAddressIsBalancedOnItsOwn(NetTransport transport) throws Exception {
        start(transport, false);
        InetAddress first = InetAddress.getByName("127.0.3.1");
        String holder = member(send(first, ikePort, ike(SPI_I, 0, 34, false)));
        assertThat(member(send(first, natTPort, esp(ESP_SPI)))).isEqualTo(holder);

        InetAddress roamed = addressHashingAwayFrom(holder, 10);

        assertThat(member(send(roamed, natTPort, ike(SPI_I, SPI_R, 37, true)))).isNotEqualTo(holder);
    }

    /**
     * Sessions opened by ESP (a client whose IKE SA was set up before a NAT rebinding, or before a restart of
     * vpnlb) write persistence like sessions opened by IKE: each client's next session returns to its member,
     * whether the SPI was unknown (balanced) or known (routed to its SA's member).
     */
    @ParameterizedTest
    @MethodSource("transports")
    void espFirstSessionsArePersisted(NetTransport transport) throws Exception {
        start(transport, true);
        String holder = member(send(InetAddress.getByName("127.0.3.1"), natTPort, esp(ESP_SPI)));
        List<String> expected = new ArrayList<>();
        expected.add("127.0.3.1 " + holder);
        for (int i = 1; i <= 20; i++) {
            InetAddress client = InetAddress.getByAddress(new byte[] {127, 0, 5, (byte) i});
            // Odd clients carry an SPI nobody announced, even ones the SA learned above.
            byte[] datagram = esp(i % 2 == 1 ? 0x5000_0000 + i : ESP_SPI);
            expected.add(client.getHostAddress() + " " + member(send(client, natTPort, datagram)));
        }

        List<String> persisted = new ArrayList<>();
        PersistenceTable table = balancer.pools().router().table("ikev2");
        for (PersistenceTable.Entry entry : table.entries(null, null)) {
            persisted.add(entry.client().getHostAddress() + " " + entry.member().getHostAddress());
        }
        assertThat(persisted).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(balancer.metrics().scrape()).contains("vpnlb_persistence_entries{scope=\"vip 127.0.0.1\"} 21.0");
        // Their IKE (here a new IKE_SA_INIT from the same address) returns to the member ESP was sent to.
        InetAddress odd = InetAddress.getByName("127.0.5.1");
        assertThat(member(send(odd, ikePort, ike(0x77L, 0, 34, false))))
                .isEqualTo(table.get(odd).getHostAddress());
    }

    /** A loopback address from 127.0.4.{start..} whose Maglev member is not {@code holder}. */
    private InetAddress addressHashingAwayFrom(String holder, int start) throws IOException {
        PoolSnapshot pool = balancer.pools().snapshot().service("ikev2").pool();
        for (int i = start; i < 250; i++) {
            InetAddress candidate = InetAddress.getByAddress(new byte[] {127, 0, 4, (byte) i});
            int index = pool.maglev().lookup(ClientHash.hash(candidate.getAddress()));
            if (!pool.selectable().get(index).address().getHostAddress().equals(holder)) {
                return candidate;
            }
        }
        throw new AssertionError("no loopback address hashes away from " + holder);
    }

    private static String member(String answer) {
        return answer.substring(0, answer.indexOf('|'));
    }

    private static byte[] ike(long spiI, long spiR, int exchange, boolean natT) {
        ByteBuffer buf = ByteBuffer.allocate((natT ? 4 : 0) + 28);
        if (natT) {
            buf.putInt(0);
        }
        buf.putLong(spiI).putLong(spiR).put((byte) 0).put((byte) 0x20).put((byte) exchange).put((byte) 0x08)
                .putInt(exchange == 34 ? 0 : 1).putInt(28);
        return buf.array();
    }

    private static byte[] esp(int spi) {
        return ByteBuffer.allocate(24).putInt(spi).putInt(1).putLong(42).putLong(43).array();
    }

    private static String send(InetAddress source, int port, byte[] datagram) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(source, 0))) {
            socket.setSoTimeout(1000);
            byte[] buffer = new byte[2048];
            InetSocketAddress vip = new InetSocketAddress("127.0.0.1", port);
            for (int attempt = 0; attempt < 5; attempt++) {
                socket.send(new DatagramPacket(datagram, datagram.length, vip));
                DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(reply);
                    return new String(buffer, 0, reply.getLength(), StandardCharsets.US_ASCII);
                } catch (SocketTimeoutException e) {
                    // resend
                }
            }
            throw new AssertionError("no answer from " + vip + " for " + source);
        }
    }
}
