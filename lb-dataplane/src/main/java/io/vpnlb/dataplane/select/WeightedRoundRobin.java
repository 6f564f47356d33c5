package io.vpnlb.dataplane.select;

import java.util.Arrays;

/**
 * Smooth weighted round-robin over member indices, as nginx's {@code ngx_http_upstream_get_peer()} in
 * {@code src/http/ngx_http_upstream_round_robin.c}, without its failure-driven {@code effective_weight}.
 *
 * <p>Each member {@code i} keeps a current weight {@code c[i]}, initially 0. On each pick every eligible
 * member of positive weight adds its weight, {@code c[i] += w[i]}; the member with the largest {@code c[i]}
 * is chosen (ties go to the lowest index) and pays the total weight of the members that took part,
 * {@code c[best] -= sum(w)}. With stable eligibility, starting from the initial state, every run of
 * {@code sum(w)} picks chooses member {@code i} exactly {@code w[i]} times, spread out evenly: weights
 * {@code {5, 1, 1}} give {@code 0, 0, 1, 0, 2, 0, 0} and repeat.
 *
 * <p>Members that are ineligible or have weight 0 are skipped and keep their current weight. Weights are fixed
 * for the life of an instance; build a new one when a snapshot changes them.
 *
 * <p><b>Not thread safe.</b> It is the per-event-loop round-robin cursor: one instance per event loop, used only
 * from that loop. {@link #next} is allocation free.
 */
public final class WeightedRoundRobin {

    private final int[] weights;
    private final int[] currentWeights;
    private final boolean[] allEligible;

    /**
     * Creates the cursor.
     *
     * @param weights per member, {@code >= 0}; 0 is never picked. Copied.
     * @throws IllegalArgumentException if {@code weights} is null or holds a negative weight
     */
    public WeightedRoundRobin(int[] weights) {
        if (weights == null) {
            throw new IllegalArgumentException("weights: null (expected: an array)");
        }
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] < 0) {
                throw new IllegalArgumentException("weights[" + i + "]: " + weights[i] + " (expected: >= 0)");
            }
        }
        this.weights = weights.clone();
        this.currentWeights = new int[weights.length];
        this.allEligible = new boolean[weights.length];
        Arrays.fill(allEligible, true);
    }

    /**
     * Picks the next member among the eligible ones.
     *
     * @param eligible per member, indexed like the weights; at least {@link #memberCount()} long
     * @return the member index, or -1 if no eligible member has a positive weight (state is then unchanged)
     */
    public int next(boolean[] eligible) {
        final int[] weights = this.weights;
        final int[] current = this.currentWeights;
        int total = 0;
        int best = -1;
        for (int i = 0; i < weights.length; i++) {
            final int weight = weights[i];
            if (weight == 0 || !eligible[i]) {
                continue;
            }
            current[i] += weight;
            total += weight;
            if (best < 0 || current[i] > current[best]) {
                best = i;
            }
        }
        if (best >= 0) {
            current[best] -= total;
        }
        return best;
    }

    /**
     * Picks the next member, every member being eligible.
     *
     * @return the member index, or -1 if every weight is 0
     */
    public int next() {
        return next(allEligible);
    }

    /** Returns the number of members, including those of weight 0. */
    public int memberCount() {
        return weights.length;
    }
}
