package io.vpnlb.dataplane.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What the listener and upstream sockets pay per received datagram for the receive buffer, outside
 * {@link ListenerForwardBenchmark}'s view: {@code UdpChannels} gives every socket a
 * {@code FixedRecvByteBufAllocator(65_535)}, so each datagram, whatever its size, takes a 64 KiB direct buffer from
 * the channel's allocator ({@code ByteBufAllocator.DEFAULT}) and holds it until the write completes. Compared with
 * a buffer sized for the datagrams actually seen (2 KiB). Runs on {@link EventLoopThreadExecutor} threads so that
 * the allocators' thread-local caches behave as on an event loop.
 */
@State(Scope.Thread)
@Fork(value = 2, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Djmh.executor=CUSTOM",
    "-Djmh.executor.class=io.vpnlb.dataplane.udp.EventLoopThreadExecutor"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ReceiveBufferBenchmark {

    @Param({"2048", "65535"})
    int capacity;

    /** The allocator a channel uses unless configured otherwise (Netty 4.2: adaptive). */
    @Benchmark
    public ByteBuf defaultAllocator() {
        ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer(capacity);
        buf.release();
        return buf;
    }

    @Benchmark
    public ByteBuf pooledAllocator() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(capacity);
        buf.release();
        return buf;
    }
}
