package io.vpnlb.control.pool;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vpnlb.config.Algorithm;
import io.vpnlb.config.IkeConfig;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.PersistenceConfig;
import io.vpnlb.config.PersistenceScope;
import io.vpnlb.config.PortMapping;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.ServiceType;
import io.vpnlb.dataplane.snapshot.MemberSnapshot;
import io.vpnlb.dataplane.snapshot.ServiceSnapshot;
import io.vpnlb.dataplane.wire.DatagramClassifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.vpnlb.control.TestConfigs.config;
import static io.vpnlb.control.TestConfigs.member;
import static io.vpnlb.control.TestConfigs.pool;
import static org.assertj.core.api.Assertions.assertThat;

/** SPI-aware routing: datagrams of a known IKE or ESP SA reach the SA's member from any address. */
class SaRoutingTest {

    private static final long SPI_I = 0x1122334455667788L;
    private static final long SPI_R = 0x99aabbccddeeff00L;

    private final List<ByteBuf> buffers = new ArrayList<>();
    private final DatagramClassifier datagram = new DatagramClassifier();

    @AfterEach
    void release() {
        buffers.forEach(ByteBuf::release);
    }

    private static LbConfig ikeConfig(boolean spiRouting) {
        ServiceConfig service = new ServiceConfig("ikev2", ServiceType.IKEV2, "203.0.113.10",
                List.of(PortMapping.same(500), PortMapping.same(4500)), "vpn", true,
                new PersistenceConfig(PersistenceScope.VIP, Duration.ofMinutes(10), 1000),
                ServiceConfig.DEFAULT_SESSION_IDLE_TIMEOUT, ServiceConfig.DEFAULT_MAX_SESSIONS, null,
                IkeConfig.DEFAULT.withSpiRouting(spiRouting));
        return config(List.of(service), pool("vpn", Algorithm.ROUND_ROBIN, member("10.0.0.11", 1, 1),
                member("10.0.0.12", 1, 1), member("10.0.0.13", 1, 1)));
    }

    @Test
    void aKnownIkeSaFollowsTheClientToANewAddress() {
        PoolManager pools = new PoolManager(ikeConfig(true));
        ServiceSnapshot service = pools.snapshot().service("ikev2");
        PoolRouter router = pools.router();
        MemberSnapshot holder = route(router, service, 0, "198.51.100.7", ike(SPI_I, 0, false));
        router.learnIke(service, holder, SPI_I, SPI_R);
        // Other clients move the round-robin on, so a plain balancing decision would pick another member.
        MemberSnapshot other = route(router, service, 0, "198.51.100.8", ike(0x42, 0, false));
        assertThat(other.key()).isNotEqualTo(holder.key());

        // MOBIKE: UPDATE_SA_ADDRESSES (INFORMATIONAL) from the client's new address on UDP 4500.
        MemberSnapshot moved = route(router, service, 1, "192.0.2.200", ike(SPI_I, SPI_R, true));

        assertThat(moved.key()).isEqualTo(holder.key());
        assertThat(router.saRoutes()).isEqualTo(1);
        // The new address is bound to the SA's member for the sessions that follow.
        assertThat(router.table("ikev2").get(ip("192.0.2.200"))).isEqualTo(holder.address());
    }

    @Test
    void aCookieRetryFromAnotherPortReachesTheSameMember() {
        PoolManager pools = new PoolManager(ikeConfig(true));
        ServiceSnapshot service = pools.snapshot().service("ikev2");
        PoolRouter router = pools.router();
        MemberSnapshot first = route(router, service, 0, "198.51.100.7", ike(SPI_I, 0, false));
        router.learnIke(service, first, SPI_I, 0);
        router.table("ikev2").remove(ip("198.51.100.7"));
        route(router, service, 0, "198.51.100.8", ike(0x42, 0, false));

        MemberSnapshot retry = route(router, service, 0, "198.51.100.7", ike(SPI_I, 0, false));

        assertThat(retry.key()).isEqualTo(first.key());
    }

    @Test
    void aKnownEspSpiFollowsANatRebinding() {
        PoolManager pools = new PoolManager(ikeConfig(true));
        ServiceSnapshot service = pools.snapshot().service("ikev2");
        PoolRouter router = pools.router();
        MemberSnapshot holder = route(router, service, 1, "198.51.100.7", ike(SPI_I, SPI_R, true));
        router.learnEsp(service, holder, 0xc0ffee01);
        route(router, service, 1, "198.51.100.8", ike(0x42, 0, true));

        MemberSnapshot rebound = route(router, service, 1, "192.0.2.77", esp(0xc0ffee01));

        assertThat(rebound.key()).isEqualTo(holder.key());
    }

    @Test
    void withSpiRoutingOffTheNewAddressIsBalancedOnItsOwn() {
        PoolManager pools = new PoolManager(ikeConfig(false));
        ServiceSnapshot service = pools.snapshot().service("ikev2");
        PoolRouter router = pools.router();
        MemberSnapshot holder = route(router, service, 0, "198.51.100.7", ike(SPI_I, 0, false));
        router.learnIke(service, holder, SPI_I, SPI_R);

        MemberSnapshot moved = route(router, service, 1, "192.0.2.200", ike(SPI_I, SPI_R, true));

        assertThat(router.saTable("ikev2")).isNull();
        assertThat(moved.key()).isNotEqualTo(holder.key());
        assertThat(router.saRoutes()).isZero();
    }

    @Test
    void anSaOnAMemberThatStoppedServingIsForgotten() {
        PoolManager pools = new PoolManager(ikeConfig(true));
        PoolRouter router = pools.router();
        ServiceSnapshot service = pools.snapshot().service("ikev2");
        MemberSnapshot holder = route(router, service, 0, "198.51.100.7", ike(SPI_I, 0, false));
        router.learnIke(service, holder, SPI_I, SPI_R);

        pools.health(pools.member("vpn", holder.key()), Health.DOWN);

        assertThat(router.saTable("ikev2").ikeHolder(SPI_I, SPI_R)).isNull();
        MemberSnapshot after = route(router, pools.snapshot().service("ikev2"), 1, "192.0.2.200",
                ike(SPI_I, SPI_R, true));
        assertThat(after.key()).isNotEqualTo(holder.key());
    }

    private MemberSnapshot route(PoolRouter router, ServiceSnapshot service, int listener, String client,
                                 ByteBuf first) {
        datagram.classify(first, listener == 1);
        return router.route(service, service.listeners().get(listener), new InetSocketAddress(ip(client), 4500),
                datagram);
    }

    private ByteBuf ike(long spiI, long spiR, boolean natT) {
        ByteBuffer bytes = ByteBuffer.allocate((natT ? 4 : 0) + 28);
        if (natT) {
            bytes.putInt(0);
        }
        bytes.putLong(spiI).putLong(spiR).put((byte) 0).put((byte) 0x20)
                .put((byte) (spiR == 0 ? 34 : 37)).put((byte) 0x08).putInt(spiR == 0 ? 0 : 2).putInt(28);
        return keep(Unpooled.wrappedBuffer(bytes.array()));
    }

    private ByteBuf esp(int spi) {
        return keep(Unpooled.wrappedBuffer(ByteBuffer.allocate(16).putInt(spi).putInt(1).array()));
    }

    private ByteBuf keep(ByteBuf buf) {
        buffers.add(buf);
        return buf;
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
