package io.vpnlb.dataplane.wire;

import io.netty.buffer.ByteBuf;

/**
 * Classifies a datagram of an IKE port (UDP 500: IKE only) or a NAT-T port (UDP 4500, RFC 3948: keepalive,
 * non-ESP marker plus IKE, or ESP) in place: no copy, no allocation, the buffer's indices untouched. One instance
 * per event loop, reused for every datagram; the result is valid until the next call.
 */
public final class DatagramClassifier {

    /** RFC 3948: the four zero bytes in front of an IKE message on UDP 4500. */
    public static final int NON_ESP_MARKER_LENGTH = 4;
    /** ESP header: SPI (4) and sequence number (4). */
    public static final int ESP_HEADER_LENGTH = 8;
    public static final int ESP_SPI_OFFSET = 0;
    /** SPIs 1..255 are reserved (RFC 4303). */
    public static final int MIN_ESP_SPI = 256;
    public static final byte NAT_KEEPALIVE = (byte) 0xFF;

    private final IkeHeaderFlyweight ike = new IkeHeaderFlyweight();
    private DatagramKind kind = DatagramKind.OPAQUE;
    private Malformation malformation;
    private int espSpi;

    /**
     * @param natT true on a NAT-T port (UDP 4500), false on an IKE port (UDP 500), which never carries the marker
     */
    public DatagramKind classify(ByteBuf content, boolean natT) {
        malformation = null;
        espSpi = 0;
        int start = content.readerIndex();
        int length = content.readableBytes();
        if (!natT) {
            return ike(content, start, length);
        }
        if (length == 1 && content.getByte(start) == NAT_KEEPALIVE) {
            return kind = DatagramKind.KEEPALIVE;
        }
        if (length < NON_ESP_MARKER_LENGTH) {
            return malformed(Malformation.TRUNCATED);
        }
        int first = content.getInt(start + ESP_SPI_OFFSET);
        if (first == 0) {
            return ike(content, start + NON_ESP_MARKER_LENGTH, length - NON_ESP_MARKER_LENGTH);
        }
        if (length < ESP_HEADER_LENGTH) {
            return malformed(Malformation.TRUNCATED);
        }
        if (Integer.compareUnsigned(first, MIN_ESP_SPI) < 0) {
            return malformed(Malformation.RESERVED_ESP_SPI);
        }
        espSpi = first;
        return kind = DatagramKind.ESP;
    }

    private DatagramKind ike(ByteBuf content, int offset, int length) {
        if (length < IkeHeaderFlyweight.HEADER_LENGTH) {
            return malformed(Malformation.TRUNCATED);
        }
        ike.wrap(content, offset, length);
        if (ike.majorVersion() != IkeHeaderFlyweight.MAJOR_VERSION_2) {
            return malformed(Malformation.BAD_IKE_VERSION);
        }
        if (ike.lengthField() != length) {
            return malformed(Malformation.IKE_LENGTH_MISMATCH);
        }
        if (ike.initiatorSpi() == 0) {
            return malformed(Malformation.ZERO_IKE_SPI);
        }
        return kind = DatagramKind.IKE;
    }

    private DatagramKind malformed(Malformation why) {
        malformation = why;
        return kind = DatagramKind.MALFORMED;
    }

    /** The result of the last {@link #classify}. */
    public DatagramKind kind() {
        return kind;
    }

    /** Why the last datagram was MALFORMED, else {@code null}. */
    public Malformation malformation() {
        return malformation;
    }

    /** The IKE header of the last datagram; valid when {@link #kind()} is IKE. */
    public IkeHeaderFlyweight ike() {
        return ike;
    }

    /** The ESP SPI of the last datagram; valid when {@link #kind()} is ESP. */
    public int espSpi() {
        return espSpi;
    }

    /** True when the last datagram is an IKE message whose first payload is an Encrypted Fragment (RFC 7383). */
    public boolean isIkeFragment() {
        return kind == DatagramKind.IKE && ike.nextPayload() == IkeHeaderFlyweight.PAYLOAD_ENCRYPTED_FRAGMENT;
    }

    /** Marks the classifier as holding nothing (a datagram of a plain UDP listener). */
    public DatagramKind opaque() {
        malformation = null;
        espSpi = 0;
        return kind = DatagramKind.OPAQUE;
    }

    /** Drops the reference to the last buffer. */
    public void clear() {
        ike.unwrap();
    }
}
