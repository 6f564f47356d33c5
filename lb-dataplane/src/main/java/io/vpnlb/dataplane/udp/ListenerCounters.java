package io.vpnlb.dataplane.udp;

/**
 * Counters of one listener socket, written only by the event loop that owns the socket (plain fields, no
 * atomics) and read by anyone for monitoring, where a slightly stale value is fine. {@link UdpListenerGroup}
 * sums the per-loop instances of a listener.
 */
public final class ListenerCounters {

    long rxDatagrams;
    long rxBytes;
    long txDatagrams;
    long txBytes;
    long sessionsCreated;
    long sessionsExpired;
    long sessionsClosed;
    long upstreamErrors;
    final long[] drops = new long[DropReason.count()];

    /** Datagrams received from clients on the VIP port. */
    public long rxDatagrams() {
        return rxDatagrams;
    }

    public long rxBytes() {
        return rxBytes;
    }

    /** Datagrams sent back to clients from the VIP port. */
    public long txDatagrams() {
        return txDatagrams;
    }

    public long txBytes() {
        return txBytes;
    }

    public long sessionsCreated() {
        return sessionsCreated;
    }

    /** Sessions closed because they were idle for longer than {@code session-idle-timeout}. */
    public long sessionsExpired() {
        return sessionsExpired;
    }

    /** Sessions closed for any reason, expiry included. */
    public long sessionsClosed() {
        return sessionsClosed;
    }

    /** Errors reported on upstream sockets, such as ICMP port unreachable from a member. */
    public long upstreamErrors() {
        return upstreamErrors;
    }

    public long drops(DropReason reason) {
        return drops[reason.ordinal()];
    }

    void drop(DropReason reason) {
        drops[reason.ordinal()]++;
    }

    /** Adds {@code other} into this instance; used to sum the per-loop counters. */
    void add(ListenerCounters other) {
        rxDatagrams += other.rxDatagrams;
        rxBytes += other.rxBytes;
        txDatagrams += other.txDatagrams;
        txBytes += other.txBytes;
        sessionsCreated += other.sessionsCreated;
        sessionsExpired += other.sessionsExpired;
        sessionsClosed += other.sessionsClosed;
        upstreamErrors += other.upstreamErrors;
        for (int i = 0; i < drops.length; i++) {
            drops[i] += other.drops[i];
        }
    }
}
