package io.vpnlb.dataplane.select;

/**
 * Least sessions per unit of weight.
 *
 * <p>{@link #pick} returns the eligible member of positive weight with the lowest {@code sessions[i] / weights[i]}.
 * Ratios are compared exactly by cross-multiplication in {@code long}
 * ({@code s[i] * w[best] < s[best] * w[i]}), without floating point. <b>Ties go to the lowest index.</b>
 * Starting from zero sessions and adding one session to each pick, weights {@code {2, 1}} give
 * {@code 0, 1, 0, 0, 1, 0} and repeat.
 *
 * <p>Stateless, thread safe and allocation free; the session counts are the caller's (per event loop).
 */
public final class LeastSessions {

    private LeastSessions() {
    }

    /**
     * Picks the member with the fewest sessions per unit of weight.
     *
     * @param sessions per member, {@code >= 0}
     * @param weights  per member; a member of weight {@code <= 0} is never picked
     * @param eligible per member
     * @return the member index, or -1 if no eligible member has a positive weight
     */
    public static int pick(int[] sessions, int[] weights, boolean[] eligible) {
        int best = -1;
        long bestSessions = 0;
        long bestWeight = 1;
        for (int i = 0; i < weights.length; i++) {
            final int weight = weights[i];
            if (weight <= 0 || !eligible[i]) {
                continue;
            }
            final long memberSessions = sessions[i];
            if (best < 0 || memberSessions * bestWeight < bestSessions * weight) {
                best = i;
                bestSessions = memberSessions;
                bestWeight = weight;
            }
        }
        return best;
    }
}
