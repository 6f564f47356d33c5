package io.vpnlb.control.pool;

import io.vpnlb.config.Algorithm;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.PersistenceScope;
import io.vpnlb.dataplane.snapshot.DataPlaneSnapshot;
import io.vpnlb.dataplane.snapshot.MemberSnapshot;
import io.vpnlb.dataplane.snapshot.ServiceSnapshot;
import io.vpnlb.dataplane.wire.DatagramClassifier;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import static io.vpnlb.control.TestConfigs.config;
import static io.vpnlb.control.TestConfigs.ikev2;
import static io.vpnlb.control.TestConfigs.member;
import static io.vpnlb.control.TestConfigs.pool;
import static io.vpnlb.control.TestConfigs.udp;
import static org.assertj.core.api.Assertions.assertThat;

class PoolRouterTest {

    /** A first datagram of a plain UDP listener: no SPIs to route by. */
    private static final DatagramClassifier OPAQUE = new DatagramClassifier();
    private static final InetSocketAddress CLIENT_500 = client("198.51.100.7", 500);
    private static final InetSocketAddress CLIENT_4500 = client("198.51.100.7", 4500);

    @Test
    void bothIkePortsOfAClientGoToTheSameMemberEvenWithRoundRobin() {
        LbConfig config = config(List.of(ikev2("ikev2", "203.0.113.10", "vpn", PersistenceScope.VIP)),
                pool("vpn", Algorithm.ROUND_ROBIN, member("10.0.0.11", 1, 1), member("10.0.0.12", 1, 1)));
        PoolManager pools = new PoolManager(config);
        DataPlaneSnapshot snapshot = pools.snapshot();
        PoolRouter router = pools.router();
        ServiceSnapshot service = snapshot.service("ikev2");

        MemberSnapshot first = router.route(service, service.listeners().get(0), CLIENT_500, OPAQUE);
        MemberSnapshot second = router.route(service, service.listeners().get(1), CLIENT_4500, OPAQUE);

        assertThat(second).isSameAs(first);
        assertThat(router.persistenceHits()).isEqualTo(1);
        assertThat(router.persistenceMisses()).isEqualTo(1);
    }

    @Test
    void withoutPersistenceRoundRobinAlternates() {
        LbConfig config = config(List.of(ikev2("ikev2", "203.0.113.10", "vpn", PersistenceScope.NONE)),
                pool("vpn", Algorithm.ROUND_ROBIN, member("10.0.0.11", 1, 1), member("10.0.0.12", 1, 1)));
        PoolManager pools = new PoolManager(config);
        DataPlaneSnapshot snapshot = pools.snapshot();
        PoolRouter router = pools.router();
        ServiceSnapshot service = snapshot.service("ikev2");

        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            picks.add(router.route(service, service.listeners().get(0), CLIENT_500, OPAQUE).key());
        }

