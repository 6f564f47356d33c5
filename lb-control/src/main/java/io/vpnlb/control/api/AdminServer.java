package io.vpnlb.control.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The admin HTTP server: HTTP/1.1 with bodies aggregated up to {@value #MAX_BODY_BYTES} bytes (larger ones get
 * 413), on one event loop of its own so that admin work never runs on a data-plane loop.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    /** Largest request body accepted. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** A client that does not finish the TLS handshake within this is closed. */
    static final int HANDSHAKE_TIMEOUT_SECONDS = 10;

    private static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            + "script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

    private final MultiThreadIoEventLoopGroup group;
    private final Channel channel;
    private final boolean https;

    private AdminServer(MultiThreadIoEventLoopGroup group, Channel channel, boolean https) {
        this.group = group;
        this.channel = channel;
        this.https = https;
    }

    /**
     * Binds {@code address} and serves {@code api} over plain HTTP.
     *
     * @throws BindException with one line naming the address and the reason
     */
    public static AdminServer start(InetSocketAddress address, AdminApi api) {
        return start(address, api, null);
    }

    /**
     * Binds {@code address} and serves {@code api}, over HTTPS when {@code tls} is not {@code null}.
     *
     * @throws BindException with one line naming the address and the reason
     */
    public static AdminServer start(InetSocketAddress address, AdminApi api, SslContext tls) {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("vpnlb-admin", true), NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            SslHandler handshake = tls.newHandler(ch.alloc());
                            handshake.setHandshakeTimeout(HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                            ch.pipeline().addLast(handshake);
                        }
                        initPipeline(ch.pipeline(), api);
                    }
                });
        ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            throw new BindException(address, bound.cause());
        }
        AdminServer server = new AdminServer(group, bound.channel(), tls != null);
        log.info("admin API, metrics and status page on {}", server.url());
        return server;
    }

    /** The HTTP handlers of one admin connection (after the TLS handler when the endpoint speaks HTTPS). */
    static void initPipeline(ChannelPipeline pipeline, AdminApi api) {
        pipeline.addLast(new ReadTimeoutHandler(60, TimeUnit.SECONDS));
        pipeline.addLast(new HttpServerCodec());
        pipeline.addLast(new HttpServerExpectContinueHandler());
        pipeline.addLast(new HttpObjectAggregator(MAX_BODY_BYTES));
        pipeline.addLast(new Handler(api));
    }

    /** The bound address (with the actual port when {@code admin.listen} asked for port 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** The base URL, e.g. {@code https://127.0.0.1:9090/}. */
    public String url() {
        return (https ? "https://" : "http://") + hostPort(address()) + "/";
    }

    static String hostPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {

        private final AdminApi api;

        Handler(AdminApi api) {
            this.api = api;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            AdminResponse answer;
            if (!request.decoderResult().isSuccess()) {
                answer = AdminApi.error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
            } else {
                InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
                answer = api.handle(request.method(), request.uri(),
                        request.headers().get(HttpHeaderNames.AUTHORIZATION),
                        ByteBufUtil.getBytes(request.content()), remote == null ? null : remote.getAddress());
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, answer.status(),
                    Unpooled.wrappedBuffer(answer.body()));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
            response.headers().set("X-Content-Type-Options", "nosniff");
            if (answer.contentType().startsWith("text/html")) {
                response.headers().set("Content-Security-Policy", CSP);
            }
            for (Map.Entry<String, String> header : answer.headers().entrySet()) {
                response.headers().set(header.getKey(), header.getValue());
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
            if (keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(response);
            } else {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
                log.debug("{} admin TLS handshake failed: {}", ctx.channel(), handshake.cause().toString());
                ctx.close();
                return;
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("{} admin connection error", ctx.channel(), cause);
            ctx.close();
        }
    }

    /** The admin address cannot be bound; the message is one line. */
    public static final class BindException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        BindException(InetSocketAddress address, Throwable cause) {
            super(message(address, cause), cause);
        }

        private static String message(InetSocketAddress address, Throwable cause) {
            String reason = cause == null ? "unknown error" : String.valueOf(cause.getMessage());
            String lower = reason.toLowerCase(Locale.ROOT);
            String hint = "";
            if (lower.contains("in use")) {
                hint = " (another process holds this port; change admin.listen)";
            } else if (lower.contains("denied") || lower.contains("permission")) {
                hint = " (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
            } else if (lower.contains("assign")) {
                hint = " (the address is not configured on this host)";
            }
            return "admin API: cannot bind TCP " + hostPort(address) + ": " + reason + hint;
        }
    }
}
