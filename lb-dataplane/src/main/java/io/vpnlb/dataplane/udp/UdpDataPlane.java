package io.vpnlb.dataplane.udp;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.vpnlb.config.ServiceType;
import io.vpnlb.dataplane.internal.FileDescriptorReserve;
import io.vpnlb.dataplane.internal.SessionLimit;
import io.vpnlb.dataplane.snapshot.ListenerSnapshot;
import io.vpnlb.dataplane.snapshot.ServiceSnapshot;
import io.vpnlb.dataplane.snapshot.SessionRouter;
import io.vpnlb.dataplane.snapshot.SnapshotSource;
import io.vpnlb.dataplane.transport.NetTransport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds the UDP listeners of every datagram service in a snapshot and forwards their traffic. Each listener
 * port gets one socket per event loop when the transport has {@code SO_REUSEPORT} (epoll, io_uring), so every
 * loop reads its own share of the clients; NIO gets one socket per port. A reload may bind the listeners of a
 * service it adds and close those of a service it removes; the others are never touched.
 */
public final class UdpDataPlane implements AutoCloseable {

    private final NetTransport transport;
    private final EventLoopGroup group;
    private final int loops;
    private final SnapshotSource snapshots;
    private final SessionRouter router;
    private final UpstreamConnector connector;
    private final FileDescriptorReserve descriptors;
    /** Copy on write: readers (metrics, admin API, eviction) see one consistent list. */
    private volatile List<UdpListenerGroup> listeners = List.of();

    private UdpDataPlane(NetTransport transport, EventLoopGroup group, int loops, SnapshotSource snapshots,
                         SessionRouter router, FileDescriptorReserve descriptors) {
        this.transport = transport;
        this.group = group;
        this.loops = loops;
        this.snapshots = snapshots;
        this.router = router;
        this.connector = new ChannelUpstreamConnector(transport);
        this.descriptors = descriptors;
    }

    public List<UdpListenerGroup> listeners() {
        return listeners;
    }

    /** The process's open-files limit as last read, or {@code <= 0} when unknown. */
    public long openFilesLimit() {
        return descriptors.limit();
    }

    /** The file descriptors new sessions leave free. */
    public int openFilesReserve() {
        return descriptors.reserve();
    }

    /**
     * Binds every UDP listener of {@code snapshot}. Either all bind or none stays bound.
     *
     * @param loops the number of event loops in {@code group}; that many sockets per port with SO_REUSEPORT
     * @throws ListenerBindException naming the service, address and port that could not be bound
     */
    public static UdpDataPlane start(NetTransport transport, EventLoopGroup group, int loops,
                                     SnapshotSource snapshots, SessionRouter router) {
        return start(transport, group, loops, snapshots, router, FileDescriptorReserve.ofProcess());
    }

    /**
     * Binds every UDP listener of {@code snapshot}; new sessions are refused while fewer than the reserve of
     * {@code descriptors} remain free. Either all bind or none stays bound.
     *
     * @throws ListenerBindException naming the service, address and port that could not be bound
     */
    public static UdpDataPlane start(NetTransport transport, EventLoopGroup group, int loops,
                                     SnapshotSource snapshots, SessionRouter router,
                                     FileDescriptorReserve descriptors) {
        UdpDataPlane plane = new UdpDataPlane(transport, group, loops, snapshots, router, descriptors);
        try {
            for (ServiceSnapshot service : snapshots.current().services()) {
                if (service.type().datagram()) {
                    plane.bind(service);
                }
            }
        } catch (RuntimeException e) {
            plane.close();
            throw e;
        }
        return plane;
    }

