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
    long halfOpenExpired;
    long upstreamErrors;
    long ikeMessages;
    long ikeFragments;
    long ikeOversized;
    long espDatagrams;
    long keepalives;
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

    /** Half-open IKE sessions closed because the member did not answer within {@code ike.half-open-timeout}. */
    public long halfOpenExpired() {
        return halfOpenExpired;
    }

    /** Sessions closed for any reason, expiry included. */
    public long sessionsClosed() {
        return sessionsClosed;
    }

    /** Errors reported on upstream sockets, such as ICMP port unreachable from a member. */
    public long upstreamErrors() {
        return upstreamErrors;
    }

    /** IKE messages from clients (on UDP 4500 behind the non-ESP marker). */
    public long ikeMessages() {
        return ikeMessages;
    }

    /** IKE messages from clients whose first payload is an Encrypted Fragment (RFC 7383). */
    public long ikeFragments() {
        return ikeFragments;
    }

    /**
     * IKE messages from clients larger than {@value UdpListenerHandler#OVERSIZED_IKE_LENGTH} bytes: they were
     * most likely IP-fragmented on the way in, which firewalls often drop.
     */
    public long ikeOversized() {
        return ikeOversized;
    }

    /** ESP-in-UDP datagrams from clients. */
    public long espDatagrams() {
        return espDatagrams;
    }

    /** NAT keepalives from clients. */
    public long keepalives() {
        return keepalives;
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
        halfOpenExpired += other.halfOpenExpired;
        upstreamErrors += other.upstreamErrors;
        ikeMessages += other.ikeMessages;
        ikeFragments += other.ikeFragments;
        ikeOversized += other.ikeOversized;
        espDatagrams += other.espDatagrams;
        keepalives += other.keepalives;
        for (int i = 0; i < drops.length; i++) {
            drops[i] += other.drops[i];
        }
    }
}