        assertThat(picks).containsExactly("10.0.0.11:0", "10.0.0.12:0", "10.0.0.11:0", "10.0.0.12:0");
        assertThat(router.table("ikev2")).isNull();
    }

    @Test
    void vipScopeMatchesAcrossServicesOnTheSameAddress() {
        LbConfig config = config(List.of(
                        udp("first", "203.0.113.10", 1000, "vpn", PersistenceScope.VIP),
                        udp("second", "203.0.113.10", 2000, "vpn", PersistenceScope.VIP),
                        udp("elsewhere", "203.0.113.99", 3000, "vpn", PersistenceScope.VIP)),
                pool("vpn", Algorithm.ROUND_ROBIN, member("10.0.0.11", 1, 1), member("10.0.0.12", 1, 1)));
        PoolManager pools = new PoolManager(config);
        DataPlaneSnapshot snapshot = pools.snapshot();
        PoolRouter router = pools.router();

        MemberSnapshot first = route(router, snapshot.service("first"), CLIENT_500);
        MemberSnapshot second = route(router, snapshot.service("second"), CLIENT_500);
        MemberSnapshot elsewhere = route(router, snapshot.service("elsewhere"), CLIENT_500);

        assertThat(second.key()).isEqualTo(first.key());
        assertThat(router.table("first")).isSameAs(router.table("second"));
        assertThat(router.table("elsewhere")).isNotSameAs(router.table("first"));
        // Round-robin moved on for the other VIP, which has its own persistence.
        assertThat(elsewhere.key()).isNotEqualTo(first.key());
    }

    @Test
    void anEntryPointingAtAMemberThatStoppedServingIsReplaced() throws Exception {
        LbConfig config = config(List.of(ikev2("ikev2", "203.0.113.10", "vpn", PersistenceScope.VIP)),
                pool("vpn", Algorithm.ROUND_ROBIN, member("10.0.0.11", 1, 1), member("10.0.0.12", 1, 1)));
        PoolManager pools = new PoolManager(config);
        PoolRouter router = pools.router();
        MemberSnapshot original = route(router, pools.snapshot().service("ikev2"), CLIENT_500);
        assertThat(original.key()).isEqualTo("10.0.0.11:0");
        List<String> evicted = new ArrayList<>();
        pools.evictor((pool, member) -> evicted.add(pool + "/" + member));

        pools.health(pools.member("vpn", "10.0.0.11:0"), Health.DOWN);
        assertThat(router.table("ikev2").get(InetAddress.getByName("198.51.100.7"))).isNull();
        MemberSnapshot moved = route(router, pools.snapshot().service("ikev2"), CLIENT_4500);

        assertThat(evicted).containsExactly("vpn/10.0.0.11:0");
        assertThat(moved.key()).isEqualTo("10.0.0.12:0");
        assertThat(router.table("ikev2").get(InetAddress.getByName("198.51.100.7")))
                .isEqualTo(InetAddress.getByName("10.0.0.12"));
    }

    @Test
    void aDrainedMemberKeepsItsPersistedClientsButTakesNoNewOnes() {
        LbConfig config = config(List.of(ikev2("ikev2", "203.0.113.10", "vpn", PersistenceScope.VIP)),
                pool("vpn", Algorithm.ROUND_ROBIN, member("10.0.0.11", 1, 1), member("10.0.0.12", 1, 1)));
        PoolManager pools = new PoolManager(config);
        PoolRouter router = pools.router();
        assertThat(route(router, pools.snapshot().service("ikev2"), CLIENT_500).key()).isEqualTo("10.0.0.11:0");
        List<String> evicted = new ArrayList<>();
        pools.evictor((pool, member) -> evicted.add(member));

        pools.adminState(pools.member("vpn", "10.0.0.11:0"), AdminState.DRAIN);
        ServiceSnapshot service = pools.snapshot().service("ikev2");

        assertThat(route(router, service, CLIENT_4500).key()).isEqualTo("10.0.0.11:0");
        for (int i = 0; i < 3; i++) {
            assertThat(route(router, service, client("198.51.100." + (100 + i), 500)).key()).isEqualTo("10.0.0.12:0");
        }
        assertThat(evicted).isEmpty();
    }

    @Test
    void leastSessionsPicksTheEmptiestMember() {
        LbConfig config = config(List.of(ikev2("ikev2", "203.0.113.10", "vpn", PersistenceScope.NONE)),
                pool("vpn", Algorithm.LEAST_SESSIONS, member("10.0.0.11", 1, 1), member("10.0.0.12", 1, 1)));
        PoolManager pools = new PoolManager(config);
        DataPlaneSnapshot snapshot = pools.snapshot();
        PoolRouter router = pools.router();
        ServiceSnapshot service = snapshot.service("ikev2");

        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            MemberSnapshot member = route(router, service, client("198.51.100." + i, 500));
            member.stats().sessionOpened();
            picks.add(member.key());
        }

        assertThat(picks).containsExactly("10.0.0.11:0", "10.0.0.12:0", "10.0.0.11:0", "10.0.0.12:0");
    }

    @Test
    void twoInstancesWithTheSameConfigurationAgreeOnEveryClient() {
        LbConfig config = config(List.of(ikev2("ikev2", "203.0.113.10", "vpn", PersistenceScope.NONE)),
                pool("vpn", Algorithm.MAGLEV, member("10.0.0.11", 100, 1), member("10.0.0.12", 100, 1),
                        member("10.0.0.13", 50, 1)));
        PoolManager instanceA = new PoolManager(config);
        PoolManager instanceB = new PoolManager(config);
        ServiceSnapshot a = instanceA.snapshot().service("ikev2");
        ServiceSnapshot b = instanceB.snapshot().service("ikev2");
        PoolRouter routerA = instanceA.router();
        PoolRouter routerB = instanceB.router();

        for (int i = 0; i < 10_000; i++) {
            InetSocketAddress client = client("10." + (i >> 16 & 0xFF) + "." + (i >> 8 & 0xFF) + "." + (i & 0xFF), 500);
            assertThat(route(routerB, b, client).key()).isEqualTo(route(routerA, a, client).key());
        }
    }

    @Test
    void noSelectableMemberGivesNull() {
        LbConfig config = config(List.of(ikev2("ikev2", "203.0.113.10", "vpn", PersistenceScope.VIP)),
                pool("vpn", Algorithm.MAGLEV, member("10.0.0.11", 0, 1)));
        PoolManager pools = new PoolManager(config);
        ServiceSnapshot service = pools.snapshot().service("ikev2");

        assertThat(route(pools.router(), service, CLIENT_500)).isNull();
    }

    private static MemberSnapshot route(PoolRouter router, ServiceSnapshot service, InetSocketAddress client) {
        return router.route(service, service.listeners().get(0), client, OPAQUE);
    }

    private static InetSocketAddress client(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
