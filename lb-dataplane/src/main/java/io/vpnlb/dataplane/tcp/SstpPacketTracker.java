package io.vpnlb.dataplane.tcp;

import io.netty.buffer.ByteBuf;

/**
 * Follows the SSTP packets of one direction of a connection ([MS-SSTP] 2.2) as they stream past, without changing
 * or holding the buffers: data packets are skipped by length; control packets (at most {@value #MAX_CONTROL_BYTES}
 * bytes of them, enough for CALL_CONNECTED) are gathered into a small per-connection array when they straddle
 * reads. One instance per direction per connection; the event loop's thread only.
 *
 * <p>Packet: version 0x10, flags (bit 0 = control), 12-bit length including the 4-byte header. Control message:
 * type (2), attribute count (2), attributes {reserved (1), id (1), 12-bit length (2), value}.
 */
final class SstpPacketTracker {

    static final int VERSION = 0x10;
    static final int HEADER_LENGTH = 4;
    /** Packet header, message type and attribute count. */
    static final int CONTROL_HEADER_LENGTH = 8;
    static final int ATTRIBUTE_HEADER_LENGTH = 4;
    static final int MAX_CONTROL_BYTES = 112;
    static final int CALL_CONNECT_REQUEST = 1;
    static final int CALL_CONNECT_ACK = 2;
    static final int CALL_CONNECT_NAK = 3;
    static final int CALL_CONNECTED = 4;
    static final int CALL_ABORT = 5;
    static final int CALL_DISCONNECT = 6;
    static final int CALL_DISCONNECT_ACK = 7;
    static final int ECHO_REQUEST = 8;
    static final int ECHO_RESPONSE = 9;
    /** CALL_CONNECT_ACK: CRYPTO_BINDING_REQ attribute, hash protocol bitmask at this packet offset. */
    static final int ACK_HASH_BITMASK_OFFSET = 15;
    /** CALL_CONNECTED (112 bytes): CRYPTO_BINDING attribute at 8; hash protocol at 15, nonce 16..47. */
    static final int CONNECTED_LENGTH = 112;
    static final int CONNECTED_HASH_PROTOCOL_OFFSET = 15;
    static final int CONNECTED_CERT_HASH_OFFSET = 48;
    static final int CERT_HASH_FIELD_LENGTH = 32;
    static final int HASH_SHA1 = 1;
    static final int HASH_SHA256 = 2;

    /** What the tracker reports. */
    interface Listener {
        /** A control packet; {@code packet} holds its first {@code length} bytes (at most 112). */
        void control(int messageType, byte[] packet, int length, int packetLength);

        /** A data packet's header was seen. */
        void data();
    }

    private final Listener listener;
    private final byte[] head = new byte[MAX_CONTROL_BYTES];
    private int filled;
    private int want = HEADER_LENGTH;
    private int packetLength;
    private boolean control;
    private int skip;
    private boolean malformed;

    SstpPacketTracker(Listener listener) {
        this.listener = listener;
    }

    /**
     * True once a packet with a bad version or length, or a control packet whose attributes do not fit in it, was
     * seen; the tracker then ignores the rest.
     */
    boolean malformed() {
        return malformed;
    }

    /** Follows the bytes from {@code from} to the buffer's writer index; indices are not moved. */
    void feed(ByteBuf buf, int from) {
        int p = from;
        int end = buf.writerIndex();
        while (p < end && !malformed) {
            if (skip > 0) {
                int n = Math.min(skip, end - p);
                p += n;
                skip -= n;
                continue;
            }
            int n = Math.min(want - filled, end - p);
            buf.getBytes(p, head, filled, n);
            filled += n;
            p += n;
            if (filled < want) {
                break;
            }
            if (filled == HEADER_LENGTH) {
                if ((head[0] & 0xFF) != VERSION) {
                    malformed = true;
                    break;
                }
                control = (head[1] & 0x01) != 0;
                packetLength = ((head[2] & 0x0F) << 8) | (head[3] & 0xFF);
                if (packetLength < HEADER_LENGTH || (control && packetLength < CONTROL_HEADER_LENGTH)) {
                    malformed = true;
                    break;
                }
                if (!control) {
                    listener.data();
                    skip = packetLength - HEADER_LENGTH;
                    reset();
                    continue;
                }
                want = Math.min(packetLength, MAX_CONTROL_BYTES);
                if (filled < want) {
                    continue;
                }
            }
            if (!attributesFit()) {
                malformed = true;
                break;
            }
            int type = ((head[4] & 0xFF) << 8) | (head[5] & 0xFF);
            listener.control(type, head, filled, packetLength);
            skip = packetLength - filled;
            reset();
        }
    }

    /** True between packets; false when the bytes seen so far end inside a packet. */
    boolean atPacketBoundary() {
        return filled == 0 && skip == 0;
    }

    /**
     * Whether the attributes the control message announces fit in its packet: each attribute's 12-bit length
     * (header included) must be at least 4 and end within the packet. Attributes beyond the gathered bytes (only
     * in packets longer than {@value #MAX_CONTROL_BYTES}) are not checked.
     */
    private boolean attributesFit() {
        int count = ((head[6] & 0xFF) << 8) | (head[7] & 0xFF);
        int p = CONTROL_HEADER_LENGTH;
        for (int i = 0; i < count; i++) {
            if (p + ATTRIBUTE_HEADER_LENGTH > packetLength) {
                return false;
            }
            if (p + ATTRIBUTE_HEADER_LENGTH > filled) {
                return true;
            }
            int length = ((head[p + 2] & 0x0F) << 8) | (head[p + 3] & 0xFF);
            if (length < ATTRIBUTE_HEADER_LENGTH || p + length > packetLength) {
                return false;
            }
            p += length;
        }
        return true;
    }

    private void reset() {
        filled = 0;
        want = HEADER_LENGTH;
    }
}
