package io.vpnlb.dataplane.select;

import io.vpnlb.config.MemberConfig;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/**
 * An immutable, weighted Maglev lookup table: consistent hashing of clients to members (Eisenbud et al.,
 * "Maglev: A Fast and Reliable Software Network Load Balancer", NSDI 2016, section 3.4).
 *
 * <p><b>Permutations.</b> Each member key (vpnlb passes {@code "address:port"}) is hashed twice with
 * {@link ClientHash XXH64} over its UTF-8 bytes, once with seed {@link #OFFSET_SEED} and once with
 * {@link #SKIP_SEED}: {@code offset = h1 mod M}, {@code skip = h2 mod (M - 1) + 1}, both unsigned, where
 * {@code M} is the prime table size. The member's preference list is
 * {@code (offset + j * skip) mod M, j = 0, 1, 2, ...}, which visits every slot once because {@code M} is prime.
 *
 * <p><b>Weights</b> follow Katran's {@code MaglevHashV2}: members take turns in a fixed order; on every pass
 * each member adds its weight to a running credit, and when the credit reaches the largest weight {@code W}
 * the member spends {@code W} to claim the next free slot of its preference list. A member therefore claims
 * slots at a rate proportional to its weight (a member with the largest weight claims one per pass), and a
 * member of weight 0 never claims one. With equal weights this is the unweighted algorithm of the paper.
 *
 * <p><b>Member order does not matter.</b> Members take turns in the order of their keys
 * ({@link String#compareTo}), not in the order of the arrays given to {@link #build}, so two vpnlb instances
 * whose configurations list the same members in a different order map every client to the same member key.
 * Keys must therefore be unique. {@link #lookup} still answers indices into the arrays given to {@link #build}.
 *
 * <p><b>Lookup</b> maps a 64-bit client hash to a slot with Lemire's multiply-shift range reduction on its
 * high 32 bits, {@code slot = ((hash >>> 32) * M) >>> 32}, which needs no division; XXH64 mixes all input
 * bits into the high half. {@link #lookup} is allocation free and an instance is safely shared by all event
 * loops once published (all fields are final).
 */
public final class MaglevTable {

    /** The table size used unless configured otherwise; the paper's smaller prime. */
    public static final int DEFAULT_TABLE_SIZE = 65_537;
    /** The largest member weight, {@value}, as in the configuration. */
    public static final int MAX_WEIGHT = MemberConfig.MAX_WEIGHT;
    /** XXH64 seed for a member's offset: ASCII {@code "maglev-o"}. Fixed forever. */
    public static final long OFFSET_SEED = 0x6D61_676C_6576_2D6FL;
    /** XXH64 seed for a member's skip: ASCII {@code "maglev-s"}. Fixed forever. */
    public static final long SKIP_SEED = 0x6D61_676C_6576_2D73L;

    private static final int EMPTY = -1;

    /** Slot to member index (index into the arrays given to {@link #build}). */
    private final int[] slots;
    private final int[] slotsPerMember;

    private MaglevTable(int[] slots, int[] slotsPerMember) {
        this.slots = slots;
        this.slotsPerMember = slotsPerMember;
    }

    /**
     * Builds a table. Costs {@code O(M log M)} hash probes plus {@code O(M * n)} turn checks in the worst
     * weight skew; run it when a snapshot is built, never per packet.
     *
     * @param memberKeys stable, unique member identities, e.g. {@code "192.0.2.10:500"}
     * @param weights    per member, 0..{@value #MAX_WEIGHT}; 0 gives the member no slots; at least one must be
     *                   positive
     * @param tableSize  a prime, e.g. {@link #DEFAULT_TABLE_SIZE}; should be far larger than the member count
     *                   (the paper uses {@code M > 100 n} for under 1% imbalance)
     * @return the table; {@link #lookup} answers indices into {@code memberKeys}
     * @throws IllegalArgumentException if the arrays are empty or differ in length, a key is null or repeated,
     *                                  a weight is out of range, no weight is positive, or the size is not prime
     */
    public static MaglevTable build(String[] memberKeys, int[] weights, int tableSize) {
        validate(memberKeys, weights, tableSize);
        final int n = memberKeys.length;
        final int[] order = sortedByKey(memberKeys);

        // Turn position t is member order[t].
        final int[] offsets = new int[n];
        final int[] skips = new int[n];
        final int[] turnWeights = new int[n];
        for (int t = 0; t < n; t++) {
            final byte[] key = memberKeys[order[t]].getBytes(StandardCharsets.UTF_8);
            final long offsetHash = ClientHash.xxh64(key, 0, key.length, OFFSET_SEED);
            final long skipHash = ClientHash.xxh64(key, 0, key.length, SKIP_SEED);
            offsets[t] = (int) Long.remainderUnsigned(offsetHash, tableSize);
            skips[t] = (int) Long.remainderUnsigned(skipHash, tableSize - 1) + 1;
            turnWeights[t] = weights[order[t]];
        }

        final int[] slots = populate(offsets, skips, turnWeights, tableSize);
        final int[] slotsPerMember = new int[n];
        for (int slot = 0; slot < tableSize; slot++) {
            final int member = order[slots[slot]];
            slots[slot] = member;
            slotsPerMember[member]++;
        }
        return new MaglevTable(slots, slotsPerMember);
    }

