package io.vpnlb.dataplane.udp;

import org.agrona.collections.Long2ObjectHashMap;
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

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Cost of finding the session of a datagram's sender, as {@link UdpListenerHandler} does it per datagram: the
 * sender's {@link InetSocketAddress} (which Netty hands over with the datagram) turned into the key
 * {@code ipv4 << 16 | port} by {@link UdpListenerHandler#ipv4Key}, then a get on the per-loop Agrona
 * {@link Long2ObjectHashMap}, grown from its default capacity as the handler's map is.
 *
 * <p>Senders are visited in a random order over all sessions so that, at 100,000 sessions, each get misses
 * the CPU caches as a busy listener's would. {@code miss} is the first lookup of a new client. Expect
 * {@code gc.alloc.rate.norm} of 0 B/op ({@code -prof gc}).
 */
@State(Scope.Thread)
@Fork(value = 2, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SessionLookupBenchmark {

    /** Senders visited per cycle; a power of two. */
    private static final int SENDERS = 1 << 17;
    private static final int SENDER_MASK = SENDERS - 1;

    @Param({"1000", "100000"})
    int sessions;

    private Long2ObjectHashMap<UdpSession> table;
    private InetSocketAddress[] known;
    private InetSocketAddress[] unknown;
    private int next;

    @Setup
    public void setUp() throws UnknownHostException {
        table = new Long2ObjectHashMap<>();
        SplittableRandom random = new SplittableRandom(42);
        InetSocketAddress[] clients = new InetSocketAddress[sessions];
        for (int i = 0; i < sessions; i++) {
            // 10.x.y.z with ephemeral ports, all distinct.
            InetAddress address = InetAddress.getByAddress(new byte[] {10, (byte) (i >>> 16), (byte) (i >>> 8),
                (byte) i});
            InetSocketAddress client = new InetSocketAddress(address, 1024 + random.nextInt(64_000));
            long key = UdpListenerHandler.ipv4Key(address, client.getPort());
            table.put(key, new UdpSession(key, client, null, null, null, null, 0L));
            clients[i] = client;
        }
        known = new InetSocketAddress[SENDERS];
        unknown = new InetSocketAddress[SENDERS];
        for (int i = 0; i < SENDERS; i++) {
            InetSocketAddress client = clients[random.nextInt(sessions)];
            // Netty allocates a new InetSocketAddress per received datagram: give each visit its own instance.
            known[i] = new InetSocketAddress(InetAddress.getByAddress(client.getAddress().getAddress()),
                client.getPort());
            unknown[i] = new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 172, 16,
                (byte) (i >>> 8), (byte) i}), 40_000);
        }
        if (lookup(known[0]) == null || lookup(unknown[0]) != null) {
            throw new IllegalStateException("fixture: lookup does not find the sessions");
        }
    }

    @Benchmark
    public UdpSession hit() {
        return lookup(known[next++ & SENDER_MASK]);
    }

    @Benchmark
    public UdpSession miss() {
        return lookup(unknown[next++ & SENDER_MASK]);
    }

    /** The handler's {@code lookup(InetSocketAddress)} for IPv4 senders. */
    private UdpSession lookup(InetSocketAddress sender) {
        InetAddress address = sender.getAddress();
        if (address instanceof Inet4Address) {
            return table.get(UdpListenerHandler.ipv4Key(address, sender.getPort()));
        }
        return null;
    }
}
