package io.vpnlb.dataplane.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.vpnlb.dataplane.internal.FileDescriptorReserve;
import io.vpnlb.dataplane.internal.SessionLimit;
import io.vpnlb.dataplane.snapshot.ListenerSnapshot;
import io.vpnlb.dataplane.snapshot.MemberSnapshot;
import io.vpnlb.dataplane.snapshot.ServiceSnapshot;
import io.vpnlb.dataplane.snapshot.SessionRouter;
import io.vpnlb.dataplane.snapshot.SnapshotSource;
import io.vpnlb.dataplane.wire.DatagramClassifier;
import io.vpnlb.dataplane.wire.DatagramKind;
import io.vpnlb.dataplane.wire.IkeHeaderFlyweight;
import org.agrona.collections.Long2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Owns one listener socket on one event loop and the sessions of the clients whose datagrams that socket
 * receives. With {@code SO_REUSEPORT} the kernel hashes each client to one socket, so every session lives on
 * exactly one loop and its state needs no locks.
 *
 * <p>Per datagram: one table lookup, then the received buffer is written to the session's upstream socket
 * as it is. Sessions are created (member chosen, upstream socket opened) on a client's first datagram and
 * closed when idle for longer than the service's {@code session-idle-timeout}.
 */
public final class UdpListenerHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(UdpListenerHandler.class);

    /** IKE messages above this size were most likely IP-fragmented on the way (IPv6 minimum MTU). */
    static final int OVERSIZED_IKE_LENGTH = 1280;
    /** How often an active session reports its SPIs again to keep the router's SA tables warm. */
    static final long SPI_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(60);

    private static final long MIN_SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_SWEEP_NANOS = TimeUnit.SECONDS.toNanos(5);

    private static final String OPEN_FAILED =
            "cannot open a socket toward member {}: {} (further errors counted, logged every 10s)";
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int serviceIndex;
    private final int listenerIndex;
    private final SnapshotSource snapshots;
    private final SessionRouter router;
    private final UpstreamConnector connector;
    private final SessionLimit limit;
    /** Process-wide: one descriptor per session, a reserve kept free for the admin API and health checks. */
    private final FileDescriptorReserve descriptors;
    /** New-session admission of an ikev2 service; {@code null} on plain UDP listeners. */
    private final FloodGuard guard;
    private final ListenerCounters counters = new ListenerCounters();
    private final DatagramClassifier classifier = new DatagramClassifier();
    private final ListenerSnapshot.Role role;
    private final boolean natT;

    /** IPv4 clients keyed by {@code address << 16 | port}. */
    private final Long2ObjectHashMap<UdpSession> ipv4Sessions = new Long2ObjectHashMap<>();
    /** IPv6 clients keyed by the sender address Netty already allocated for the datagram. */
    private final Map<InetSocketAddress, UdpSession> ipv6Sessions = new HashMap<>();
    /** Sessions written to during the current read batch, flushed on read-complete. */
    private final List<UdpSession> dirty = new ArrayList<>();
    private final List<UdpSession> expired = new ArrayList<>();

    private Channel channel;
    /** Flushes the replies written to the listener socket during one event-loop pass. */
    private final Runnable flushReplies = this::flushRepliesNow;
    private boolean repliesFlushScheduled;
    /** The time of the current read batch ({@code readBatchNanos} valid while {@code inReadBatch}). */
    private boolean inReadBatch;
    private long readBatchNanos;
    private ScheduledFuture<?> sweeper;
    private long logNextUpstreamErrorNanos = System.nanoTime();
    private long logNextReserveNanos = System.nanoTime();

    public UdpListenerHandler(int serviceIndex, int listenerIndex, SnapshotSource snapshots, SessionRouter router,
                              UpstreamConnector connector, SessionLimit limit, FileDescriptorReserve descriptors,
                              FloodGuard guard) {
        this.serviceIndex = serviceIndex;
        this.listenerIndex = listenerIndex;
        this.snapshots = snapshots;
        this.router = router;
        this.connector = connector;
        this.limit = limit;
        this.descriptors = descriptors;
        this.guard = guard;
        this.role = snapshots.current().service(serviceIndex).listeners().get(listenerIndex).role();
        this.natT = role == ListenerSnapshot.Role.NAT_T;
    }

    public ListenerCounters counters() {
        return counters;
    }

    /** The listener socket; valid once the handler is added to a pipeline. */
    Channel channel() {
        return channel;
    }

    /** Number of live sessions on this socket. Call on its event loop for an exact value. */
    public int sessionCount() {
        return ipv4Sessions.size() + ipv6Sessions.size();
    }

    /** The session of {@code client}, or {@code null}. Call on the event loop. */
    public UdpSession session(InetSocketAddress client) {
        InetAddress address = client.getAddress();
        if (address instanceof Inet4Address) {
            return ipv4Sessions.get(ipv4Key(address, client.getPort()));
        }
        return ipv6Sessions.get(client);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long period = sweepPeriodNanos(snapshots.current().service(serviceIndex).idleTimeoutNanos());
        sweeper = ctx.executor().scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        closeAll();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket)) {
            ReferenceCountUtil.release(msg);
            counters.drop(DropReason.NOT_A_DATAGRAM);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        ByteBuf content = packet.content();
        InetSocketAddress sender = packet.sender();
        counters.rxDatagrams++;
        counters.rxBytes += content.readableBytes();

        DatagramClassifier datagram = classifier;
        if (role.inspected()) {
            if (datagram.classify(content, natT) == DatagramKind.MALFORMED) {
                counters.drop(DropReason.of(datagram.malformation()));
                packet.release();
                return;
            }
            countClientDatagram(datagram, content.readableBytes());
        } else {
            datagram.opaque();
        }

        long now = readBatchNanos;
        if (!inReadBatch) {
            // One clock read per batch of datagrams (up to UdpChannels.READ_BATCH) instead of one per datagram.
            now = readBatchNanos = System.nanoTime();
            inReadBatch = true;
        }
        UdpSession session = lookup(sender);
        if (session == null) {
            session = createSession(ctx, sender, now, datagram);
            if (session == null) {
                packet.release();
                return;
            }
        }
        session.lastActivityNanos = now;
        if (role.inspected()) {
            session.observeClient(datagram, router);
        }
        session.forward(content, counters);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inReadBatch = false;
        List<UdpSession> toFlush = dirty;
        for (int i = 0, n = toFlush.size(); i < n; i++) {
            UdpSession session = toFlush.get(i);
            session.upstreamFlushPending = false;
            session.upstream.flush();
        }
        toFlush.clear();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A listener socket error (e.g. ICMP for a reply to a vanished client) must not close the VIP.
        log.debug("{} listener socket error", ctx.channel(), cause);
    }

    private void countClientDatagram(DatagramClassifier datagram, int length) {
        switch (datagram.kind()) {
            case IKE:
                counters.ikeMessages++;
                if (datagram.isIkeFragment()) {
                    counters.ikeFragments++;
                }
                if (length > OVERSIZED_IKE_LENGTH) {
                    counters.ikeOversized++;
                }
                break;
            case ESP:
                counters.espDatagrams++;
                break;
            case KEEPALIVE:
                counters.keepalives++;
                break;
            default:
                break;
        }
    }

    /**
     * Inspects a member datagram of a session on this loop: learns the SPIs it carries and the member's IKE
     * fragmentation support. The datagram is forwarded whatever it holds.
     */
    void observeMemberDatagram(UdpSession session, ByteBuf content) {
        if (!role.inspected()) {
            return;
        }
        DatagramKind kind = classifier.classify(content, natT);
        if (kind == DatagramKind.MALFORMED) {
            return;
        }
        // Only an answer that opens the SA (a responder SPI) or ESP ends the half-open state: a COOKIE,
        // INVALID_KE_PAYLOAD or INVALID_SYNTAX answer carries no responder SPI and leaves the session half-open.
        if (session.halfOpen && (kind == DatagramKind.ESP
                || (kind == DatagramKind.IKE && classifier.ike().responderSpi() != 0))) {
            memberAnswered(session);
        }
        session.observeMember(classifier, router);
    }

    /**
     * Flushes the listener socket once the event loop has read every ready upstream socket of this pass, so that
     * the member replies written meanwhile leave in one {@code sendmmsg}. Call on the event loop.
     */
    void flushReplies() {
        if (!repliesFlushScheduled) {
            repliesFlushScheduled = true;
            channel.eventLoop().execute(flushReplies);
        }
    }

    private void flushRepliesNow() {
        repliesFlushScheduled = false;
        channel.flush();
    }

    void markUpstreamDirty(UdpSession session) {
        dirty.add(session);
    }

    private UdpSession lookup(InetSocketAddress sender) {
        InetAddress address = sender.getAddress();
        if (address instanceof Inet4Address) {
            return ipv4Sessions.get(ipv4Key(address, sender.getPort()));
        }
        return ipv6Sessions.get(sender);
    }

    private UdpSession createSession(ChannelHandlerContext ctx, InetSocketAddress sender, long now,
                                     DatagramClassifier first) {
        ServiceSnapshot service = snapshots.current().service(serviceIndex);
        if (service == null) {
            // A reload removed the service; its listener is closing.
            counters.drop(DropReason.NO_MEMBER);
            return null;
        }
        boolean halfOpen = guard != null && isIkeSaInitRequest(first);
        if (guard != null) {
            DropReason refused = guard.admit(sender.getAddress(), halfOpen, service.ike(), now);
            if (refused != null) {
                counters.drop(refused);
                return null;
            }
        }
        if (!limit.tryAcquire(service.maxSessions())) {
            releaseHalfOpen(halfOpen, sender);
            counters.drop(DropReason.SESSION_LIMIT);
            return null;
        }
        if (!descriptors.tryAcquire(now)) {
            releaseHalfOpen(halfOpen, sender);
            limit.release();
            counters.drop(DropReason.FD_RESERVE);
            logReserveReached(now);
            return null;
        }
        ListenerSnapshot listener = service.listeners().get(listenerIndex);
        MemberSnapshot member = router.route(service, listener, sender, first);
        if (member == null) {
            releaseHalfOpen(halfOpen, sender);
            descriptors.release();
            limit.release();
            counters.drop(DropReason.NO_MEMBER);
            return null;
        }
        InetAddress address = sender.getAddress();
        long key = address instanceof Inet4Address ? ipv4Key(address, sender.getPort()) : 0;
        InetSocketAddress target = new InetSocketAddress(member.address(), member.targetPort(listener.memberPort()));
        UdpSession session = new UdpSession(key, sender, service, member, target, this, now);
        member.stats().sessionOpened();
        ChannelFuture connect;
        try {
            // Source NAT: an ephemeral port of this host. Transparent: the client's own address and port.
            InetSocketAddress local = service.sourceNat() ? null : sender;
            connect = connector.connect(ctx.channel().eventLoop(), new UpstreamHandler(session), target, local);
        } catch (RuntimeException e) {
            // For example EMFILE: the process is out of file descriptors.
            member.stats().sessionClosed();
            releaseHalfOpen(halfOpen, sender);
            descriptors.release();
            limit.release();
            counters.drop(DropReason.UPSTREAM_FAILED);
            logUpstreamError(OPEN_FAILED, target, e);
            return null;
        }
        session.upstream = connect.channel();
        session.halfOpen = halfOpen;
        if (address instanceof Inet4Address) {
            ipv4Sessions.put(key, session);
        } else {
            ipv6Sessions.put(sender, session);
        }
        counters.sessionsCreated++;
        connect.addListener(session.connectListener());
        return session;
    }

    private static boolean isIkeSaInitRequest(DatagramClassifier first) {
        if (first.kind() != DatagramKind.IKE) {
            return false;
        }
        IkeHeaderFlyweight ike = first.ike();
        return ike.exchangeType() == IkeHeaderFlyweight.EXCHANGE_IKE_SA_INIT && !ike.isResponse()
                && ike.responderSpi() == 0;
    }

    private void releaseHalfOpen(boolean halfOpen, InetSocketAddress client) {
        if (halfOpen) {
            guard.release(client.getAddress());
        }
    }

    /** The member answered a half-open session with an SA or ESP: it is half-open no more. */
    void memberAnswered(UdpSession session) {
        if (session.halfOpen) {
            session.halfOpen = false;
            guard.release(session.client.getAddress());
        }
    }

    void upstreamFailed(UdpSession session, Throwable cause) {
        counters.drop(DropReason.UPSTREAM_FAILED);
        logUpstreamError(OPEN_FAILED, session.target, cause);
        remove(session);
    }

    void upstreamError(UdpSession session, Throwable cause) {
        // ICMP port unreachable on the connected socket: the member's VPN service is not listening.
        counters.upstreamErrors++;
        logUpstreamError("member {} unreachable: {} (further errors counted, logged every 10s)",
                session.target, cause);
    }

    void upstreamClosed(UdpSession session) {
        remove(session);
    }

    private void logUpstreamError(String format, InetSocketAddress target, Throwable cause) {
        long now = System.nanoTime();
        if (now - logNextUpstreamErrorNanos >= 0) {
            logNextUpstreamErrorNanos = now + LOG_INTERVAL_NANOS;
            log.warn(format, target, cause.toString());
        }
    }

    private void logReserveReached(long now) {
        if (now - logNextReserveNanos >= 0) {
            logNextReserveNanos = now + LOG_INTERVAL_NANOS;
            log.warn("{} about {} of {} open files in use: new sessions are refused to keep {} free for the admin "
                            + "API, health checks and reloads; raise the open-files limit (LimitNOFILE, ulimit -n) or "
                            + "lower max-sessions (drop reason {}, further refusals counted, logged every 10s)",
                    channel, descriptors.open(), descriptors.limit(), descriptors.reserve(),
                    DropReason.FD_RESERVE.metricName());
        }
    }

    private void remove(UdpSession session) {
        if (session.isClosed()) {
            return;
        }
        if (session.client.getAddress() instanceof Inet4Address) {
            ipv4Sessions.remove(session.key);
        } else {
            ipv6Sessions.remove(session.client);
        }
        if (session.halfOpen) {
            session.halfOpen = false;
            guard.release(session.client.getAddress());
        }
        session.close();
        descriptors.release();
        limit.release();
        counters.sessionsClosed++;
    }

    /** Closes sessions idle for longer than the service's idle timeout. Runs on the event loop. */
    void sweep() {
        sweep(System.nanoTime());
    }

    /** Closes sessions whose last datagram is older than the idle timeout at {@code now}. */
    void sweep(long now) {
        ServiceSnapshot service = snapshots.current().service(serviceIndex);
        if (service == null) {
            return;
        }
        long timeout = service.idleTimeoutNanos();
        long halfOpenTimeout = service.ike().halfOpenTimeout().toNanos();
        List<UdpSession> victims = expired;
        for (UdpSession session : ipv4Sessions.values()) {
            sweep(session, now, timeout, halfOpenTimeout, victims);
        }
        for (UdpSession session : ipv6Sessions.values()) {
            sweep(session, now, timeout, halfOpenTimeout, victims);
        }
        for (int i = 0, n = victims.size(); i < n; i++) {
            UdpSession session = victims.get(i);
            // Idle for the whole session-idle-timeout is expiry; otherwise the half-open timeout closed it.
            if (now - session.lastActivityNanos > timeout) {
                counters.sessionsExpired++;
            } else {
                counters.halfOpenExpired++;
            }
            remove(session);
        }
        victims.clear();
    }

    /**
     * Closes the sessions bound to a member that stopped serving (DOWN or MAINT). Runs on the event loop; the
     * clients' next datagrams open new sessions on a member that serves.
     *
     * @return the number of sessions closed
     */
    public int evictMember(String pool, String memberKey) {
        ServiceSnapshot service = snapshots.current().service(serviceIndex);
        if (service == null || !service.pool().name().equals(pool)) {
            return 0;
        }
        List<UdpSession> victims = expired;
        for (UdpSession session : ipv4Sessions.values()) {
            if (session.member.key().equals(memberKey)) {
                victims.add(session);
            }
        }
        for (UdpSession session : ipv6Sessions.values()) {
            if (session.member.key().equals(memberKey)) {
                victims.add(session);
            }
        }
        int closed = victims.size();
        for (int i = 0; i < closed; i++) {
            remove(victims.get(i));
        }
        victims.clear();
        return closed;
    }

    private void sweep(UdpSession session, long now, long timeout, long halfOpenTimeout, List<UdpSession> victims) {
        if (now - session.lastActivityNanos > timeout
                || (session.halfOpen && now - session.createdNanos > halfOpenTimeout)) {
            victims.add(session);
        } else if (role.inspected()) {
            session.refreshSpis(router, now, SPI_REFRESH_NANOS);
        }
    }

    private void closeAll() {
        List<UdpSession> all = new ArrayList<>(ipv4Sessions.values());
        all.addAll(ipv6Sessions.values());
        for (UdpSession session : all) {
            remove(session);
        }
    }

    static long sweepPeriodNanos(long idleTimeoutNanos) {
        return Math.max(MIN_SWEEP_NANOS, Math.min(MAX_SWEEP_NANOS, idleTimeoutNanos / 4));
    }

    /**
     * {@code address << 16 | port}. {@link Inet4Address#hashCode()} is the address as an int, which avoids the
     * array copy of {@code getAddress()}.
     */
    static long ipv4Key(InetAddress address, int port) {
        return ((address.hashCode() & 0xFFFF_FFFFL) << 16) | port;
    }
}
