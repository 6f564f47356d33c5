package io.vpnlb.dataplane.select;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class LeastSessionsTest {

    /** Picks {@code count} times from zero sessions, adding a session to each picked member. */
    private static int[] picksFromZero(int[] weights, boolean[] eligible, int count) {
        final int[] sessions = new int[weights.length];
        final int[] picks = new int[count];
        for (int i = 0; i < count; i++) {
            picks[i] = LeastSessions.pick(sessions, weights, eligible);
            if (picks[i] >= 0) {
                sessions[picks[i]]++;
            }
        }
        return picks;
    }

    private static boolean[] all(int count) {
        final boolean[] eligible = new boolean[count];
        Arrays.fill(eligible, true);
        return eligible;
    }

    @Test
    void equalWeightsCycle() {
        assertThat(picksFromZero(new int[] {1, 1, 1}, all(3), 6)).containsExactly(0, 1, 2, 0, 1, 2);
    }

    @Test
    void weights21() {
        // sessions (0,0): 0/2 = 0/1 tie -> 0; (1,0): 1/2 > 0 -> 1; (1,1): 1/2 < 1 -> 0;
        // (2,1): 1 = 1 tie -> 0; (3,1): 3/2 > 1 -> 1; (3,2): 3/2 < 2 -> 0.
        assertThat(picksFromZero(new int[] {2, 1}, all(2), 6)).containsExactly(0, 1, 0, 0, 1, 0);
    }

    @Test
    void weights13TiesGoToLowestIndex() {
        // (0,0) tie -> 0; (1,0): 1 > 0 -> 1; (1,1): 1 > 1/3 -> 1; (1,2): 1 > 2/3 -> 1;
        // (1,3): 1 = 1 tie -> 0; (2,3): 2 > 1 -> 1; (2,4): 2 > 4/3 -> 1; (2,5): 2 > 5/3 -> 1.
        assertThat(picksFromZero(new int[] {1, 3}, all(2), 8)).containsExactly(0, 1, 1, 1, 0, 1, 1, 1);
    }

    @Test
    void comparesRatiosByCrossMultiplication() {
        // 4/6 == 2/3 exactly: a tie, so the lowest index, whichever way round.
        assertThat(LeastSessions.pick(new int[] {4, 2}, new int[] {6, 3}, all(2))).isEqualTo(0);
        assertThat(LeastSessions.pick(new int[] {2, 4}, new int[] {3, 6}, all(2))).isEqualTo(0);
        // 667/1000 > 666/999.
        assertThat(LeastSessions.pick(new int[] {667, 666}, new int[] {1000, 999}, all(2))).isEqualTo(1);
        // Products beyond int: 2e9 * 999 < 1_999_999_999 * 1000 in long; int arithmetic would overflow.
        assertThat(LeastSessions.pick(new int[] {1_999_999_999, 2_000_000_000}, new int[] {1000, 999}, all(2)))
            .isEqualTo(0);
        assertThat(LeastSessions.pick(new int[] {2_000_000_000, 1_999_999_999}, new int[] {999, 1000}, all(2)))
            .isEqualTo(1);
    }

    @Test
    void weightZeroNeverPicked() {
        assertThat(picksFromZero(new int[] {0, 1, 0, 1}, all(4), 4)).containsExactly(1, 3, 1, 3);
        assertThat(LeastSessions.pick(new int[] {0, 100}, new int[] {0, 1}, all(2))).isEqualTo(1);
    }

    @Test
    void ineligibleSkipped() {
        assertThat(picksFromZero(new int[] {1, 1, 1}, new boolean[] {true, false, true}, 4))
            .containsExactly(0, 2, 0, 2);
        assertThat(LeastSessions.pick(new int[] {0, 5, 9}, new int[] {1, 1, 1}, new boolean[] {false, true, true}))
            .isEqualTo(1);
    }

    @Test
    void noneEligibleReturnsMinusOne() {
        assertThat(LeastSessions.pick(new int[] {0, 0}, new int[] {1, 1}, new boolean[2])).isEqualTo(-1);
        assertThat(LeastSessions.pick(new int[] {0, 0}, new int[] {0, 0}, all(2))).isEqualTo(-1);
        assertThat(LeastSessions.pick(new int[0], new int[0], new boolean[0])).isEqualTo(-1);
    }
}
