package io.vpnlb.dataplane.select;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeightedRoundRobinTest {

    private static int[] picks(WeightedRoundRobin wrr, boolean[] eligible, int count) {
        final int[] picks = new int[count];
        for (int i = 0; i < count; i++) {
            picks[i] = wrr.next(eligible);
        }
        return picks;
    }

    private static boolean[] all(int count) {
        final boolean[] eligible = new boolean[count];
        java.util.Arrays.fill(eligible, true);
        return eligible;
    }

    @Test
    void nginxDocumentedSequenceFor511() {
        // nginx: weights { 5, 1, 1 } give { a, a, b, a, c, a, a }, then repeat.
        final WeightedRoundRobin wrr = new WeightedRoundRobin(new int[] {5, 1, 1});
        assertThat(picks(wrr, all(3), 14)).containsExactly(0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0);
    }

    @Test
    void nextWithoutEligibilityEqualsAllEligible() {
        final WeightedRoundRobin wrr = new WeightedRoundRobin(new int[] {5, 1, 1});
        final int[] picks = new int[7];
        for (int i = 0; i < picks.length; i++) {
            picks[i] = wrr.next();
        }
        assertThat(picks).containsExactly(0, 0, 1, 0, 2, 0, 0);
    }

    @Test
    void equalWeightsCycle() {
        final WeightedRoundRobin wrr = new WeightedRoundRobin(new int[] {1, 1, 1});
        assertThat(picks(wrr, all(3), 7)).containsExactly(0, 1, 2, 0, 1, 2, 0);
    }

    @Test
    void weights21() {
        // c = (2,1) -> 0 -> (-1,1); (1,2) -> 1 -> (1,-1); (3,0) -> 0 -> (0,0).
        final WeightedRoundRobin wrr = new WeightedRoundRobin(new int[] {2, 1});
        assertThat(picks(wrr, all(2), 6)).containsExactly(0, 1, 0, 0, 1, 0);
    }

    @Test
    void weightZeroNeverPicked() {
        final WeightedRoundRobin wrr = new WeightedRoundRobin(new int[] {0, 1, 0, 1});
        assertThat(picks(wrr, all(4), 6)).containsExactly(1, 3, 1, 3, 1, 3);
    }

    @Test
    void ineligibleSkipped() {
        // b ineligible: a and c share a total of 6. c = (5,1) -> a; (4,2) -> a; (3,3) tie -> a;
        // (2,4) -> c; (7,-1) -> a; (6,0) -> a; back to (0,0).
        final WeightedRoundRobin wrr = new WeightedRoundRobin(new int[] {5, 1, 1});
        assertThat(picks(wrr, new boolean[] {true, false, true}, 12))
            .containsExactly(0, 0, 0, 2, 0, 0, 0, 0, 0, 2, 0, 0);
    }

    @Test
    void memberReturningToEligibilityKeepsItsCurrentWeight() {
        final WeightedRoundRobin wrr = new WeightedRoundRobin(new int[] {1, 1, 1});
        assertThat(picks(wrr, new boolean[] {false, true, true}, 3)).containsExactly(1, 2, 1);
        // c = (0,-1,1) before; all add 1 -> (1,0,2) -> 2; (2,1,0) -> 0; (0,2,1) -> 1.
        assertThat(picks(wrr, all(3), 3)).containsExactly(2, 0, 1);
    }

    @Test
    void noneEligibleReturnsMinusOneAndKeepsState() {
        final WeightedRoundRobin wrr = new WeightedRoundRobin(new int[] {5, 1, 1});
        assertThat(picks(wrr, all(3), 2)).containsExactly(0, 0);
        assertThat(wrr.next(new boolean[3])).isEqualTo(-1);
        assertThat(picks(wrr, all(3), 5)).containsExactly(1, 0, 2, 0, 0);
    }

    @Test
    void allWeightsZeroReturnsMinusOne() {
        final WeightedRoundRobin wrr = new WeightedRoundRobin(new int[] {0, 0});
        assertThat(wrr.next(all(2))).isEqualTo(-1);
        assertThat(wrr.next()).isEqualTo(-1);
        assertThat(new WeightedRoundRobin(new int[0]).next()).isEqualTo(-1);
    }

    @Test
    void copiesWeights() {
        final int[] weights = {1, 1};
        final WeightedRoundRobin wrr = new WeightedRoundRobin(weights);
        weights[0] = 0;
        assertThat(picks(wrr, all(2), 4)).containsExactly(0, 1, 0, 1);
        assertThat(wrr.memberCount()).isEqualTo(2);
    }

    @Test
    void rejectsNegativeWeight() {
        assertThatThrownBy(() -> new WeightedRoundRobin(new int[] {1, -1}))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("weights[1]: -1 (expected: >= 0)");
    }
}
