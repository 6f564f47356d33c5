package io.vpnlb.dataplane.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.vpnlb.config.ProxyProtocol;
import io.vpnlb.dataplane.snapshot.ListenerSnapshot;
import io.vpnlb.dataplane.snapshot.MemberSnapshot;
import io.vpnlb.dataplane.snapshot.PoolSnapshot;
import io.vpnlb.dataplane.snapshot.ServiceSnapshot;
import io.vpnlb.dataplane.wire.DatagramClassifier;
import io.vpnlb.dataplane.wire.TlsHelloFlyweight;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The client side of one proxied TCP connection, and the session it belongs to: chooses the member, connects to
 * it on the client's event loop, and moves bytes both ways with backpressure: auto-read is off, and the next chunk
 * is read from one side only when the previous chunk was written to the other (Netty's HexDumpProxy pattern).
 * Writes are flushed once per read batch. Each FIN is passed on as a half-close; the session ends when both
 * directions are done, on an idle timeout, or when either side closes or fails.
 *
 * <p>Buffers: a chunk read from one side is the buffer written to the other (ownership moves with the write);
 * bytes received before the member connection is up are held (a composite, no copy) and written first.
 */
final class TcpProxyHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(TcpProxyHandler.class);
    /** The first datagram classifier is never filled: TCP sessions are routed as OPAQUE. */
    private static final DatagramClassifier OPAQUE = new DatagramClassifier();
    /** A ClientHello longer than one maximal record is refused in passthrough. */
    static final int MAX_HELLO_BYTES = TlsHelloFlyweight.MAX_RECORD_LENGTH;

    private final TcpService service;
    private final TcpListenerGroup listenerGroup;
    private ChannelHandlerContext ctx;
    private TcpLoop loop;
    private TcpCounters counters;
    private ServiceSnapshot serviceSnapshot;
    private ListenerSnapshot listener;
    private InetSocketAddress client;

    private MemberSnapshot member;
    private List<MemberSnapshot> tried;
    private Channel upstream;
    private boolean connecting;
    private boolean connected;
    private ByteBuf pending;
    private ChannelFuture lastUpstreamWrite;
    private boolean readWanted;
    private ScheduledFuture<?> helloTimeout;

    private boolean acquired;
    private boolean sessionCounted;
    private boolean clientInputDone;
    private boolean memberInputDone;
    private boolean clientTlsClosed;
    private boolean closed;
    private byte[] sessionId;
    private String serverName;
    /** Terminate and reencrypt with TLS-session persistence: the client's TLS session. */
    private SSLSession tlsSession;
    /** The server TLS of the service when this connection began: certificate reloads do not change it. */
    private final TcpService.ServerTls serverTls;

    TcpProxyHandler(TcpService service, TcpListenerGroup listenerGroup) {
        this.service = service;
        this.listenerGroup = listenerGroup;
        this.serverTls = service.serverTls;
    }

    /** What this connection's client handshakes with (terminate, reencrypt); else {@code null}. */
    TcpService.ServerTls serverTls() {
        return serverTls;
    }

    // ---- client side ------------------------------------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.loop = listenerGroup.loop(ctx.channel().eventLoop());
        this.counters = loop.counters;
        this.client = (InetSocketAddress) ctx.channel().remoteAddress();
        counters.accepted++;
        serviceSnapshot = service.snapshots.current().service(service.index);
        listener = serviceSnapshot.listeners().get(listenerGroup.listenerIndex());
        if (!service.tryAcquire(serviceSnapshot.maxSessions())) {
            drop(TcpDropReason.SESSION_LIMIT);
            return;
        }
        acquired = true;
        loop.add(this);
        if (service.mode == TcpService.Mode.TCP) {
            connect();
        } else {
            if (service.mode == TcpService.Mode.PASSTHROUGH) {
                helloTimeout = ctx.executor().schedule(() -> {
                    if (!connecting && !connected && !closed) {
                        drop(TcpDropReason.HELLO_TIMEOUT);
                    }
                }, TcpService.HELLO_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
            }
            // Terminate: the TLS handler reads the handshake; the first plaintext triggers the member connection.
            ctx.read();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf) || closed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ByteBuf buf = (ByteBuf) msg;
        counters.rxBytes += buf.readableBytes();
        if (connected) {
            lastUpstreamWrite = upstream.write(buf);
            return;
        }
        pending = append(ctx, pending, buf);
        if (connecting) {
            return; // held until the member connection is up; no further read is asked for
        }
        if (service.mode == TcpService.Mode.PASSTHROUGH) {
            peekClientHello();
        } else {
            connect();
        }
    }

    private void peekClientHello() {
        TlsHelloFlyweight hello = new TlsHelloFlyweight();
        TlsHelloFlyweight.Result result = hello.wrap(pending, TlsHelloFlyweight.HANDSHAKE_CLIENT_HELLO);
        switch (result) {
            case NEED_MORE:
                if (pending.readableBytes() > MAX_HELLO_BYTES) {
                    drop(TcpDropReason.MALFORMED_HELLO);
                } else {
                    readWanted = true;
                }
                break;
            case NOT_TLS:
                drop(TcpDropReason.NOT_TLS);
                break;
            case MALFORMED:
                drop(TcpDropReason.MALFORMED_HELLO);
                break;
            case HELLO:
                if (hello.sessionIdLength() > 0) {
                    sessionId = hello.sessionId();
                }
                if (hello.hasServerName()) {
                    serverName = hello.serverName();
                    counters.serverNames++;
                }
                hello.unwrap();
                cancelHelloTimeout();
                connect();
                break;
            default:
                throw new IllegalStateException(result.name());
        }
    }

    private static ByteBuf append(ChannelHandlerContext ctx, ByteBuf pending, ByteBuf buf) {
        if (pending == null) {
            return buf;
        }
        CompositeByteBuf composite;
        if (pending instanceof CompositeByteBuf) {
            composite = (CompositeByteBuf) pending;
        } else {
            composite = ctx.alloc().compositeBuffer(16);
            composite.addComponent(true, pending);
        }
        composite.addComponent(true, buf);
        return composite;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (connected) {
            ChannelFuture write = lastUpstreamWrite;
            lastUpstreamWrite = null;
            upstream.flush();
            if (write != null) {
                write.addListener(readNextFromClient);
            }
        } else if (readWanted && !closed) {
            readWanted = false;
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    private final ChannelFutureListener readNextFromClient = future -> {
        if (future.isSuccess()) {
            if (!clientInputDone && !closed) {
                ctx.read();
            }
        } else {
            drop(TcpDropReason.IO_ERROR);
        }
    };

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            drop(TcpDropReason.IDLE_TIMEOUT);
        } else if (event == ChannelInputShutdownEvent.INSTANCE) {
            clientInputShutdown();
        } else if (event instanceof SslCloseCompletionEvent) {
            // close_notify from the client: its direction is done, like a FIN. The TLS engine answers with its own
            // close_notify (TLS 1.2 requires it), so nothing more can reach the client: what the member still sends
            // is read and discarded until it closes too.
            clientTlsClosed = true;
            clientInputShutdown();
        } else if (event instanceof SslHandshakeCompletionEvent) {
            SslHandshakeCompletionEvent handshake = (SslHandshakeCompletionEvent) event;
            if (!handshake.isSuccess() && !closed) {
                Throwable cause = handshake.cause();
                boolean timeout = cause instanceof javax.net.ssl.SSLException
                        && String.valueOf(cause.getMessage()).contains("timed out");
                if (!timeout && clientCertificateProblem(cause)) {
                    log.info("[{}] {}: client {} refused: client certificate rejected ({})", ctx.channel().id(),
                            service.name, client, rootMessage(cause));
                    drop(TcpDropReason.CLIENT_CERTIFICATE_REJECTED);
                } else {
                    log.debug("[{}] TLS handshake with {} failed: {}", ctx.channel().id(), client, cause.toString());
                    drop(timeout ? TcpDropReason.HELLO_TIMEOUT : TcpDropReason.TLS_HANDSHAKE_FAILED);
                }
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    /** True when a failed handshake failed on the client's certificate (or its absence) under preauthentication. */
    private boolean clientCertificateProblem(Throwable cause) {
        if (service.clientAuth == io.vpnlb.config.ClientAuth.NONE) {
            return false;
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof java.security.cert.CertificateException
                    || t instanceof java.security.cert.CertPathValidatorException) {
                return true;
            }
            String message = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (message.contains("certificate") || message.contains("peer did not return")) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private void clientInputShutdown() {
        if (clientInputDone || closed) {
            return;
        }
        clientInputDone = true;
        counters.clientHalfCloses++;
        if (connected) {
            // After the bytes already written: shutting the output down fails writes still queued.
            upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(future -> {
                if (upstream.isActive()) {
                    shutdownOutput(upstream, upstreamSsl());
                }
            });
            if (memberInputDone) {
                closeBoth();
            }
        } else if (!connecting) {
            // The client left before saying anything useful.
            closeBoth();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeBoth();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closed) {
            return;
        }
        if (cause instanceof io.netty.handler.codec.DecoderException
                && cause.getCause() instanceof javax.net.ssl.SSLException) {
            if (!connected && clientCertificateProblem(cause)) {
                log.info("[{}] {}: client {} refused: client certificate rejected ({})", ctx.channel().id(),
                        service.name, client, rootMessage(cause));
                drop(TcpDropReason.CLIENT_CERTIFICATE_REJECTED);
                return;
            }
            log.debug("[{}] TLS error from {}: {}", ctx.channel().id(), client, cause.getCause().toString());
            drop(cause.getCause() instanceof SSLHandshakeException || !connected
                    ? TcpDropReason.TLS_HANDSHAKE_FAILED : TcpDropReason.IO_ERROR);
        } else {
            log.debug("[{}] client {}: {}", ctx.channel().id(), client, cause.toString());
            drop(TcpDropReason.IO_ERROR);
        }
    }

    // ---- member side ------------------------------------------------------------------------------------------

    private void connect() {
        connecting = true;
        PoolSnapshot pool = serviceSnapshot.pool();
        MemberSnapshot chosen = null;
        if (tried == null) {
            if (sessionId != null && service.sessions != null) {
                chosen = persisted(pool, service.sessions.member(sessionId));
            } else if (service.terminatedSessions != null) {
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                tlsSession = ssl == null ? null : ssl.engine().getSession();
                if (tlsSession != null) {
                    chosen = persisted(pool, service.terminatedSessions.member(tlsSession, System.nanoTime()));
                }
            }
            if (chosen == null) {
                chosen = service.router.route(serviceSnapshot, listener, client, OPAQUE);
            }
        } else {
            chosen = another(pool);
        }
        if (chosen == null) {
            drop(tried == null ? TcpDropReason.NO_MEMBER : TcpDropReason.CONNECT_FAILED);
            return;
        }
        member = chosen;
        InetSocketAddress target = new InetSocketAddress(chosen.address(), chosen.targetPort(listener.memberPort()));
        Channel clientChannel = ctx.channel();
        Bootstrap bootstrap = new Bootstrap()
                .group(clientChannel.eventLoop())
                .channelFactory(service.transport.socketChannelFactory())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, TcpService.CONNECT_TIMEOUT_MILLIS)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast("upstream", new TcpUpstreamHandler(TcpProxyHandler.this));
                    }
                });
        bootstrap.connect(target).addListener((ChannelFutureListener) this::connected);
    }

    /** The member a persistence table named, when it still serves (counted as a TLS-session route), or null. */
    private MemberSnapshot persisted(PoolSnapshot pool, String memberKey) {
        MemberSnapshot known = memberKey == null ? null : pool.member(memberKey);
        if (known != null && known.serving()) {
            counters.tlsSessionRoutes++;
            return known;
        }
        return null;
    }

    /** An eligible member not tried yet, in pool order from a place that depends on the client address. */
    private MemberSnapshot another(PoolSnapshot pool) {
        List<MemberSnapshot> selectable = pool.selectable();
        int n = selectable.size();
        if (n == 0) {
            return null;
        }
        int start = Math.floorMod(client.getAddress().hashCode() + tried.size(), n);
        for (int i = 0; i < n; i++) {
            MemberSnapshot candidate = selectable.get((start + i) % n);
            if (!contains(tried, candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean contains(List<MemberSnapshot> members, MemberSnapshot member) {
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).key().equals(member.key())) {
                return true;
            }
        }
        return false;
    }

    private void connected(ChannelFuture future) {
        if (closed) {
            future.channel().close();
            return;
        }
        if (!future.isSuccess()) {
            Throwable cause = future.cause();
            log.debug("[{}] member {} for {}: {}", ctx.channel().id(), member.key(), client, cause.toString());
            if (tried == null) {
                tried = new ArrayList<>(2);
            }
            tried.add(member);
            counters.connectRetries++;
            if (cause instanceof ConnectTimeoutException) {
                log.info("[{}] member {} did not accept a connection within {} ms; trying another member",
                        ctx.channel().id(), member.key(), TcpService.CONNECT_TIMEOUT_MILLIS);
            }
            connect();
            return;
        }
        upstream = future.channel();
        connecting = false;
        connected = true;
        sessionCounted = true;
        member.stats().sessionOpened();
        counters.opened++;
        if (tlsSession != null) {
            service.terminatedSessions.learn(tlsSession, member.key(), System.nanoTime());
        }
        // The PROXY header comes first on the wire, before the member TLS handshake or the client's bytes.
        if (serviceSnapshot.pool().proxyProtocol() == ProxyProtocol.V2) {
            ProxyProtocolHeader.write(upstream, client, (InetSocketAddress) ctx.channel().localAddress());
        }
        if (service.memberFacingTls == null) {
            startForwarding();
        } else {
            // reencrypt: the handler starts the handshake as it is added (the channel is active); forwarding starts
            // when the handshake completes (memberHandshakeDone)
            InetSocketAddress target = (InetSocketAddress) upstream.remoteAddress();
            upstream.pipeline().addBefore("upstream", "tls", service.memberFacingTls.newHandler(upstream.alloc(),
                    target.getAddress().getHostAddress(), target.getPort()));
            upstream.read();
        }
    }

    /**
     * Reencrypt: the member's TLS handshake completed. SSTP's crypto binding needs the member to present the same
     * certificate as vpnlb; a different one is reported (the client's hash will not match what the member expects).
     */
    void memberHandshakeDone(Channel channel) {
        if (closed) {
            return;
        }
        try {
            java.security.cert.Certificate[] presented =
                    channel.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates();
            byte[] memberSha256 = io.vpnlb.config.cert.CertificateBundle.digest("SHA-256",
                    (java.security.cert.X509Certificate) presented[0]);
            if (!java.util.Arrays.equals(memberSha256, serverTls.sha256())) {
                counters.reencryptCertificateMismatches++;
                log.warn("[{}] service {}: member {} presents a certificate with SHA-256 {} but vpnlb presents {} "
                                + "({}): SSTP clients bind to vpnlb's certificate, so this member will reject their "
                                + "crypto binding; install the same certificate on the member, or use tls.mode terminate",
                        ctx.channel().id(), service.name, member.key(),
                        io.vpnlb.config.cert.CertificateBundle.hex(memberSha256),
                        io.vpnlb.config.cert.CertificateBundle.hex(serverTls.sha256()),
                        serverTls.certificate().subject());
            }
        } catch (javax.net.ssl.SSLPeerUnverifiedException | RuntimeException e) {
            log.debug("[{}] member {} certificate unavailable: {}", ctx.channel().id(), member.key(), e.toString());
        }
        startForwarding();
    }

    /** The member connection is ready for bytes: send what the client said so far and start reading both sides. */
    void startForwarding() {
        if (closed) {
            return;
        }
        if (pending != null) {
            ByteBuf first = pending;
            pending = null;
            upstream.writeAndFlush(first).addListener(readNextFromClient);
        } else if (!clientInputDone) {
            ctx.read();
        }
        if (clientInputDone) {
            upstream.writeAndFlush(Unpooled.EMPTY_BUFFER)
                    .addListener(future -> shutdownOutput(upstream, upstreamSsl()));
        }
        upstream.read();
    }

    /**
     * Called by the upstream handler for each chunk from the member; {@code null} when the chunk was discarded
     * because the client's TLS is already closed.
     */
    ChannelFuture fromMember(ByteBuf buf) {
        if (clientTlsClosed) {
            buf.release();
            return null;
        }
        counters.txBytes += buf.readableBytes();
        return ctx.channel().write(buf);
    }

    void flushToClient(ChannelFuture lastWrite) {
        if (lastWrite != null) {
            ctx.channel().flush();
            lastWrite.addListener(readNextFromMember);
        } else if (clientTlsClosed && !memberInputDone && !closed && upstream != null) {
            upstream.read();
        }
    }

    private final ChannelFutureListener readNextFromMember = future -> {
        if (future.isSuccess()) {
            if (!memberInputDone && !closed && upstream != null) {
                upstream.read();
            }
        } else {
            drop(TcpDropReason.IO_ERROR);
        }
    };

    /** The member sent a FIN (or close_notify): pass it on as a half-close toward the client. */
    void memberInputShutdown() {
        if (memberInputDone || closed) {
            return;
        }
        memberInputDone = true;
        counters.memberHalfCloses++;
        if (clientTlsClosed) {
            closeBoth();
            return;
        }
        ctx.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(future -> {
            if (ctx.channel().isActive()) {
                shutdownOutput(ctx.channel(), ctx.pipeline().get(SslHandler.class));
            }
        });
        if (clientInputDone) {
            closeBoth();
        }
    }

    void memberClosed() {
        closeBoth();
    }

    void memberFailed(Throwable cause) {
        if (!closed) {
            log.debug("[{}] member {}: {}", ctx.channel().id(), member == null ? "?" : member.key(), cause.toString());
            drop(TcpDropReason.IO_ERROR);
        }
    }

    private SslHandler upstreamSsl() {
        return upstream == null ? null : upstream.pipeline().get(SslHandler.class);
    }

    /** Half-closes {@code channel}'s output: close_notify first when it speaks TLS, then a FIN. */
    private static void shutdownOutput(Channel channel, SslHandler ssl) {
        if (ssl != null) {
            ssl.closeOutbound().addListener(f -> ((DuplexChannel) channel).shutdownOutput());
        } else {
            ((DuplexChannel) channel).shutdownOutput();
        }
    }

    // ---- ending -----------------------------------------------------------------------------------------------

    /**
     * Ends the session without closing the client channel, counting why: the caller writes a last answer (an HTTP
     * error) and closes after it.
     */
    void abandon(TcpDropReason reason) {
        if (closed) {
            return;
        }
        counters.drops[reason.ordinal()]++;
        end();
        if (upstream != null) {
            upstream.close();
        }
    }

    /** Ends the session now, counting why. Safe to call more than once. */
    void drop(TcpDropReason reason) {
        if (closed) {
            return;
        }
        counters.drops[reason.ordinal()]++;
        if (reason != TcpDropReason.IDLE_TIMEOUT && reason != TcpDropReason.IO_ERROR) {
            log.debug("[{}] {} from {} closed: {}", ctx.channel().id(), service.name, client, reason.metricName());
        }
        end();
        ctx.channel().close();
        if (upstream != null) {
            upstream.close();
        }
    }

    /** Ends the session after what is queued on each side was written. */
    private void closeBoth() {
        if (closed) {
            return;
        }
        end();
        closeAfterFlush(ctx.channel());
        if (upstream != null) {
            closeAfterFlush(upstream);
        }
    }

    private static void closeAfterFlush(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }

    private void end() {
        closed = true;
        cancelHelloTimeout();
        if (pending != null) {
            pending.release();
            pending = null;
        }
        if (sessionCounted) {
            sessionCounted = false;
            member.stats().sessionClosed();
        }
        if (acquired) {
            acquired = false;
            service.release();
            loop.remove(this);
        }
        counters.closed++;
    }

    private void cancelHelloTimeout() {
        if (helloTimeout != null) {
            helloTimeout.cancel(false);
            helloTimeout = null;
        }
    }

    // ---- for the upstream and SSTP handlers -------------------------------------------------------------------

    boolean boundTo(String pool, String memberKey) {
        return member != null && serviceSnapshot.pool().name().equals(pool) && member.key().equals(memberKey);
    }

    boolean isClosed() {
        return closed;
    }

    TcpService service() {
        return service;
    }

    TcpCounters counters() {
        return counters;
    }

    MemberSnapshot member() {
        return member;
    }

    InetSocketAddress client() {
        return client;
    }

    Channel clientChannel() {
        return ctx.channel();
    }

    /** The session ID the client offered in its ClientHello (passthrough), or {@code null}. */
    byte[] offeredSessionId() {
        return sessionId;
    }

    /** The SNI host name of the ClientHello (passthrough), or {@code null}. */
    String serverName() {
        return serverName;
    }
}