    /**
     * The weighted Maglev population loop (the paper's Pseudocode 1 with Katran's {@code MaglevHashV2} turns).
     * Members are given in turn order; member {@code t} prefers slots {@code (offsets[t] + j * skips[t]) mod
     * tableSize}. Package-private so that tests can check it against the paper's worked example.
     *
     * @param weights per member, at least one positive
     * @return slot to member (turn position)
     */
    static int[] populate(int[] offsets, int[] skips, int[] weights, int tableSize) {
        final int n = weights.length;
        int maxWeight = 0;
        for (int weight : weights) {
            maxWeight = Math.max(maxWeight, weight);
        }
        final int[] slots = new int[tableSize];
        Arrays.fill(slots, EMPTY);
        final int[] next = offsets.clone();
        final int[] credit = new int[n];
        int filled = 0;
        while (true) {
            for (int t = 0; t < n; t++) {
                credit[t] += weights[t];
                if (credit[t] < maxWeight) {
                    continue;
                }
                credit[t] -= maxWeight;
                int slot = next[t];
                while (slots[slot] != EMPTY) {
                    slot = advance(slot, skips[t], tableSize);
                }
                slots[slot] = t;
                next[t] = advance(slot, skips[t], tableSize);
                if (++filled == tableSize) {
                    return slots;
                }
            }
        }
    }

    /**
     * Picks the member for a client.
     *
     * @param clientHash the client's {@link ClientHash} value
     * @return the member index, an index into the arrays given to {@link #build}; never a member of weight 0
     */
    public int lookup(long clientHash) {
        return slots[(int) (((clientHash >>> 32) * slots.length) >>> 32)];
    }

    /** Returns the table size {@code M}. */
    public int tableSize() {
        return slots.length;
    }

    /** Returns the number of members given to {@link #build}, including those of weight 0. */
    public int memberCount() {
        return slotsPerMember.length;
    }

    /**
     * Returns how many slots each member owns, indexed like the arrays given to {@link #build}; for tests and
     * metrics. Allocates a copy.
     */
    public int[] slotsPerMember() {
        return slotsPerMember.clone();
    }

    /** Returns a copy of the slot-to-member array; for tests. */
    int[] copyOfSlots() {
        return slots.clone();
    }

    /** Returns {@code slot + skip} modulo {@code size}, without overflow, for {@code slot, skip < size}. */
    private static int advance(int slot, int skip, int size) {
        final int sum = slot - size + skip;
        return sum < 0 ? sum + size : sum;
    }

    private static int[] sortedByKey(String[] memberKeys) {
        final Integer[] boxed = new Integer[memberKeys.length];
        for (int i = 0; i < boxed.length; i++) {
            boxed[i] = i;
        }
        Arrays.sort(boxed, Comparator.comparing(i -> memberKeys[i]));
        final int[] order = new int[boxed.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = boxed[i];
        }
        return order;
    }

    private static void validate(String[] memberKeys, int[] weights, int tableSize) {
        if (memberKeys == null || weights == null) {
            throw new IllegalArgumentException("memberKeys and weights: null (expected: arrays)");
        }
        if (memberKeys.length == 0) {
            throw new IllegalArgumentException("memberKeys.length: 0 (expected: > 0)");
        }
        if (weights.length != memberKeys.length) {
            throw new IllegalArgumentException("weights.length: " + weights.length
                + " (expected: memberKeys.length=" + memberKeys.length + ")");
        }
        if (!isPrime(tableSize)) {
            throw new IllegalArgumentException("tableSize: " + tableSize + " (expected: a prime, e.g. "
                + DEFAULT_TABLE_SIZE + ")");
        }
        boolean anyPositive = false;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] < 0 || weights[i] > MAX_WEIGHT) {
                throw new IllegalArgumentException("weights[" + i + "]: " + weights[i]
                    + " (expected: 0.." + MAX_WEIGHT + ")");
            }
            anyPositive |= weights[i] > 0;
        }
        if (!anyPositive) {
            throw new IllegalArgumentException("weights: all 0 (expected: at least one > 0)");
        }
        final String[] sorted = memberKeys.clone();
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] == null) {
                throw new IllegalArgumentException("memberKeys[" + i + "]: null (expected: a key)");
            }
        }
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i].equals(sorted[i - 1])) {
                throw new IllegalArgumentException("memberKeys: " + sorted[i] + " repeated (expected: unique)");
            }
        }
    }

    /** Deterministic trial division; table sizes are small enough (at most 46,341 divisions). */
    static boolean isPrime(int value) {
        if (value < 2) {
            return false;
        }
        if (value % 2 == 0) {
            return value == 2;
        }
        for (int divisor = 3; (long) divisor * divisor <= value; divisor += 2) {
            if (value % divisor == 0) {
                return false;
            }
        }
        return true;
    }
}
