package io.vpnlb.dataplane.udp;

/** Why a datagram was not forwarded. Every drop is counted under one of these; none is thrown. */
public enum DropReason {
    /** No member of the pool is eligible for a new session. */
    NO_MEMBER("no_member"),
    /** The service has {@code max-sessions} sessions already. */
    SESSION_LIMIT("session_limit"),
    /** The socket toward the member could not be opened or connected. */
    UPSTREAM_FAILED("upstream_failed"),
    /**
     * Fewer than the reserve of file descriptors (256) would remain under the process's open-files limit: the
     * session is refused so that the admin API, health checks and reloads keep working.
     */
    FD_RESERVE("fd_reserve"),
    /** The session's upstream socket is still connecting and its small queue is full. */
    PENDING_OVERFLOW("pending_overflow"),
    /** The socket's send queue is above its high-water mark; the datagram is dropped, not queued without bound. */
    BACKPRESSURE("backpressure"),
    /** A message that is not a datagram reached the listener. */
    NOT_A_DATAGRAM("not_a_datagram"),
    /** The session was closed while the datagram was queued. */
    SESSION_CLOSED("session_closed"),
    /** Too short for what it claims to be: IKE header, ESP header, keepalive. */
    TRUNCATED("truncated"),
    /** IKE major version other than 2. */
    BAD_IKE_VERSION("bad_ike_version"),
    /** The IKE Length field disagrees with the datagram length. */
    IKE_LENGTH_MISMATCH("ike_length_mismatch"),
    /** IKE initiator SPI zero. */
    ZERO_IKE_SPI("zero_ike_spi"),
    /** ESP SPI in the reserved range 1..255. */
    RESERVED_ESP_SPI("reserved_esp_spi"),
    /** The service already has {@code ike.max-half-open} half-open IKE sessions. */
    HALF_OPEN_LIMIT("half_open_limit"),
    /** The client address already has {@code ike.max-half-open-per-source} half-open IKE sessions. */
    HALF_OPEN_SOURCE_LIMIT("half_open_source_limit"),
    /** The client address opens new sessions faster than {@code ike.new-sessions-per-source} per second. */
    NEW_SESSION_RATE("new_session_rate");

    private static final DropReason[] VALUES = values();

    private final String metricName;

    DropReason(String metricName) {
        this.metricName = metricName;
    }

    /** The {@code reason} label value. */
    public String metricName() {
        return metricName;
    }

    /** The drop reason for a datagram that did not parse. */
    static DropReason of(io.vpnlb.dataplane.wire.Malformation malformation) {
        switch (malformation) {
            case TRUNCATED:
                return TRUNCATED;
            case BAD_IKE_VERSION:
                return BAD_IKE_VERSION;
            case IKE_LENGTH_MISMATCH:
                return IKE_LENGTH_MISMATCH;
            case ZERO_IKE_SPI:
                return ZERO_IKE_SPI;
            case RESERVED_ESP_SPI:
                return RESERVED_ESP_SPI;
            default:
                throw new IllegalArgumentException(malformation.name());
        }
    }

    static int count() {
        return VALUES.length;
    }

    static DropReason of(int ordinal) {
        return VALUES[ordinal];
    }
}
