package io.vpnlb.control.pool;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HealthTransitionsTest {

    /** Feeds check results to a member starting at {@code start} and returns the health after each. */
    private static List<Health> run(Health start, int rise, int fall, boolean... results) {
        List<Health> seen = new ArrayList<>();
        Health health = start;
        int successes = 0;
        int failures = 0;
        for (boolean up : results) {
            successes = up ? successes + 1 : 0;
            failures = up ? 0 : failures + 1;
            health = HealthTransitions.next(health, up, successes, failures, rise, fall);
            seen.add(health);
        }
        return seen;
    }

    @Test
    void anUpMemberGoesDownAfterFallFailuresInARow() {
        assertThat(run(Health.UP, 2, 3, false, false, true, false, false, false, false))
                .containsExactly(Health.STOPPING, Health.STOPPING, Health.UP, Health.STOPPING, Health.STOPPING,
                        Health.DOWN, Health.DOWN);
    }

    @Test
    void aDownMemberComesBackAfterRiseSuccessesInARow() {
        assertThat(run(Health.DOWN, 2, 3, true, false, true, true, true))
                .containsExactly(Health.STARTING, Health.DOWN, Health.STARTING, Health.UP, Health.UP);
    }

    @Test
    void riseAndFallOfOneSwitchAtOnce() {
        assertThat(run(Health.UP, 1, 1, false, true, false))
                .containsExactly(Health.DOWN, Health.UP, Health.DOWN);
    }

    @Test
    void stoppingStillServesAndStartingDoesNot() {
        assertThat(Health.STOPPING.serving()).isTrue();
        assertThat(Health.STARTING.serving()).isFalse();
        assertThat(Health.UP.serving()).isTrue();
        assertThat(Health.DOWN.serving()).isFalse();
    }
}
