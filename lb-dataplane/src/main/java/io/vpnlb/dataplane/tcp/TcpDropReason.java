package io.vpnlb.dataplane.tcp;

/** Why a TCP connection was closed by vpnlb rather than by its client or member. Every one is counted. */
public enum TcpDropReason {
    /** No member of the pool is eligible for a new session. */
    NO_MEMBER("no_member"),
    /** The service has {@code max-sessions} connections already. */
    SESSION_LIMIT("session_limit"),
    /** Every eligible member refused or did not answer the connection. */
    CONNECT_FAILED("connect_failed"),
    /** No byte in either direction for {@code session-idle-timeout}. */
    IDLE_TIMEOUT("idle_timeout"),
    /** Passthrough: the client's first bytes are not a TLS handshake record. */
    NOT_TLS("not_tls"),
    /** Passthrough: a TLS record whose ClientHello is inconsistent. */
    MALFORMED_HELLO("malformed_hello"),
    /** Passthrough, terminate: no complete ClientHello or handshake in time (slow or silent client). */
    HELLO_TIMEOUT("hello_timeout"),
    /** Terminate: the TLS handshake failed (no common version or cipher, bad record, client alert). */
    TLS_HANDSHAKE_FAILED("tls_handshake_failed"),
    /**
     * Client-certificate preauthentication (ip-https): no certificate, one from another CA, revoked in the CRL, or
     * expired.
     */
    CLIENT_CERTIFICATE_REJECTED("client_certificate_rejected"),
    /** SSTP: the request is not {@code SSTP_DUPLEX_POST /sra_{...}/ HTTP/1.1}, or its headers are malformed. */
    HTTP_BAD_REQUEST("http_bad_request"),
    /** SSTP: the request headers exceed the limit. */
    HTTP_HEADER_TOO_LARGE("http_header_too_large"),
    /**
     * SSTP: the request's length is ambiguous, the shapes of HTTP request smuggling: a Transfer-Encoding header,
     * more than one Content-Length, or a Content-Length that is not a number.
     */
    HTTP_REQUEST_SMUGGLING("http_request_smuggling"),
    /** SSTP: the TLS handshake completed but no complete request followed in time (slow or silent client). */
    HTTP_REQUEST_TIMEOUT("http_request_timeout"),
    /**
     * SSTP: a packet with a bad version or length, a control attribute that runs past the end of its packet, or
     * a packet cut short by the end of the client's stream.
     */
    SSTP_MALFORMED("sstp_malformed"),
    /** The member stopped serving (maintenance, down) and its sessions were closed. */
    MEMBER_EVICTED("member_evicted"),
    /** A reload removed or replaced the service; its connections were closed. */
    SERVICE_REMOVED("service_removed"),
    /** An I/O error on either socket (reset by peer, broken pipe). */
    IO_ERROR("io_error");

    private static final TcpDropReason[] VALUES = values();

    private final String metricName;

    TcpDropReason(String metricName) {
        this.metricName = metricName;
    }

    /** The {@code reason} label value. */
    public String metricName() {
        return metricName;
    }

    static int count() {
        return VALUES.length;
    }
}
