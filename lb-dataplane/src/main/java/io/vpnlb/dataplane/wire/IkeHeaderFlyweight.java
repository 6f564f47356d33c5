package io.vpnlb.dataplane.wire;

import io.netty.buffer.ByteBuf;

/**
 * The IKEv2 header (RFC 7296 section 3.1) read in place over a received buffer: no copy, no allocation, reader
 * index untouched.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |                       IKE SA Initiator's SPI                  |  0
 * |                       IKE SA Responder's SPI                  |  8
 * |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     | 16
 * |                          Message ID                           | 20
 * |                            Length                             | 24
 * </pre>
 */
public final class IkeHeaderFlyweight {

    public static final int INITIATOR_SPI_OFFSET = 0;
    public static final int RESPONDER_SPI_OFFSET = 8;
    public static final int NEXT_PAYLOAD_OFFSET = 16;
    public static final int VERSION_OFFSET = 17;
    public static final int EXCHANGE_TYPE_OFFSET = 18;
    public static final int FLAGS_OFFSET = 19;
    public static final int MESSAGE_ID_OFFSET = 20;
    public static final int LENGTH_OFFSET = 24;
    public static final int HEADER_LENGTH = 28;

    public static final int MAJOR_VERSION_2 = 2;

    public static final int EXCHANGE_IKE_SA_INIT = 34;
    public static final int EXCHANGE_IKE_AUTH = 35;
    public static final int EXCHANGE_CREATE_CHILD_SA = 36;
    public static final int EXCHANGE_INFORMATIONAL = 37;
    public static final int EXCHANGE_IKE_INTERMEDIATE = 43;

    public static final int FLAG_INITIATOR = 0x08;
    public static final int FLAG_VERSION = 0x10;
    public static final int FLAG_RESPONSE = 0x20;

    /** Payload types (RFC 7296 section 3.2, RFC 7383). */
    public static final int PAYLOAD_NONE = 0;
    public static final int PAYLOAD_SA = 33;
    public static final int PAYLOAD_KE = 34;
    public static final int PAYLOAD_NOTIFY = 41;
    public static final int PAYLOAD_NONCE = 40;
    public static final int PAYLOAD_ENCRYPTED = 46;
    public static final int PAYLOAD_ENCRYPTED_FRAGMENT = 53;

    /** Generic payload header: next payload (1), critical/reserved (1), payload length (2). */
    public static final int GENERIC_PAYLOAD_HEADER_LENGTH = 4;
    /** Notify payload body: protocol id (1), SPI size (1), notify message type (2), then SPI and data. */
    public static final int NOTIFY_TYPE_OFFSET = 6;

    public static final int NOTIFY_COOKIE = 16390;
    public static final int NOTIFY_IKEV2_FRAGMENTATION_SUPPORTED = 16430;

    private ByteBuf buffer;
    private int offset;
    private int length;

    /**
     * Points the flyweight at an IKE message of {@code length} bytes at {@code offset}. Checks the length once:
     * the caller must have verified {@code length >= HEADER_LENGTH} before reading fields.
     */
    public IkeHeaderFlyweight wrap(ByteBuf buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** Releases the reference to the last buffer. */
    public void unwrap() {
        this.buffer = null;
    }

    public int messageLength() {
        return length;
    }

    public long initiatorSpi() {
        return buffer.getLong(offset + INITIATOR_SPI_OFFSET);
    }

    public long responderSpi() {
        return buffer.getLong(offset + RESPONDER_SPI_OFFSET);
    }

    public int nextPayload() {
        return buffer.getUnsignedByte(offset + NEXT_PAYLOAD_OFFSET);
    }

    public int majorVersion() {
        return buffer.getUnsignedByte(offset + VERSION_OFFSET) >>> 4;
    }

    public int exchangeType() {
        return buffer.getUnsignedByte(offset + EXCHANGE_TYPE_OFFSET);
    }

    public int flags() {
        return buffer.getUnsignedByte(offset + FLAGS_OFFSET);
    }

    public boolean isResponse() {
        return (flags() & FLAG_RESPONSE) != 0;
    }

    public boolean isInitiator() {
        return (flags() & FLAG_INITIATOR) != 0;
    }

    public long messageId() {
        return buffer.getUnsignedInt(offset + MESSAGE_ID_OFFSET);
    }

    /** The Length field: the whole IKE message, header included. */
    public long lengthField() {
        return buffer.getUnsignedInt(offset + LENGTH_OFFSET);
    }

    /**
     * Walks the unencrypted payload chain (IKE_SA_INIT) for a Notify payload of {@code notifyType}. Stops at the
     * first malformed payload header, at an Encrypted payload, or at the end of the message.
     */
    public boolean hasNotify(int notifyType) {
        int payload = nextPayload();
        int position = offset + HEADER_LENGTH;
        int end = offset + length;
        while (payload != PAYLOAD_NONE && payload != PAYLOAD_ENCRYPTED && payload != PAYLOAD_ENCRYPTED_FRAGMENT
                && position + GENERIC_PAYLOAD_HEADER_LENGTH <= end) {
            int payloadLength = buffer.getUnsignedShort(position + 2);
            if (payloadLength < GENERIC_PAYLOAD_HEADER_LENGTH || position + payloadLength > end) {
                return false;
            }
            if (payload == PAYLOAD_NOTIFY && payloadLength >= NOTIFY_TYPE_OFFSET + 2
                    && buffer.getUnsignedShort(position + NOTIFY_TYPE_OFFSET) == notifyType) {
                return true;
            }
            payload = buffer.getUnsignedByte(position);
            position += payloadLength;
        }
        return false;
    }
}