    /**
     * Prepares every event loop for its first client, so that the first datagram does not pay for one-time work:
     * each loop takes one receive-sized buffer from the allocator (the allocator's first chunk registers its JFR
     * event types, which costs hundreds of milliseconds once per process) and opens and closes one upstream socket
     * (connected to the loopback discard port; nothing is sent).
     */
    public void warmUp() {
        InetSocketAddress discard = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);
        List<ChannelFuture> closed = new ArrayList<>();
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            Future<ChannelFuture> connected = loop.submit(() -> {
                ByteBufAllocator.DEFAULT.directBuffer(UdpChannels.MAX_DATAGRAM_LENGTH).release();
                ByteBufAllocator.DEFAULT.directBuffer(UdpChannels.MAX_DATAGRAM_LENGTH * UdpChannels.READ_BATCH)
                        .release();
                return connector.connect(loop, new ChannelInboundHandlerAdapter(), discard, null);
            });
            ChannelFuture upstream = connected.syncUninterruptibly().getNow();
            closed.add(upstream.awaitUninterruptibly().channel().close());
        }
        for (ChannelFuture close : closed) {
            close.awaitUninterruptibly();
        }
    }

    /**
     * Binds the listeners of {@code service}, a datagram service of the current snapshot: all of them or none.
     *
     * @throws ListenerBindException naming the service, address and port that could not be bound
     */
    public synchronized void bind(ServiceSnapshot service) {
        SessionLimit limit = new SessionLimit();
        FloodGuard guard = service.type() == ServiceType.IKEV2 ? new FloodGuard() : null;
        List<UdpListenerGroup> bound = new ArrayList<>();
        try {
            for (int li = 0; li < service.listeners().size(); li++) {
                bound.add(bind(transport, group, loops, snapshots, router, connector, descriptors, service, li,
                        limit, guard));
            }
        } catch (RuntimeException e) {
            for (UdpListenerGroup listener : bound) {
                closeChannels(listener.channels());
            }
            throw e;
        }
        List<UdpListenerGroup> next = new ArrayList<>(listeners);
        next.addAll(bound);
        listeners = List.copyOf(next);
    }

    /**
     * Closes the listeners of the service called {@code name} and with them its sessions and their upstream
     * sockets; returns when they are closed. Nothing happens when it has none.
     */
    public synchronized void unbind(String name) {
        List<UdpListenerGroup> kept = new ArrayList<>();
        for (UdpListenerGroup listener : listeners) {
            if (listener.serviceName().equals(name)) {
                closeChannels(listener.channels());
            } else {
                kept.add(listener);
            }
        }
        listeners = List.copyOf(kept);
    }

    private static UdpListenerGroup bind(NetTransport transport, EventLoopGroup group, int loops,
                                         SnapshotSource snapshots, SessionRouter router, UpstreamConnector connector,
                                         FileDescriptorReserve descriptors, ServiceSnapshot service,
                                         int listenerIndex, SessionLimit limit, FloodGuard guard) {
        ListenerSnapshot listener = service.listeners().get(listenerIndex);
        InetSocketAddress address = new InetSocketAddress(service.listenAddress(), listener.listenPort());
        int sockets = transport.supportsReusePort() ? loops : 1;
        List<Channel> channels = new ArrayList<>(sockets);
        List<UdpListenerHandler> handlers = new ArrayList<>(sockets);
        for (int i = 0; i < sockets; i++) {
            // the default family (dual-stack): see NetTransport.newConnectedDatagramChannel for why
            DatagramChannel channel = transport.newDatagramChannel(null);
            UdpChannels.configureListener(channel);
            if (transport.supportsReusePort()) {
                channel.config().setOption(UnixChannelOption.SO_REUSEPORT, true);
            }
            UdpListenerHandler handler = new UdpListenerHandler(service.index(), listenerIndex, snapshots, router,
                    connector, limit, descriptors, guard);
            channel.pipeline().addLast(handler);
            ChannelFuture registered = group.register(channel).syncUninterruptibly();
            ChannelFuture bindFuture = registered.channel().bind(address).awaitUninterruptibly();
            if (!bindFuture.isSuccess()) {
                channel.close().awaitUninterruptibly();
                closeChannels(channels);
                throw new ListenerBindException(service.name(), "UDP", address, bindFuture.cause());
            }
            channels.add(channel);
            handlers.add(handler);
        }
        return new UdpListenerGroup(service.name(), listener, address, channels, handlers, limit, guard);
    }

    private static void closeChannels(List<Channel> channels) {
        for (Channel channel : channels) {
            channel.close().awaitUninterruptibly();
        }
    }

    /**
     * Closes, on each event loop, the sessions bound to a member that stopped serving. Returns at once; the
     * loops do the work.
     */
    public void evictMember(String pool, String memberKey) {
        for (UdpListenerGroup group : listeners) {
            for (int i = 0; i < group.handlers().size(); i++) {
                UdpListenerHandler handler = group.handlers().get(i);
                group.channels().get(i).eventLoop().execute(() -> handler.evictMember(pool, memberKey));
            }
        }
    }

    /** Closes every listener socket; their sessions and upstream sockets close with them. */
    @Override
    public synchronized void close() {
        for (UdpListenerGroup group : listeners) {
            closeChannels(group.channels());
        }
        listeners = List.of();
    }

    /** A listener that could not be bound; the message names service, protocol, address and the reason. */
    public static final class ListenerBindException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        ListenerBindException(String service, String protocol, InetSocketAddress address, Throwable cause) {
            super(message(service, protocol, address, cause), cause);
        }

        private static String message(String service, String protocol, InetSocketAddress address, Throwable cause) {
            String reason = cause == null ? "unknown error" : String.valueOf(cause.getMessage());
            String lower = reason.toLowerCase(java.util.Locale.ROOT);
            String hint = "";
            if (lower.contains("denied") || lower.contains("permission")) {
                hint = " (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
            } else if (lower.contains("in use")) {
                hint = " (another process holds this port)";
            } else if (lower.contains("assign")) {
                hint = " (the address is not configured on this host)";
            }
            return "service " + service + ": cannot bind " + protocol + " " + address.getAddress().getHostAddress()
                    + ":" + address.getPort() + ": " + reason + hint;
        }
    }
}
