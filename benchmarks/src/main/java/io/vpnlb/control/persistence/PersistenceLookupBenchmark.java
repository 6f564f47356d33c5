package io.vpnlb.control.persistence;

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

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Cost of the shared tables the router consults when a session is created (never per datagram of an established
 * session): {@link PersistenceTable#get} for the client address, {@link SaTable#ikeHolder} for an IKE SA that
 * arrives from a new address (MOBIKE, NAT rebinding) and {@link SaTable#espHolder} for ESP. All lookups hit.
 *
 * <p>Allocation is acceptable here (session creation) but reported: the SA tables are keyed by boxed
 * {@code Long} and {@code Integer}, so a lookup of an SPI outside the small-value caches boxes its key.
 */
@State(Scope.Thread)
@Fork(value = 2, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PersistenceLookupBenchmark {

    private static final int MEMBERS = 4;

    @Param({"1000", "100000"})
    int entries;

    private PersistenceTable persistence;
    private SaTable sas;
    private InetAddress[] clients;
    private long[] initiatorSpis;
    private long[] responderSpis;
    private int[] espSpis;
    private int next;

    @Setup
    public void setUp() throws UnknownHostException {
        persistence = new PersistenceTable("vip 203.0.113.10", Duration.ofMinutes(10), 1_000_000);
        sas = new SaTable(Duration.ofMinutes(10), 1_000_000);
        InetAddress[] members = new InetAddress[MEMBERS];
        for (int m = 0; m < MEMBERS; m++) {
            members[m] = InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) (11 + m)});
        }
        SplittableRandom random = new SplittableRandom(42);
        clients = new InetAddress[entries];
        initiatorSpis = new long[entries];
        responderSpis = new long[entries];
        espSpis = new int[entries];
        for (int i = 0; i < entries; i++) {
            clients[i] = InetAddress.getByAddress(new byte[] {(byte) 198, (byte) (i >>> 16), (byte) (i >>> 8),
                (byte) i});
            initiatorSpis[i] = random.nextLong() | 1L << 62;
            responderSpis[i] = random.nextLong() | 1L << 62;
            espSpis[i] = random.nextInt() | 1 << 30;
            InetAddress member = members[i % MEMBERS];
            persistence.put(clients[i], member);
            sas.learnIke(initiatorSpis[i], responderSpis[i], member);
            sas.learnEsp(espSpis[i], member);
        }
        for (int i = 0; i < entries; i++) {
            // A session's lookup uses the address Netty allocated for the datagram, not the stored key.
            clients[i] = InetAddress.getByAddress(clients[i].getAddress());
        }
        if (persistence.get(clients[0]) == null || sas.ikeHolder(initiatorSpis[0], 0) == null
                || sas.espHolder(espSpis[0]) == null) {
            throw new IllegalStateException("fixture: lookups miss");
        }
    }

    private int nextIndex() {
        int i = next++;
        if (next == entries) {
            next = 0;
        }
        return i;
    }

    @Benchmark
    public InetAddress persistenceGet() {
        return persistence.get(clients[nextIndex()]);
    }

    /** An IKE SA found by its initiator SPI (the common case: MOBIKE keeps both SPIs). */
    @Benchmark
    public InetAddress ikeHolder() {
        int i = nextIndex();
        return sas.ikeHolder(initiatorSpis[i], responderSpis[i]);
    }

    @Benchmark
    public InetAddress espHolder() {
        return sas.espHolder(espSpis[nextIndex()]);
    }
}
