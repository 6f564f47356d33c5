package io.vpnlb.dataplane.select;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The fixed 64-bit hash of a client address that feeds {@link MaglevTable#lookup(long)}.
 *
 * <p>The function is <b>XXH64</b>, the 64-bit algorithm of xxHash as specified in the xxHash project's
 * {@code doc/xxhash_spec.md}, with seed {@value #SEED}, over the address bytes in network order: 4 bytes for
 * IPv4, 16 bytes for IPv6. It is part of the wire-visible behaviour of vpnlb: two instances with the same
 * configuration must send the same client to the same member, so the function, the seed and the byte order
 * must never change. Tests pin it with fixed vectors.
 *
 * <p>{@code hashIpv4(a)} equals {@code hash(b)} when {@code b} is the 4-byte big-endian form of {@code a}
 * ({@code 192.0.2.1} is {@code 0xC0000201}). Callers must normalise IPv4-mapped IPv6 addresses
 * ({@code ::ffff:a.b.c.d}) to their 4-byte form before hashing, or the same client would hash two ways.
 *
 * <p>Both methods are pure, thread safe and allocation free.
 */
public final class ClientHash {

    /** The XXH64 seed; fixed forever (see the class comment). */
    public static final long SEED = 0L;

    static final long PRIME64_1 = 0x9E3779B185EBCA87L;
    static final long PRIME64_2 = 0xC2B2AE3D27D4EB4FL;
    static final long PRIME64_3 = 0x165667B19E3779F9L;
    static final long PRIME64_4 = 0x85EBCA77C2B2AE63L;
    static final long PRIME64_5 = 0x27D4EB2F165667C5L;

    private static final int STRIPE_LENGTH = 32;
    private static final int IPV4_LENGTH = 4;

    private static final VarHandle LONG_LE =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE =
        MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private ClientHash() {
    }

    /**
     * Hashes a client address.
     *
     * @param address the address bytes in network order, as {@link java.net.InetAddress#getAddress()} returns
     *                them (4 or 16 bytes; any length is accepted)
     * @return XXH64 of {@code address} with seed {@value #SEED}
     */
    public static long hash(byte[] address) {
        return xxh64(address, 0, address.length, SEED);
    }

    /**
     * Hashes an IPv4 client address held in an {@code int}; equal to {@link #hash(byte[])} of its 4 bytes.
     *
     * @param address the address with its first octet in the most significant byte ({@code 192.0.2.1} is
     *                {@code 0xC0000201})
     * @return XXH64 of the 4 address bytes in network order with seed {@value #SEED}
     */
    public static long hashIpv4(int address) {
        long h = SEED + PRIME64_5 + IPV4_LENGTH;
        // XXH64 reads the 4-byte tail little-endian; the bytes are in network order, so reverse.
        h ^= (Integer.reverseBytes(address) & 0xFFFF_FFFFL) * PRIME64_1;
        h = Long.rotateLeft(h, 23) * PRIME64_2 + PRIME64_3;
        return avalanche(h);
    }

    /**
     * XXH64 of {@code data[offset, offset + length)} with the given seed. Package-private: member keys of
     * {@link MaglevTable} are hashed with their own seeds.
     */
    static long xxh64(byte[] data, int offset, int length, long seed) {
        final int end = offset + length;
        int p = offset;
        long h;
        if (length >= STRIPE_LENGTH) {
            long v1 = seed + PRIME64_1 + PRIME64_2;
            long v2 = seed + PRIME64_2;
            long v3 = seed;
            long v4 = seed - PRIME64_1;
            final int limit = end - STRIPE_LENGTH;
            do {
                v1 = round(v1, (long) LONG_LE.get(data, p));
                v2 = round(v2, (long) LONG_LE.get(data, p + 8));
                v3 = round(v3, (long) LONG_LE.get(data, p + 16));
                v4 = round(v4, (long) LONG_LE.get(data, p + 24));
                p += STRIPE_LENGTH;
            } while (p <= limit);
            h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            h = mergeRound(h, v1);
            h = mergeRound(h, v2);
            h = mergeRound(h, v3);
            h = mergeRound(h, v4);
        } else {
            h = seed + PRIME64_5;
        }
        h += length;
        while (p + 8 <= end) {
            h ^= round(0, (long) LONG_LE.get(data, p));
            h = Long.rotateLeft(h, 27) * PRIME64_1 + PRIME64_4;
            p += 8;
        }
        if (p + 4 <= end) {
            h ^= ((int) INT_LE.get(data, p) & 0xFFFF_FFFFL) * PRIME64_1;
            h = Long.rotateLeft(h, 23) * PRIME64_2 + PRIME64_3;
            p += 4;
        }
        while (p < end) {
            h ^= (data[p] & 0xFFL) * PRIME64_5;
            h = Long.rotateLeft(h, 11) * PRIME64_1;
            p++;
        }
        return avalanche(h);
    }

    private static long round(long acc, long input) {
        acc += input * PRIME64_2;
        acc = Long.rotateLeft(acc, 31);
        return acc * PRIME64_1;
    }

    private static long mergeRound(long acc, long value) {
        acc ^= round(0, value);
        return acc * PRIME64_1 + PRIME64_4;
    }

    private static long avalanche(long h) {
        h ^= h >>> 33;
        h *= PRIME64_2;
        h ^= h >>> 29;
        h *= PRIME64_3;
        h ^= h >>> 32;
        return h;
    }
}
