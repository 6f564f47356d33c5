package io.vpnlb.dataplane.wire;

/** What a datagram on an IKE or NAT-T port is. */
public enum DatagramKind {
    /** An IKE message (on UDP 4500 behind the four-byte non-ESP marker). */
    IKE,
    /** ESP in UDP (RFC 3948): a non-zero SPI first. */
    ESP,
    /** A NAT keepalive: one 0xFF byte (RFC 3948 section 2.3). */
    KEEPALIVE,
    /** Did not parse; {@link DatagramClassifier#dropReason()} says why. */
    MALFORMED,
    /** Not inspected: the listener is plain UDP. */
    OPAQUE
}
