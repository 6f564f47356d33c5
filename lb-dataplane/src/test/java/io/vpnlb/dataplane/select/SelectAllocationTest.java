package io.vpnlb.dataplane.select;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The lookup paths allocate nothing, interpreted or compiled (a coarse companion of {@code MaglevLookupBenchmark}
 * with {@code -prof gc}). Uses HotSpot's per-thread allocation counter; skipped where it is unavailable.
 */
class SelectAllocationTest {

    private static final int CALLS = 200_000;

    @Test
    void lookupPathsDoNotAllocate() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());

        final MaglevTable table = MaglevTable.build(
            new String[] {"192.0.2.10:500", "192.0.2.11:500", "192.0.2.12:500"}, new int[] {100, 100, 200}, 65_537);
        final WeightedRoundRobin wrr = new WeightedRoundRobin(new int[] {5, 1, 1});
        final int[] sessions = new int[3];
        final int[] weights = {2, 1, 1};
        final boolean[] eligible = {true, true, true};
        final byte[] ipv6 = new byte[16];

        long sink = run(table, wrr, sessions, weights, eligible, ipv6); // warm up, load classes
        final long before = threads.getCurrentThreadAllocatedBytes();
        sink += run(table, wrr, sessions, weights, eligible, ipv6);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(sink).isNotZero();
        // Slack for the counter itself; one allocation per call would be at least 16 * CALLS bytes.
        assertThat(allocated).isLessThan(1024);
    }

    private static long run(MaglevTable table, WeightedRoundRobin wrr, int[] sessions, int[] weights,
                            boolean[] eligible, byte[] ipv6) {
        long sink = 0;
        for (int n = 0; n < CALLS; n++) {
            ipv6[15] = (byte) n;
            sink += table.lookup(ClientHash.hashIpv4(n));
            sink += table.lookup(ClientHash.hash(ipv6));
            sink += wrr.next(eligible);
            sink += wrr.next();
            final int picked = LeastSessions.pick(sessions, weights, eligible);
            sessions[picked]++;
            sink += picked;
        }
        return sink;
    }
}
