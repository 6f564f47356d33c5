package io.vpnlb.dataplane.wire;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Reads the first TLS record of a connection in place, without decrypting, copying or moving indices: a ClientHello
 * (SNI, session ID) or a ServerHello (session ID, the version chosen through {@code supported_versions}). Every
 * field is bounds-checked against the record and the handshake message; hostile input gives {@link Result#NOT_TLS}
 * or {@link Result#MALFORMED}, never an exception. One instance per event loop or connection; the result is valid
 * until the next call.
 *
 * <p>A hello that spans several records (rare: only very large post-quantum key shares) is read as far as the
 * first record goes; what lies beyond it (often only later extensions) is reported as absent.
 */
public final class TlsHelloFlyweight {

    public static final int RECORD_HEADER_LENGTH = 5;
    /** RFC 8446 5.1: a plaintext record fragment is at most 2^14 bytes. */
    public static final int MAX_PLAINTEXT_FRAGMENT = 16_384;
    public static final int MAX_RECORD_LENGTH = RECORD_HEADER_LENGTH + MAX_PLAINTEXT_FRAGMENT;
    public static final byte CONTENT_TYPE_HANDSHAKE = 22;
    public static final byte HANDSHAKE_CLIENT_HELLO = 1;
    public static final byte HANDSHAKE_SERVER_HELLO = 2;
    public static final int EXTENSION_SERVER_NAME = 0;
    public static final int EXTENSION_SUPPORTED_VERSIONS = 43;
    public static final int MAX_SESSION_ID_LENGTH = 32;
    public static final int TLS13 = 0x0304;
    private static final int HANDSHAKE_HEADER_LENGTH = 4;
    private static final int RANDOM_LENGTH = 32;
    private static final int SNI_HOST_NAME = 0;

    /** The outcome of {@link #wrap}. */
    public enum Result {
        /** A complete hello (or as much of it as the first record holds) was read. */
        HELLO,
        /** Well formed so far, but the first record is not complete yet: read more. */
        NEED_MORE,
        /** The connection does not start with a TLS handshake record (plain HTTP, SSH, garbage). */
        NOT_TLS,
        /** A TLS handshake record whose hello is inconsistent (lengths that overrun, a wrong message type). */
        MALFORMED
    }

    private ByteBuf buffer;
    private int sessionIdOffset;
    private int sessionIdLength;
    private int serverNameOffset;
    private int serverNameLength;
    private int selectedVersion;
    private int legacyVersion;

    /**
     * @param expectedType {@link #HANDSHAKE_CLIENT_HELLO} or {@link #HANDSHAKE_SERVER_HELLO}
     */
    public Result wrap(ByteBuf buf, byte expectedType) {
        buffer = buf;
        sessionIdOffset = 0;
        sessionIdLength = 0;
        serverNameOffset = 0;
        serverNameLength = -1;
        selectedVersion = 0;
        legacyVersion = 0;
        int start = buf.readerIndex();
        int available = buf.readableBytes();
        if (available >= 1 && buf.getByte(start) != CONTENT_TYPE_HANDSHAKE) {
            return Result.NOT_TLS;
        }
        if (available >= 2 && buf.getByte(start + 1) != 3) {
            return Result.NOT_TLS;
        }
        if (available < RECORD_HEADER_LENGTH) {
            return Result.NEED_MORE;
        }
        int recordLength = buf.getUnsignedShort(start + 3);
        if (recordLength < HANDSHAKE_HEADER_LENGTH || recordLength > MAX_PLAINTEXT_FRAGMENT) {
            return Result.MALFORMED;
        }
        if (available < RECORD_HEADER_LENGTH + recordLength) {
            return Result.NEED_MORE;
        }
        int p = start + RECORD_HEADER_LENGTH;
        int recordEnd = p + recordLength;
        if (buf.getByte(p) != expectedType) {
            return Result.MALFORMED;
        }
        int handshakeLength = buf.getUnsignedMedium(p + 1);
        p += HANDSHAKE_HEADER_LENGTH;
        int handshakeEnd = p + handshakeLength;
        boolean spans = handshakeEnd > recordEnd;
        int end = spans ? recordEnd : handshakeEnd;
        // legacy_version, random, session id: always within the first record of a sane hello
        if (p + 2 + RANDOM_LENGTH + 1 > end) {
            return Result.MALFORMED;
        }
        legacyVersion = buf.getUnsignedShort(p);
        p += 2 + RANDOM_LENGTH;
        int idLength = buf.getUnsignedByte(p++);
        if (idLength > MAX_SESSION_ID_LENGTH || p + idLength > end) {
            return Result.MALFORMED;
        }
        sessionIdOffset = p;
        sessionIdLength = idLength;
        p += idLength;
        if (expectedType == HANDSHAKE_CLIENT_HELLO) {
            if (p + 2 > end) {
                return spans ? Result.HELLO : Result.MALFORMED;
            }
            int suites = buf.getUnsignedShort(p);
            if (suites < 2 || (suites & 1) != 0) {
                return Result.MALFORMED;
            }
            p += 2 + suites;
            if (p + 1 > end) {
                return spans ? Result.HELLO : Result.MALFORMED;
            }
            int compressions = buf.getUnsignedByte(p);
            p += 1 + compressions;
        } else {
            p += 3; // cipher_suite, compression_method
        }
        if (p > end) {
            return spans ? Result.HELLO : Result.MALFORMED;
        }
        if (p == end) {
            return Result.HELLO; // no extensions (old clients)
        }
        if (p + 2 > end) {
            return spans ? Result.HELLO : Result.MALFORMED;
        }
        int extensionsEnd = p + 2 + buf.getUnsignedShort(p);
        p += 2;
        if (extensionsEnd > end && !spans) {
            return Result.MALFORMED;
        }
        int limit = Math.min(extensionsEnd, end);
        while (p + 4 <= limit) {
            int type = buf.getUnsignedShort(p);
            int length = buf.getUnsignedShort(p + 2);
            p += 4;
            if (p + length > limit) {
                return spans ? Result.HELLO : Result.MALFORMED;
            }
            if (type == EXTENSION_SERVER_NAME && expectedType == HANDSHAKE_CLIENT_HELLO && length > 0) {
                if (!serverName(buf, p, length)) {
                    return Result.MALFORMED;
                }
            } else if (type == EXTENSION_SUPPORTED_VERSIONS && expectedType == HANDSHAKE_SERVER_HELLO) {
                if (length != 2) {
                    return Result.MALFORMED;
                }
                selectedVersion = buf.getUnsignedShort(p);
            }
            p += length;
        }
        if (p != limit && !spans) {
            return Result.MALFORMED;
        }
        return Result.HELLO;
    }

    private boolean serverName(ByteBuf buf, int offset, int length) {
        if (length < 2) {
            return false;
        }
        int listEnd = offset + 2 + buf.getUnsignedShort(offset);
        if (listEnd != offset + length) {
            return false;
        }
        int p = offset + 2;
        while (p + 3 <= listEnd) {
            int type = buf.getUnsignedByte(p);
            int nameLength = buf.getUnsignedShort(p + 1);
            p += 3;
            if (p + nameLength > listEnd) {
                return false;
            }
            if (type == SNI_HOST_NAME && serverNameLength < 0) {
                serverNameOffset = p;
                serverNameLength = nameLength;
            }
            p += nameLength;
        }
        return p == listEnd;
    }

    /** The session ID's length, 0..32; 0 when the client offers none. */
    public int sessionIdLength() {
        return sessionIdLength;
    }

    /** A copy of the session ID; allocates, so call it once per connection. */
    public byte[] sessionId() {
        byte[] id = new byte[sessionIdLength];
        buffer.getBytes(sessionIdOffset, id);
        return id;
    }

    /** True when the ClientHello carries a server_name (SNI) host name. */
    public boolean hasServerName() {
        return serverNameLength >= 0;
    }

    /** The SNI host name, or {@code null}; allocates a String, so call it once per connection. */
    public String serverName() {
        return serverNameLength < 0 ? null
                : buffer.toString(serverNameOffset, serverNameLength, StandardCharsets.US_ASCII);
    }

    /** The version the ServerHello chose in {@code supported_versions} (0x0304 for TLS 1.3), else 0. */
    public int selectedVersion() {
        return selectedVersion;
    }

    /** The hello's legacy_version field (0x0303 for TLS 1.2 and 1.3). */
    public int legacyVersion() {
        return legacyVersion;
    }

    /** Drops the reference to the last buffer. */
    public void unwrap() {
        buffer = null;
    }
}
