package io.vpnlb.dataplane.wire;

/** Why a datagram on an IKE or NAT-T port did not parse. */
public enum Malformation {
    /** Shorter than an IKE header (28 bytes), an ESP header (8 bytes), or 1..3 bytes that are no keepalive. */
    TRUNCATED,
    /** The IKE major version is not 2 (IKEv1 is 1). */
    BAD_IKE_VERSION,
    /** The IKE Length field disagrees with the datagram. */
    IKE_LENGTH_MISMATCH,
    /** The initiator's SPI is zero, which RFC 7296 forbids. */
    ZERO_IKE_SPI,
    /** An ESP SPI in 1..255, reserved by IANA (RFC 4303 section 2.1). */
    RESERVED_ESP_SPI
}
