package io.vpnlb.dataplane.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.vpnlb.dataplane.wire.TlsHelloFlyweight;

/**
 * The member side of a proxied connection: hands each chunk from the member to the client side and asks for the
 * next one only when it was written. In passthrough mode it peeks once at the member's ServerHello to learn the
 * TLS session ID the member issued (TLS 1.2), for session-ID persistence.
 */
final class TcpUpstreamHandler extends ChannelInboundHandlerAdapter {

    private final TcpProxyHandler proxy;
    private ChannelFuture lastWrite;
    private boolean firstRead = true;

    TcpUpstreamHandler(TcpProxyHandler proxy) {
        this.proxy = proxy;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf) || proxy.isClosed()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ByteBuf buf = (ByteBuf) msg;
        if (firstRead) {
            firstRead = false;
            if (proxy.service().sessions != null) {
                learnSession(buf);
            }
        }
        lastWrite = proxy.fromMember(buf);
    }

    private void learnSession(ByteBuf buf) {
        TlsHelloFlyweight hello = new TlsHelloFlyweight();
        if (hello.wrap(buf, TlsHelloFlyweight.HANDSHAKE_SERVER_HELLO) == TlsHelloFlyweight.Result.HELLO
                && hello.sessionIdLength() > 0 && hello.selectedVersion() != TlsHelloFlyweight.TLS13) {
            proxy.service().sessions.learn(hello.sessionId(), proxy.member().key());
        }
        hello.unwrap();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ChannelFuture write = lastWrite;
        lastWrite = null;
        proxy.flushToClient(write);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == ChannelInputShutdownEvent.INSTANCE || event instanceof SslCloseCompletionEvent) {
            proxy.memberInputShutdown();
        } else if (event instanceof SslHandshakeCompletionEvent) {
            SslHandshakeCompletionEvent handshake = (SslHandshakeCompletionEvent) event;
            if (handshake.isSuccess()) {
                proxy.memberHandshakeDone(ctx.channel());
            } else {
                proxy.memberFailed(handshake.cause());
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        proxy.memberClosed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        proxy.memberFailed(cause);
    }
}
