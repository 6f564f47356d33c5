package io.vpnlb.control.api;

import io.vpnlb.control.pool.Health;
import io.vpnlb.control.pool.MemberState;
import io.vpnlb.control.pool.PoolManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.vpnlb.control.api.AdminFixture.Member;
import static org.assertj.core.api.Assertions.assertThat;

/** Admin state and priority groups with live traffic through the balancer. */
class DrainAndFailoverIT {

    private AdminFixture fixture;

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void drainedMemberGetsNoNewClientsWhileItsClientsKeepFlowing() throws Exception {
        fixture = new AdminFixture().start("maglev", "5m", Member.of("127.0.1.1"), Member.of("127.0.1.2"));
        List<DatagramSocket> sockets = new ArrayList<>();
        Map<DatagramSocket, String> memberOf = new HashMap<>();
        try {
            for (String address : AdminFixture.addresses("127.0.5.", 1, 30)) {
                DatagramSocket socket = AdminFixture.client(address);
                sockets.add(socket);
                memberOf.put(socket, AdminFixture.exchange(socket, fixture.vip(), "before"));
            }
            assertThat(memberOf.values()).contains("127.0.1.1", "127.0.1.2");

            fixture.patch("127.0.1.1", "{\"admin_state\":\"drain\"}");

            // Existing sessions of the drained member keep flowing, both ways.
            for (int round = 0; round < 5; round++) {
                for (DatagramSocket socket : sockets) {
                    assertThat(AdminFixture.exchange(socket, fixture.vip(), "after-" + round))
                            .isEqualTo(memberOf.get(socket));
                }
            }
            // Its persisted clients opening a new session still reach it (persistence keeps flowing).
            for (DatagramSocket socket : sockets) {
                String address = socket.getLocalAddress().getHostAddress();
                assertThat(fixture.newSession(address, "again")).isEqualTo(memberOf.get(socket));
            }
            // New clients never reach it.
            for (String address : AdminFixture.addresses("127.0.6.", 1, 40)) {
                assertThat(fixture.newSession(address, "new")).isEqualTo("127.0.1.2");
            }
            assertThat(fixture.member("127.0.1.1").path("active_sessions").asInt())
                    .isEqualTo((int) memberOf.values().stream().filter("127.0.1.1"::equals).count() * 2);

            fixture.patch("127.0.1.1", "{\"admin_state\":\"ready\"}");
            List<String> reached = new ArrayList<>();
            for (String address : AdminFixture.addresses("127.0.7.", 1, 30)) {
                reached.add(fixture.newSession(address, "ready"));
            }
            assertThat(reached).contains("127.0.1.1");
        } finally {
            sockets.forEach(DatagramSocket::close);
        }
    }

    @Test
    void newClientsFailOverToPriorityTwoWhenPriorityOneIsDownAndComeBack() throws Exception {
        fixture = new AdminFixture().start("round-robin", "5m", Member.of("127.0.1.1"), Member.of("127.0.1.2"),
                new Member("127.0.1.3", 100, 2));
        for (String address : AdminFixture.addresses("127.0.8.", 1, 10)) {
            assertThat(fixture.newSession(address, "p1")).isIn("127.0.1.1", "127.0.1.2");
        }
        PoolManager pools = fixture.balancer.pools();
        try (DatagramSocket survivor = AdminFixture.client("127.0.8.200")) {
            String first = AdminFixture.exchange(survivor, fixture.vip(), "s1");
            assertThat(first).isIn("127.0.1.1", "127.0.1.2");

            for (MemberState member : pools.members("vpn").subList(0, 2)) {
                pools.health(member, Health.DOWN);
            }
            assertThat(fixture.get("/api/v1/pools").json().path("pools").get(0).path("active_priority").asInt())
                    .isEqualTo(2);
            for (String address : AdminFixture.addresses("127.0.9.", 1, 10)) {
                assertThat(fixture.newSession(address, "p2")).isEqualTo("127.0.1.3");
            }
            // The session of a member that went DOWN is closed; the client's next datagram goes to priority 2.
            assertThat(AdminFixture.exchange(survivor, fixture.vip(), "s2")).isEqualTo("127.0.1.3");

            for (MemberState member : pools.members("vpn").subList(0, 2)) {
                pools.health(member, Health.UP);
            }
            for (String address : AdminFixture.addresses("127.0.10.", 1, 10)) {
                assertThat(fixture.newSession(address, "back")).isIn("127.0.1.1", "127.0.1.2");
            }
            // Sessions on priority 2 are not moved back: a session keeps its member while it serves.
            assertThat(AdminFixture.exchange(survivor, fixture.vip(), "s3")).isEqualTo("127.0.1.3");
        }
    }

    @Test
    void maintenanceOfPriorityOneThroughTheApiFailsOverAndReadyComesBack() throws Exception {
        fixture = new AdminFixture().start("maglev", "5m", Member.of("127.0.1.1"), new Member("127.0.1.3", 100, 2));
        assertThat(fixture.newSession("127.0.11.1", "a")).isEqualTo("127.0.1.1");
        fixture.patch("127.0.1.1", "{\"admin_state\":\"maint\"}");
        assertThat(fixture.get("/api/v1/persistence?member=127.0.1.1").json().path("count").asInt()).isZero();
        assertThat(fixture.newSession("127.0.11.1", "b")).isEqualTo("127.0.1.3");
        assertThat(fixture.newSession("127.0.11.2", "c")).isEqualTo("127.0.1.3");
        fixture.patch("127.0.1.1", "{\"admin_state\":\"ready\"}");
        assertThat(fixture.newSession("127.0.11.3", "d")).isEqualTo("127.0.1.1");
    }
}
