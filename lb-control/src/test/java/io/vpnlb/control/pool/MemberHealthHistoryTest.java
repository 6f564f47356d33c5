package io.vpnlb.control.pool;

import io.vpnlb.config.Algorithm;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.PersistenceScope;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.vpnlb.control.TestConfigs.config;
import static io.vpnlb.control.TestConfigs.ikev2;
import static io.vpnlb.control.TestConfigs.member;
import static io.vpnlb.control.TestConfigs.pool;
import static org.assertj.core.api.Assertions.assertThat;

class MemberHealthHistoryTest {

    private static LbConfig withWeight(int weight) {
        return config(List.of(ikev2("ikev2", "203.0.113.10", "vpn", PersistenceScope.VIP)),
                pool("vpn", Algorithm.MAGLEV, member("10.0.0.11", weight, 1), member("10.0.0.12", 100, 1)));
    }

    private static void check(PoolManager pools, MemberState member, boolean up) {
        HealthTransitions.apply(pools, member, up, up ? "ok" : "timeout", 1_000_000, 2, 2);
    }

    @Test
    void goingOutOfAndBackIntoServiceIsCountedOnce() {
        PoolManager pools = new PoolManager(withWeight(100));
        MemberState member = pools.member("vpn", "10.0.0.11:0");
        long added = member.healthSinceMillis();

        check(pools, member, false); // STOPPING: still serving, not a transition out of service
        assertThat(member.health()).isEqualTo(Health.STOPPING);
        assertThat(member.wentDown()).isZero();
        long beforeDown = System.currentTimeMillis();
        check(pools, member, false); // fall 2: DOWN
        long afterDown = System.currentTimeMillis();
        check(pools, member, false); // still DOWN: no change, no new time
        assertThat(member.health()).isEqualTo(Health.DOWN);
        assertThat(member.healthSinceMillis()).isBetween(beforeDown, afterDown);
        assertThat(member.wentDown()).isEqualTo(1);
        assertThat(member.cameUp()).isZero();

        check(pools, member, true); // STARTING: not serving yet
        assertThat(member.cameUp()).isZero();
        check(pools, member, true);
        assertThat(member.health()).isEqualTo(Health.UP);
        assertThat(member.cameUp()).isEqualTo(1);
        assertThat(added).isLessThanOrEqualTo(beforeDown);

        MemberState other = pools.member("vpn", "10.0.0.12:0");
        assertThat(other.wentDown()).isZero();
        assertThat(other.cameUp()).isZero();
    }

    @Test
    void aReloadThatChangesTheMemberKeepsItsHistory() {
        PoolManager pools = new PoolManager(withWeight(100));
        MemberState before = pools.member("vpn", "10.0.0.11:0");
        for (int i = 0; i < 3; i++) {
            check(pools, before, false);
        }
        long since = before.healthSinceMillis();

        pools.apply(withWeight(50));

        MemberState after = pools.member("vpn", "10.0.0.11:0");
        assertThat(after).isNotSameAs(before);
        assertThat(after.health()).isEqualTo(Health.DOWN);
        assertThat(after.wentDown()).isEqualTo(1);
        assertThat(after.checks()).isEqualTo(3);
        assertThat(after.checkFailures()).isEqualTo(3);
        assertThat(after.healthSinceMillis()).isEqualTo(since);
        assertThat(after.lastCheck()).isEqualTo("timeout");
    }

    /**
     * The health checker keeps the member objects it started with; a reload that changed a member replaced its
     * object. Results through the old object reach the live member and follow its health (rise still applies).
     */
    @Test
    void resultsThroughAReplacedObjectReachTheLiveMember() {
        PoolManager pools = new PoolManager(withWeight(100));
        MemberState stale = pools.member("vpn", "10.0.0.11:0");
        for (int i = 0; i < 2; i++) {
            check(pools, stale, false);
        }
        pools.apply(withWeight(50));
        MemberState live = pools.member("vpn", "10.0.0.11:0");
        assertThat(live.health()).isEqualTo(Health.DOWN);

        check(pools, stale, true);

        assertThat(live.health()).isEqualTo(Health.STARTING);
        assertThat(live.checks()).isEqualTo(3);
        assertThat(live.cameUp()).isZero();
        check(pools, stale, true);
        assertThat(live.health()).isEqualTo(Health.UP);
        assertThat(live.cameUp()).isEqualTo(1);
        assertThat(stale.checks()).isEqualTo(2);
    }

    @Test
    void aStreakTowardFallSurvivesAReload() {
        PoolManager pools = new PoolManager(withWeight(100));
        check(pools, pools.member("vpn", "10.0.0.11:0"), false);
        assertThat(pools.member("vpn", "10.0.0.11:0").health()).isEqualTo(Health.STOPPING);

        pools.apply(withWeight(50));
        check(pools, pools.member("vpn", "10.0.0.11:0"), false);

        assertThat(pools.member("vpn", "10.0.0.11:0").health()).isEqualTo(Health.DOWN);
    }
}
