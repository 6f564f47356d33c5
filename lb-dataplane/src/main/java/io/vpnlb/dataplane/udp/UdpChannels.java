package io.vpnlb.dataplane.udp;

import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramChannel;

/** Socket settings shared by listener and upstream datagram sockets. */
final class UdpChannels {

    /**
     * The largest UDP payload over IPv4 is 65,507 bytes; the kernel reassembles IP fragments before a socket
     * sees them, so every receive buffer takes a whole datagram and nothing is ever truncated.
     */
    static final int MAX_DATAGRAM_LENGTH = 65_535;

    /** Bytes queued on a socket before new datagrams for it are dropped and counted. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(1 << 20, 4 << 20);

    private UdpChannels() {
    }

    static void configure(DatagramChannel channel) {
        channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(MAX_DATAGRAM_LENGTH));
        channel.config().setWriteBufferWaterMark(WATER_MARK);
        channel.config().setOption(ChannelOption.SO_RCVBUF, 4 << 20);
        channel.config().setOption(ChannelOption.SO_SNDBUF, 4 << 20);
    }
}
