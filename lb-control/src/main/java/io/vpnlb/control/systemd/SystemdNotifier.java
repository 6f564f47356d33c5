package io.vpnlb.control.systemd;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Tells the service manager about the process's state, as {@code sd_notify(3)} does: one datagram per state
 * change to the {@code AF_UNIX} datagram socket named by {@code $NOTIFY_SOCKET} (a path, or an abstract socket
 * written with a leading {@code @}). Without {@code $NOTIFY_SOCKET} (not started by systemd, or not with
 * {@code Type=notify}) every method does nothing. A notification that cannot be sent is logged, never thrown:
 * the balancer keeps serving.
 *
 * <p>The socket is Netty's epoll domain datagram channel on a one-thread event loop of its own, open from the
 * first notification until {@link #close()}.
 */
public final class SystemdNotifier implements AutoCloseable {

    /** The environment variable systemd sets for services of {@code Type=notify}. */
    public static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";

    private static final Logger log = LoggerFactory.getLogger(SystemdNotifier.class);
    private static final long SEND_TIMEOUT_SECONDS = 5;

    private final DomainSocketAddress target;
    private MultiThreadIoEventLoopGroup group;
    private Channel channel;
    private boolean failed;

    private SystemdNotifier(DomainSocketAddress target) {
        this.target = target;
    }

    /** A notifier for {@code $NOTIFY_SOCKET}, or one that does nothing when the variable is unset or empty. */
    public static SystemdNotifier fromEnvironment() {
        return forSocket(System.getenv(NOTIFY_SOCKET));
    }

    /**
     * A notifier for the socket {@code notifySocket} in {@code $NOTIFY_SOCKET}'s syntax: a file system path, or
     * {@code @name} for the abstract namespace; {@code null} or empty for one that does nothing.
     */
    public static SystemdNotifier forSocket(String notifySocket) {
        if (notifySocket == null || notifySocket.isEmpty()) {
            return new SystemdNotifier(null);
        }
        String path = notifySocket.charAt(0) == '@' ? '\0' + notifySocket.substring(1) : notifySocket;
        return new SystemdNotifier(new DomainSocketAddress(path));
    }

    /** Whether notifications go anywhere. */
    public boolean enabled() {
        return target != null;
    }

    /** {@code READY=1}: start-up (or a reload) is complete; {@code status} is shown by {@code systemctl status}. */
    public void ready(String status) {
        send("READY=1\nSTATUS=" + oneLine(status));
    }

    /**
     * {@code RELOADING=1}: the configuration is being reloaded; {@link #ready} follows. {@code MONOTONIC_USEC} is
     * the {@code CLOCK_MONOTONIC} time that systemd (253 and later) wants beside it; on Linux the JVM's
     * {@link System#nanoTime()} reads that clock.
     */
    public void reloading() {
        send("RELOADING=1\nMONOTONIC_USEC=" + TimeUnit.NANOSECONDS.toMicros(System.nanoTime())
                + "\nSTATUS=reloading the configuration");
    }

    /** {@code STOPPING=1}: the process is shutting down. */
    public void stopping() {
        send("STOPPING=1\nSTATUS=stopping");
    }

    /** {@code STATUS=...} alone. */
    public void status(String status) {
        send("STATUS=" + oneLine(status));
    }

    /** Sends one notification datagram; the message is {@code KEY=VALUE} lines. */
    synchronized void send(String message) {
        if (target == null || failed) {
            return;
        }
        try {
            if (channel == null) {
                open();
            }
            ChannelFuture sent = channel.writeAndFlush(new DomainDatagramPacket(
                    Unpooled.wrappedBuffer(message.getBytes(StandardCharsets.UTF_8)), target));
            if (!sent.awaitUninterruptibly(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                log.warn("systemd notification to {} not sent within {} s", describe(), SEND_TIMEOUT_SECONDS);
            } else if (!sent.isSuccess()) {
                log.warn("systemd notification to {} failed: {}", describe(), sent.cause().toString());
            }
        } catch (RuntimeException | LinkageError e) {
            failed = true;
            log.warn("cannot notify systemd through {} ({}); the service manager will not see vpnlb's state",
                    describe(), e.toString());
        }
    }

    private void open() {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("the epoll transport is not available: "
                    + Epoll.unavailabilityCause());
        }
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            channel = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                    // Unbound and unconnected: each notification names its destination, as sd_notify does.
                    .option(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true)
                    .handler(new ChannelInboundHandlerAdapter())
                    .register().syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            group = null;
            throw e;
        }
    }

    private String describe() {
        String path = target.path();
        return path.startsWith("\0") ? "@" + path.substring(1) : path;
    }

    private static String oneLine(String text) {
        return text.replace('\n', ' ');
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            channel = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(SEND_TIMEOUT_SECONDS,
                    TimeUnit.SECONDS);
            group = null;
        }
    }
}
