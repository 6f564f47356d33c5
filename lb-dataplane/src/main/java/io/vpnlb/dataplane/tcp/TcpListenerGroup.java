package io.vpnlb.dataplane.tcp;

import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;
import io.vpnlb.dataplane.snapshot.ListenerSnapshot;

import java.net.InetSocketAddress;
import java.util.Map;

/** One TCP listener: its listening socket and, per event loop, the counters and connections of its clients. */
public final class TcpListenerGroup {

    private final TcpService service;
    private final int listenerIndex;
    private final ListenerSnapshot listener;
    private final InetSocketAddress address;
    private final Channel channel;
    private final Map<EventExecutor, TcpLoop> loops;

    TcpListenerGroup(TcpService service, int listenerIndex, ListenerSnapshot listener, InetSocketAddress address,
                     Channel channel, Map<EventExecutor, TcpLoop> loops) {
        this.service = service;
        this.listenerIndex = listenerIndex;
        this.listener = listener;
        this.address = address;
        this.channel = channel;
        this.loops = Map.copyOf(loops);
    }

    public String serviceName() {
        return service.name();
    }

    /** How the service treats TLS: {@code tcp}, {@code passthrough}, {@code terminate} or {@code reencrypt}. */
    public String mode() {
        return service.modeName();
    }

    public ListenerSnapshot listener() {
        return listener;
    }

    int listenerIndex() {
        return listenerIndex;
    }

    /** The bound VIP address and port (the real port when the configuration asked for port 0). */
    public InetSocketAddress address() {
        return address;
    }

    public Channel channel() {
        return channel;
    }

    TcpService service() {
        return service;
    }

    TcpLoop loop(EventExecutor executor) {
        return loops.get(executor);
    }

    Map<EventExecutor, TcpLoop> loops() {
        return loops;
    }

    /** The sum of the per-loop counters, read without stopping the loops. */
    public TcpCounters counters() {
        TcpCounters sum = new TcpCounters();
        for (TcpLoop loop : loops.values()) {
            sum.add(loop.counters);
        }
        return sum;
    }

    /** Live connections of the listener's service, across all its listeners and loops. */
    public int activeSessions() {
        return service.activeSessions();
    }
}
