package io.vpnlb.dataplane.select;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Cost of choosing a member for a new client by Maglev: {@link ClientHash} of the client address plus
 * {@link MaglevTable#lookup(long)} on a {@link MaglevTable#DEFAULT_TABLE_SIZE} table. Clients cycle through
 * {@value #CLIENTS} random addresses so that the slot reads are not all one cache line. Expect
 * {@code gc.alloc.rate.norm} of 0 B/op ({@code -prof gc}).
 */
@State(Scope.Thread)
@Fork(value = 2, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MaglevLookupBenchmark {

    private static final int CLIENTS = 4096;
    private static final int CLIENT_MASK = CLIENTS - 1;

    @Param({"3", "10", "100"})
    int memberCount;

    private MaglevTable table;
    private int[] ipv4Clients;
    private byte[][] ipv6Clients;
    private int next;

    @Setup
    public void setUp() {
        final String[] keys = new String[memberCount];
        final int[] weights = new int[memberCount];
        for (int i = 0; i < memberCount; i++) {
            keys[i] = "10.1." + (i >>> 8) + "." + (i & 0xFF) + ":500";
        }
        Arrays.fill(weights, 100);
        table = MaglevTable.build(keys, weights, MaglevTable.DEFAULT_TABLE_SIZE);

        final SplittableRandom random = new SplittableRandom(42);
        ipv4Clients = new int[CLIENTS];
        ipv6Clients = new byte[CLIENTS][16];
        for (int i = 0; i < CLIENTS; i++) {
            ipv4Clients[i] = random.nextInt();
            random.nextBytes(ipv6Clients[i]);
        }
    }

    @Benchmark
    public int lookupIpv4() {
        return table.lookup(ClientHash.hashIpv4(ipv4Clients[next++ & CLIENT_MASK]));
    }

    @Benchmark
    public int lookupIpv6() {
        return table.lookup(ClientHash.hash(ipv6Clients[next++ & CLIENT_MASK]));
    }
}
