package io.vpnlb.dataplane.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;

/**
 * Reads member replies on a session's upstream socket and sends them to the client from the VIP port. The
 * handler holds its session, so replies need no lookup.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

    private final UdpSession session;

    UpstreamHandler(UdpSession session) {
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        ByteBuf content = packet.content();
        UdpListenerHandler listener = session.listener;
        ListenerCounters counters = listener.counters();
        if (session.isClosed()) {
            packet.release();
            counters.drop(DropReason.SESSION_CLOSED);
            return;
        }
        Channel downstream = listener.channel();
        if (!downstream.isWritable()) {
            packet.release();
            counters.drop(DropReason.BACKPRESSURE);
            return;
        }
        session.lastActivityNanos = System.nanoTime();
        listener.observeMemberDatagram(session, content);
        counters.txDatagrams++;
        counters.txBytes += content.readableBytes();
        // The received buffer is the one sent to the client, in a pooled envelope.
        downstream.write(ReplyPacket.of(content, session.client), downstream.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Once per event-loop pass, after every ready upstream socket was read: the replies to all clients of the
        // listener leave in one sendmmsg.
        session.listener.flushReplies();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.listener.upstreamClosed(session);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP port unreachable and send errors on a connected UDP socket surface here. The session stays
        // (the member may come back); the datagram is lost as it would be on the wire.
        session.listener.upstreamError(session, cause);
    }
}
