package io.vpnlb.dataplane.udp;

import io.netty.channel.Channel;
import io.vpnlb.dataplane.internal.SessionLimit;
import io.vpnlb.dataplane.snapshot.ListenerSnapshot;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The sockets of one UDP listener: one per event loop with {@code SO_REUSEPORT}, or a single socket on NIO.
 */
public final class UdpListenerGroup {

    private final String serviceName;
    private final ListenerSnapshot listener;
    private final InetSocketAddress address;
    private final List<Channel> channels;
    private final List<UdpListenerHandler> handlers;
    private final SessionLimit limit;
    private final FloodGuard guard;

    UdpListenerGroup(String serviceName, ListenerSnapshot listener, InetSocketAddress address,
                     List<Channel> channels, List<UdpListenerHandler> handlers, SessionLimit limit, FloodGuard guard) {
        this.serviceName = serviceName;
        this.listener = listener;
        this.address = address;
        this.channels = List.copyOf(channels);
        this.handlers = List.copyOf(handlers);
        this.limit = limit;
        this.guard = guard;
    }

    /** Live sessions of the listener's service, across all its listeners and loops. */
    public SessionLimit sessionLimit() {
        return limit;
    }

    /** New-session admission of the listener's ikev2 service, or {@code null} for plain UDP. */
    public FloodGuard floodGuard() {
        return guard;
    }

    public String serviceName() {
        return serviceName;
    }

    public ListenerSnapshot listener() {
        return listener;
    }

    /** The bound VIP address and port. */
    public InetSocketAddress address() {
        return address;
    }

    public List<Channel> channels() {
        return channels;
    }

    public List<UdpListenerHandler> handlers() {
        return handlers;
    }

    /** The sum of the per-loop counters, read without stopping the loops. */
    public ListenerCounters counters() {
        ListenerCounters sum = new ListenerCounters();
        for (UdpListenerHandler handler : handlers) {
            sum.add(handler.counters());
        }
        return sum;
    }
}
