package io.vpnlb.dataplane.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.vpnlb.config.Algorithm;
import io.vpnlb.config.IkeConfig;
import io.vpnlb.config.ServiceType;
import io.vpnlb.dataplane.internal.FileDescriptorReserve;
import io.vpnlb.dataplane.internal.SessionLimit;
import io.vpnlb.dataplane.snapshot.DataPlaneSnapshot;
import io.vpnlb.dataplane.snapshot.ListenerSnapshot;
import io.vpnlb.dataplane.snapshot.MemberSnapshot;
import io.vpnlb.dataplane.snapshot.MemberStats;
import io.vpnlb.dataplane.snapshot.PoolSnapshot;
import io.vpnlb.dataplane.snapshot.ServiceSnapshot;
import io.vpnlb.dataplane.snapshot.SessionRouter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The per-datagram work of an ESTABLISHED session, through the real handlers and Netty's pipeline: a client
 * datagram enters the listener's pipeline ({@link UdpListenerHandler#channelRead}: counters, classification,
 * session lookup, SPI check, write of the same buffer to the session's upstream channel), then read-complete
 * flushes the upstream channel; a member reply enters the upstream pipeline ({@link UpstreamHandler}) and is
 * written to and flushed on the listener channel. Both channels are {@link EmbeddedChannel}s, whose write and
 * flush go through the same {@code ChannelOutboundBuffer} as the epoll and io_uring channels but end in a queue
 * instead of {@code sendmmsg}; the benchmark takes each buffer back from that queue and sends it in again.
 *
 * <p>The harness allocates nothing per operation: the same {@link DatagramPacket} objects and the same pooled
 * direct buffers go round (the channel hands each buffer back with reference count 1, as it was handed in; a
 * member reply is a pooled duplicate of its buffer, freed by the listener's write as a received buffer is).
 * {@link #harnessOnly} and {@link #harnessOnlyReply} run that bookkeeping alone, so that its {@code gc.alloc.rate.norm} (expected 0 B/op)
 * shows that whatever the other benchmarks allocate is the handlers' and Netty pipeline's.
 *
 * <p>Benchmark threads are {@link io.netty.util.concurrent.FastThreadLocalThread}s
 * ({@link EventLoopThreadExecutor}), as event loops are, so that Netty recycles its per-write
 * {@code ChannelOutboundBuffer.Entry} as it does in a running balancer (a plain JMH thread allocates 64 B per
 * write there).
 *
 * <p>Outside this benchmark's view, on a real socket Netty itself allocates per received datagram a
 * {@code DatagramPacket} and the sender's {@code InetSocketAddress} (with its {@code InetAddress}), which the
 * benchmark reuses instead.
 *
 * <p>{@code role}: {@code NAT_T} is an ikev2 service's UDP 4500 socket (datagrams classified; payload ESP),
 * {@code PLAIN} a {@code type: udp} service (no inspection).
 */
@State(Scope.Thread)
@Fork(value = 2, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Djmh.executor=CUSTOM",
    "-Djmh.executor.class=io.vpnlb.dataplane.udp.EventLoopThreadExecutor"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ListenerForwardBenchmark {

    /** Client flows; a power of two. Each has its own session and upstream channel. */
    static final int CLIENTS = 64;
    private static final int CLIENT_MASK = CLIENTS - 1;
    /** Datagrams per read in {@link #clientToMemberBatch16}: Netty's default maxMessagesPerRead for datagrams. */
    static final int BATCH = 16;
    private static final InetSocketAddress VIP = socket("203.0.113.10", 4500);

    @Param({"100", "1400"})
    int size;

    @Param({"NAT_T", "PLAIN"})
    ListenerSnapshot.Role role;

    private EmbeddedChannel listener;
    private ChannelPipeline listenerPipeline;
    private final List<EmbeddedChannel> upstreams = new ArrayList<>();
    private DatagramPacket[] requests;
    private ByteBuf[] requestBuffers;
    private MemberReply[] replies;
    private ByteBuf[] replyBuffers;
    private ChannelPipeline[] upstreamPipelines;
    private int next;

    @Setup
    public void setUp() {
        MemberSnapshot member = new MemberSnapshot("192.0.2.11:0", address("192.0.2.11"), 0, 100, 1, true, true,
                new MemberStats());
        PoolSnapshot pool = new PoolSnapshot("vpn", Algorithm.MAGLEV, List.of(member), List.of(member), null);
        boolean ikev2 = role == ListenerSnapshot.Role.NAT_T;
        ServiceSnapshot service = new ServiceSnapshot(0, "bench", ikev2 ? ServiceType.IKEV2 : ServiceType.UDP,
                VIP.getAddress(), List.of(new ListenerSnapshot("bench/4500", 4500, 4500, role)), true,
                TimeUnit.MINUTES.toNanos(5), 100_000, pool, IkeConfig.DEFAULT);
        DataPlaneSnapshot snapshot = new DataPlaneSnapshot(1, List.of(service));
        SessionRouter router = (s, l, client, first) -> member;
        UpstreamConnector connector = new UpstreamConnector() {
            @Override
            public ChannelFuture connect(EventLoop loop, ChannelHandler handler, InetSocketAddress target,
                                         InetSocketAddress local) {
                EmbeddedChannel upstream = new EmbeddedChannel(handler);
                upstreams.add(upstream);
                return upstream.newSucceededFuture();
            }
        };
        UdpListenerHandler handler = new UdpListenerHandler(0, 0, () -> snapshot, router, connector,
                new SessionLimit(), FileDescriptorReserve.UNLIMITED, ikev2 ? new FloodGuard() : null);
        listener = new EmbeddedChannel(handler);
        listenerPipeline = listener.pipeline();

        requests = new DatagramPacket[CLIENTS];
        requestBuffers = new ByteBuf[CLIENTS];
        replies = new MemberReply[CLIENTS];
        replyBuffers = new ByteBuf[CLIENTS];
        upstreamPipelines = new ChannelPipeline[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            InetSocketAddress client = socket("198.51.100." + (i + 1), 40_000 + i);
            requestBuffers[i] = esp(size, 0x1000_0000 + i);
            requests[i] = new DatagramPacket(requestBuffers[i], VIP, client);
            // The first datagram opens the session (outside the measurement).
            listenerPipeline.fireChannelRead(requests[i]);
            listenerPipeline.fireChannelReadComplete();
            EmbeddedChannel upstream = upstreams.get(i);
            if (upstream.readOutbound() != requestBuffers[i] || requestBuffers[i].refCnt() != 1) {
                throw new IllegalStateException("fixture: the first datagram was not forwarded as it was");
            }
            upstreamPipelines[i] = upstream.pipeline();
            replyBuffers[i] = esp(size, 0x2000_0000 + i);
            replies[i] = new MemberReply(socket("0.0.0.0", 50_000 + i), socket("192.0.2.11", 4500));
        }
        if (handler.sessionCount() != CLIENTS) {
            throw new IllegalStateException("fixture: " + handler.sessionCount() + " sessions");
        }
        // One reply per session so that the member-side SPI is learned before measuring.
        for (int i = 0; i < CLIENTS; i++) {
            memberToClient(i);
        }
    }

    @TearDown
    public void tearDown() {
        listener.finishAndReleaseAll();
        for (EmbeddedChannel upstream : upstreams) {
            upstream.finishAndReleaseAll();
        }
        for (int i = 0; i < CLIENTS; i++) {
            release(requestBuffers[i]);
            release(replyBuffers[i]);
        }
    }

    /** One client datagram of an established session, then read-complete: the flush per datagram. */
    @Benchmark
    public ByteBuf clientToMember() {
        int i = next++ & CLIENT_MASK;
        listenerPipeline.fireChannelRead(requests[i]);
        listenerPipeline.fireChannelReadComplete();
        return takeForwarded(i);
    }

    /** {@value #BATCH} client datagrams (16 sessions) and one read-complete, as one epoll read loop delivers. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public ByteBuf clientToMemberBatch16() {
        int first = next;
        next += BATCH;
        for (int n = 0; n < BATCH; n++) {
            listenerPipeline.fireChannelRead(requests[(first + n) & CLIENT_MASK]);
        }
        listenerPipeline.fireChannelReadComplete();
        ByteBuf last = null;
        for (int n = 0; n < BATCH; n++) {
            last = takeForwarded((first + n) & CLIENT_MASK);
        }
        return last;
    }

    /** One member reply of an established session, then read-complete (the listener's flush). */
    @Benchmark
    public ByteBuf memberToClient() {
        return memberToClient(next++ & CLIENT_MASK);
    }

    /** The harness's own per-operation work without the handlers: its allocation must be 0 B/op. */
    @Benchmark
    public ByteBuf harnessOnly() {
        int i = next++ & CLIENT_MASK;
        DatagramPacket packet = requests[i];
        ByteBuf content = packet.content();
        content.retain();
        content.release();
        return content;
    }

    /** The harness's own per-reply work without the handlers: its allocation must be 0 B/op. */
    @Benchmark
    public ByteBuf harnessOnlyReply() {
        int i = next++ & CLIENT_MASK;
        ByteBuf received = replyBuffers[i].retainedDuplicate();
        replies[i].content = received;
        received.release();
        return received;
    }

    private ByteBuf memberToClient(int i) {
        ChannelPipeline upstream = upstreamPipelines[i];
        // As a socket read hands over a buffer of its own, which the listener's write frees: a pooled duplicate
        // of the reply buffer (recycled by Netty), so that the reply's envelope is freed and pooled as in a
        // running balancer.
        MemberReply reply = replies[i];
        reply.content = replyBuffers[i].retainedDuplicate();
        upstream.fireChannelRead(reply);
        upstream.fireChannelReadComplete();
        // The listener's flush runs once the event loop has read every ready socket: here, now.
        listener.runPendingTasks();
        Object out = listener.readOutbound();
        if (!(out instanceof DatagramPacket)) {
            throw new IllegalStateException("reply " + i + " not sent to the client: " + out);
        }
        ByteBuf content = ((DatagramPacket) out).content();
        if (content != reply.content || content.unwrap() != replyBuffers[i]) {
            throw new IllegalStateException("reply " + i + " sent with another buffer");
        }
        ((DatagramPacket) out).release();
        return replyBuffers[i];
    }

    private ByteBuf takeForwarded(int i) {
        Object out = upstreams.get(i).readOutbound();
        if (out != requestBuffers[i]) {
            throw new IllegalStateException("datagram of client " + i + " not forwarded as it was: " + out);
        }
        return (ByteBuf) out;
    }

    private static void release(ByteBuf buf) {
        if (buf.refCnt() > 0) {
            buf.release(buf.refCnt());
        }
    }

    /** A received member datagram whose buffer the harness sets per operation. */
    private static final class MemberReply extends DatagramPacket {

        ByteBuf content;

        MemberReply(InetSocketAddress recipient, InetSocketAddress sender) {
            super(io.netty.buffer.Unpooled.EMPTY_BUFFER, recipient, sender);
        }

        @Override
        public ByteBuf content() {
            return content;
        }
    }

    private static ByteBuf esp(int size, int spi) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(size);
        buf.writeInt(spi);
        buf.writeInt(1);
        buf.writeZero(size - 8);
        return buf;
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    private static InetSocketAddress socket(String literal, int port) {
        return new InetSocketAddress(address(literal), port);
    }
}
