package io.vpnlb.dataplane.udp;

import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;

/** Socket settings of listener and upstream datagram sockets. */
final class UdpChannels {

    /**
     * The largest UDP payload (65,535 bytes minus the UDP header; over IPv4 another 20 bytes less). The kernel
     * reassembles IP fragments before a socket sees them, so a receive slot of this size takes a whole datagram and
     * nothing is ever truncated.
     */
    static final int MAX_DATAGRAM_LENGTH = 65_527;

    /**
     * Datagrams a busy listener socket reads per readiness event before the event loop serves other sockets
     * (Netty's default for datagram channels; a {@link FixedRecvByteBufAllocator} made by hand reads 1).
     */
    static final int READ_BATCH = 16;

    /** Bytes queued on a socket before new datagrams for it are dropped and counted. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(1 << 20, 4 << 20);

    /**
     * One datagram per read and per readiness event: upstream sockets (a session's socket rarely has more than one
     * reply queued, and an empty read costs a system call) and listeners off epoll. Shared: handles are per channel.
     */
    private static final RecvByteBufAllocator SINGLE = new FixedRecvByteBufAllocator(MAX_DATAGRAM_LENGTH);

    /** NIO and io_uring listeners: up to {@link #READ_BATCH} datagrams per readiness event. */
    private static final RecvByteBufAllocator LISTENER = readBatch(MAX_DATAGRAM_LENGTH);

    /**
     * Listeners on epoll receive with {@code recvmmsg} into buffers of up to {@link #READ_BATCH} datagram slots,
     * when the socket is busy ({@link DatagramBatchAllocator}). Each datagram is a slice of the buffer,
     * forwarded as it is; the buffer returns to the allocator when the last slice has been written.
     */
    private static final RecvByteBufAllocator BATCH =
            new DatagramBatchAllocator(MAX_DATAGRAM_LENGTH, READ_BATCH, READ_BATCH);

    private UdpChannels() {
    }

    /** A VIP socket: batched receive where the transport has it. */
    static void configureListener(DatagramChannel channel) {
        if (channel instanceof EpollDatagramChannel) {
            configure(channel, BATCH);
            channel.config().setOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM_LENGTH);
        } else {
            configure(channel, LISTENER);
        }
    }

    /** A session's socket toward its member (connected: the kernel gives it only that member's datagrams). */
    static void configureUpstream(DatagramChannel channel) {
        configure(channel, SINGLE);
    }

    private static void configure(DatagramChannel channel, RecvByteBufAllocator receive) {
        channel.config().setRecvByteBufAllocator(receive);
        channel.config().setWriteBufferWaterMark(WATER_MARK);
        channel.config().setOption(ChannelOption.SO_RCVBUF, 4 << 20);
        channel.config().setOption(ChannelOption.SO_SNDBUF, 4 << 20);
    }

    private static RecvByteBufAllocator readBatch(int bufferSize) {
        FixedRecvByteBufAllocator allocator = new FixedRecvByteBufAllocator(bufferSize);
        allocator.maxMessagesPerRead(READ_BATCH);
        return allocator;
    }
}
