package io.vpnlb.dataplane.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.vpnlb.dataplane.snapshot.MemberSnapshot;
import io.vpnlb.dataplane.snapshot.ServiceSnapshot;
import io.vpnlb.dataplane.snapshot.SessionRouter;
import io.vpnlb.dataplane.wire.DatagramClassifier;
import io.vpnlb.dataplane.wire.DatagramKind;
import io.vpnlb.dataplane.wire.IkeHeaderFlyweight;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * One client address and port on one listener, bound to one member for its whole life, with its own upstream
 * socket toward that member. Confined to the event loop of the listener socket that created it.
 */
public final class UdpSession {

    /** Datagrams held while the upstream socket is still connecting. */
    static final int MAX_PENDING = 32;

    final long key;
    final InetSocketAddress client;
    final ServiceSnapshot service;
    final MemberSnapshot member;
    final InetSocketAddress target;
    final UdpListenerHandler listener;
    Channel upstream;
    long lastActivityNanos;
    final long createdNanos;
    /** Opened by an IKE_SA_INIT request that the member has not answered yet. */
    boolean halfOpen;
    boolean upstreamFlushPending;
    /** The SPIs this session last reported to the router, so that each is learned once, not per datagram. */
    private long ikeInitiatorSpi;
    private long ikeResponderSpi;
    private int espSpiFromClient;
    private int espSpiFromMember;
    private long spisLearnedNanos;
    private ArrayDeque<ByteBuf> pending;
    private boolean closed;

    UdpSession(long key, InetSocketAddress client, ServiceSnapshot service, MemberSnapshot member,
               InetSocketAddress target, UdpListenerHandler listener, long nowNanos) {
        this.key = key;
        this.client = client;
        this.service = service;
        this.member = member;
        this.target = target;
        this.listener = listener;
        this.lastActivityNanos = nowNanos;
        this.createdNanos = nowNanos;
        this.spisLearnedNanos = nowNanos;
    }

    /** Reports the SPIs of a client datagram to the router when they are new to this session. */
    void observeClient(DatagramClassifier datagram, SessionRouter router) {
        if (datagram.kind() == DatagramKind.IKE) {
            observeIke(datagram.ike(), router);
        } else if (datagram.kind() == DatagramKind.ESP && datagram.espSpi() != espSpiFromClient) {
            espSpiFromClient = datagram.espSpi();
            router.learnEsp(service, member, espSpiFromClient);
        }
    }

    /**
     * Reports the SPIs of a member datagram to the router when they are new to this session, and counts the
     * member's IKE_SA_INIT responses and whether they offer RFC 7383 fragmentation.
     */
    void observeMember(DatagramClassifier datagram, SessionRouter router) {
        if (datagram.kind() == DatagramKind.IKE) {
            IkeHeaderFlyweight ike = datagram.ike();
            if (ike.exchangeType() == IkeHeaderFlyweight.EXCHANGE_IKE_SA_INIT && ike.isResponse()
                    && ike.responderSpi() != ikeResponderSpi) {
                member.stats().ikeSaInitResponse(
                        ike.hasNotify(IkeHeaderFlyweight.NOTIFY_IKEV2_FRAGMENTATION_SUPPORTED));
            }
            observeIke(ike, router);
        } else if (datagram.kind() == DatagramKind.ESP && datagram.espSpi() != espSpiFromMember) {
            espSpiFromMember = datagram.espSpi();
            router.learnEsp(service, member, espSpiFromMember);
        }
    }

    private void observeIke(IkeHeaderFlyweight ike, SessionRouter router) {
        long initiator = ike.initiatorSpi();
        long responder = ike.responderSpi();
        if (initiator != ikeInitiatorSpi || responder != ikeResponderSpi) {
            ikeInitiatorSpi = initiator;
            ikeResponderSpi = responder;
            router.learnIke(service, member, initiator, responder);
        }
    }

    /**
     * Reports this session's SPIs again so that the router's SA tables, which expire entries not used for a
     * while, keep the SAs of clients that are still active.
     */
    void refreshSpis(SessionRouter router, long now, long periodNanos) {
        if (now - spisLearnedNanos < periodNanos || lastActivityNanos - spisLearnedNanos < 0) {
            return;
        }
        spisLearnedNanos = now;
        if (ikeInitiatorSpi != 0) {
            router.learnIke(service, member, ikeInitiatorSpi, ikeResponderSpi);
        }
        if (espSpiFromClient != 0) {
            router.learnEsp(service, member, espSpiFromClient);
        }
        if (espSpiFromMember != 0) {
            router.learnEsp(service, member, espSpiFromMember);
        }
    }

    public InetSocketAddress client() {
        return client;
    }

    public MemberSnapshot member() {
        return member;
    }

    /** The member address and port this session sends to. */
    public InetSocketAddress target() {
        return target;
    }

    /** The socket toward the member. */
    public Channel upstream() {
        return upstream;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Sends a client datagram to the member. Takes ownership of {@code content}: it is written upstream as it is,
     * queued until the upstream socket is connected, or released and counted.
     */
    void forward(ByteBuf content, ListenerCounters counters) {
        Channel channel = upstream;
        if (channel.isActive()) {
            if (!channel.isWritable()) {
                content.release();
                counters.drop(DropReason.BACKPRESSURE);
                return;
            }
            channel.write(content, channel.voidPromise());
            if (!upstreamFlushPending) {
                upstreamFlushPending = true;
                listener.markUpstreamDirty(this);
            }
            return;
        }
        if (pending == null) {
            pending = new ArrayDeque<>(4);
        }
        if (pending.size() >= MAX_PENDING) {
            content.release();
            counters.drop(DropReason.PENDING_OVERFLOW);
            return;
        }
        pending.add(content);
    }

    /** Called on the event loop when the upstream connect attempt completes. */
    void upstreamConnected(ChannelFuture future) {
        if (closed) {
            return;
        }
        if (!future.isSuccess()) {
            listener.upstreamFailed(this, future.cause());
            return;
        }
        ArrayDeque<ByteBuf> queued = pending;
        pending = null;
        if (queued != null) {
            ByteBuf buf;
            while ((buf = queued.poll()) != null) {
                upstream.write(buf, upstream.voidPromise());
            }
            upstream.flush();
        }
    }

    /** Releases everything this session holds. Idempotent; the listener removes it from its table. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (pending != null) {
            ByteBuf buf;
            while ((buf = pending.poll()) != null) {
                buf.release();
                listener.counters().drop(DropReason.SESSION_CLOSED);
            }
        }
        member.stats().sessionClosed();
        if (upstream != null) {
            upstream.close();
        }
    }

    ChannelFutureListener connectListener() {
        return this::upstreamConnected;
    }
}
