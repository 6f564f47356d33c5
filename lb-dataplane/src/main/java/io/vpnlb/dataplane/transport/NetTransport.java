package io.vpnlb.dataplane.transport;

import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vpnlb.config.Transport;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One of the three Netty transports the data plane runs on, with what it can do. {@link #resolve} turns the
 * configured {@link Transport} into a transport that is available here, or fails naming why.
 */
public enum NetTransport {
    IO_URING("io_uring", true) {
        @Override
        public boolean isAvailable() {
            return IoUring.isAvailable();
        }

        @Override
        public Throwable unavailabilityCause() {
            return IoUring.unavailabilityCause();
        }

        @Override
        IoHandlerFactory ioHandlerFactory() {
            return IoUringIoHandler.newFactory();
        }

        @Override
        public DatagramChannel newDatagramChannel(SocketProtocolFamily family) {
            return family == null ? new IoUringDatagramChannel() : new IoUringDatagramChannel(family);
        }

        @Override
        public ChannelFactory<ServerSocketChannel> serverChannelFactory() {
            return IoUringServerSocketChannel::new;
        }

        @Override
        public ChannelFactory<SocketChannel> socketChannelFactory() {
            return IoUringSocketChannel::new;
        }

        @Override
        public ChannelOption<Boolean> ipTransparent() {
            return IoUringChannelOption.IP_TRANSPARENT;
        }
    },
    EPOLL("epoll", true) {
        @Override
        public boolean isAvailable() {
            return Epoll.isAvailable();
        }

        @Override
        public Throwable unavailabilityCause() {
            return Epoll.unavailabilityCause();
        }

        @Override
        IoHandlerFactory ioHandlerFactory() {
            return EpollIoHandler.newFactory();
        }

        @Override
        public DatagramChannel newDatagramChannel(SocketProtocolFamily family) {
            return family == null ? new EpollDatagramChannel() : new EpollDatagramChannel(family);
        }

        @Override
        public ChannelFactory<ServerSocketChannel> serverChannelFactory() {
            return EpollServerSocketChannel::new;
        }

        @Override
        public ChannelFactory<SocketChannel> socketChannelFactory() {
            return EpollSocketChannel::new;
        }

        @Override
        public ChannelOption<Boolean> ipTransparent() {
            return EpollChannelOption.IP_TRANSPARENT;
        }
    },
    NIO("nio", false) {
        @Override
        public boolean isAvailable() {
            return true;
        }

        @Override
        public Throwable unavailabilityCause() {
            return null;
        }

        @Override
        IoHandlerFactory ioHandlerFactory() {
            return NioIoHandler.newFactory();
        }

        @Override
        public DatagramChannel newDatagramChannel(SocketProtocolFamily family) {
            return family == null ? new NioDatagramChannel() : new NioDatagramChannel(family);
        }

        @Override
        public ChannelFactory<ServerSocketChannel> serverChannelFactory() {
            return NioServerSocketChannel::new;
        }

        @Override
        public ChannelFactory<SocketChannel> socketChannelFactory() {
            return NioSocketChannel::new;
        }
    };

    private final String displayName;
    private final boolean reusePort;

    NetTransport(String displayName, boolean reusePort) {
        this.displayName = displayName;
        this.reusePort = reusePort;
    }

    public abstract boolean isAvailable();

    /** Why the transport cannot run here, or {@code null}. */
    public abstract Throwable unavailabilityCause();

    abstract IoHandlerFactory ioHandlerFactory();

    /**
     * A datagram socket of {@code family}, not yet registered; {@code null}: the transport's default (an IPv6
     * socket that also serves IPv4, where the host has IPv6).
     */
    public abstract DatagramChannel newDatagramChannel(SocketProtocolFamily family);

    /**
     * A connected datagram socket toward {@code peer} (a session's upstream socket): an IPv4 socket for an IPv4
     * peer, 128 bytes smaller in the kernel than a dual-stack IPv6 one. Listener sockets keep the default family:
     * Netty's native receive path asks an IPv4 socket for {@code IP_RECVORIGDSTADDR} (a {@code getsockopt}) on
     * every unconnected receive call, which a dual-stack socket does not.
     */
    public DatagramChannel newConnectedDatagramChannel(InetAddress peer) {
        return newDatagramChannel(
                peer instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6);
    }

    /** TCP listening sockets (TCP, SSTP and IP-HTTPS listeners). */
    public abstract ChannelFactory<ServerSocketChannel> serverChannelFactory();

    /** TCP connections toward members. */
    public abstract ChannelFactory<SocketChannel> socketChannelFactory();

    /**
     * The socket option that lets an upstream socket bind a foreign address (the client's, in transparent mode),
     * or {@code null} when the transport has none (NIO).
     */
    public ChannelOption<Boolean> ipTransparent() {
        return null;
    }

    /** The configuration spelling: {@code io_uring}, {@code epoll} or {@code nio}. */
    public String displayName() {
        return displayName;
    }

    /**
     * True when several sockets can share one port with {@code SO_REUSEPORT}, so that each event loop reads
     * its own socket.
     */
    public boolean supportsReusePort() {
        return reusePort;
    }

    /** Event loops named {@code vpnlb-<transport>-N}. */
    public MultiThreadIoEventLoopGroup newEventLoopGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(
                threads, new DefaultThreadFactory("vpnlb-" + displayName, false), ioHandlerFactory());
    }

    /**
     * What {@code auto} tries, in order. epoll comes before io_uring: every UDP session owns a socket toward its
     * member, and Netty 4.2's io_uring datagram channel holds a posted 64 KiB receive buffer and two 256-entry
     * message-header arrays per socket, about 325 KB of memory per session against about 40 KB on epoll (measured
     * with 5,000 sessions under an IKE_SA_INIT flood). io_uring stays available when forced.
     */
    private static final NetTransport[] AUTO_ORDER = {EPOLL, IO_URING, NIO};

    /**
     * The transport to run on: the forced one, or for {@code auto} the first available of epoll, io_uring and
     * NIO.
     *
     * @throws TransportUnavailableException when a forced transport is not available, naming it and the cause
     */
    public static NetTransport resolve(Transport configured) {
        switch (configured) {
            case AUTO:
                for (NetTransport candidate : AUTO_ORDER) {
                    if (candidate.isAvailable()) {
                        return candidate;
                    }
                }
                return NIO;
            case IO_URING:
                return requireAvailable(IO_URING);
            case EPOLL:
                return requireAvailable(EPOLL);
            case NIO:
                return NIO;
            default:
                throw new IllegalArgumentException("transport: " + configured);
        }
    }

    /** The transports that can run on this machine, best first. */
    public static List<NetTransport> available() {
        List<NetTransport> available = new ArrayList<>();
        for (NetTransport candidate : values()) {
            if (candidate.isAvailable()) {
                available.add(candidate);
            }
        }
        return available;
    }

    private static NetTransport requireAvailable(NetTransport transport) {
        if (!transport.isAvailable()) {
            Throwable cause = transport.unavailabilityCause();
            throw new TransportUnavailableException(
                    "transport " + transport.displayName + " is not available on this machine"
                            + (cause == null ? "" : ": " + cause)
                            + " (set transport: auto to fall back, or nio)",
                    cause);
        }
        return transport;
    }
}
