package io.vpnlb.dataplane.udp;

/** Why a datagram was not forwarded. Every drop is counted under one of these; none is thrown. */
public enum DropReason {
    /** No member of the pool is eligible for a new session. */
    NO_MEMBER("no_member"),
    /** The service has {@code max-sessions} sessions already. */
    SESSION_LIMIT("session_limit"),
    /** The socket toward the member could not be opened or connected. */
    UPSTREAM_FAILED("upstream_failed"),
    /** The session's upstream socket is still connecting and its small queue is full. */
    PENDING_OVERFLOW("pending_overflow"),
    /** The socket's send queue is above its high-water mark; the datagram is dropped, not queued without bound. */
    BACKPRESSURE("backpressure"),
    /** A message that is not a datagram reached the listener. */
    NOT_A_DATAGRAM("not_a_datagram"),
    /** The session was closed while the datagram was queued. */
    SESSION_CLOSED("session_closed");

    private static final DropReason[] VALUES = values();

    private final String metricName;

    DropReason(String metricName) {
        this.metricName = metricName;
    }

    /** The {@code reason} label value. */
    public String metricName() {
        return metricName;
    }

    static int count() {
        return VALUES.length;
    }

    static DropReason of(int ordinal) {
        return VALUES[ordinal];
    }
}
