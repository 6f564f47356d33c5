package io.vpnlb.control.systemd;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A stand-in for systemd's notify socket: an AF_UNIX datagram socket that keeps every message it receives. */
final class NotifySocket implements AutoCloseable {

    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final MultiThreadIoEventLoopGroup group;
    private final Channel channel;

    /** Binds {@code path} (a file, or an abstract name starting with NUL); skips the test without epoll. */
    NotifySocket(String path) {
        assumeTrue(Epoll.isAvailable(), "needs the epoll transport (Linux) for AF_UNIX datagram sockets");
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        channel = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
                        received.add(packet.content().toString(StandardCharsets.UTF_8));
                    }
                })
                .bind(new DomainSocketAddress(path)).syncUninterruptibly().channel();
    }

    /** The next message, waiting up to {@code seconds}; fails the test when none comes. */
    String next(long seconds) throws InterruptedException {
        String message = received.poll(seconds, TimeUnit.SECONDS);
        assertThat(message).as("a notification within %d s", seconds).isNotNull();
        return message;
    }

    String next() throws InterruptedException {
        return next(10);
    }

    /** Messages received and not taken yet. */
    boolean isEmpty() {
        return received.isEmpty();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
