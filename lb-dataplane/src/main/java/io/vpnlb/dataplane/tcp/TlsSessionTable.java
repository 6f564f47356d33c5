package io.vpnlb.dataplane.tcp;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Passthrough persistence by TLS session ID (the F5 / NetScaler "SSL session ID persistence"): the member that
 * issued a session ID in its ServerHello gets the client's later connections that resume it, even from another
 * address. Bounded, entries expire after {@code tls.session-persistence} without use; touched only when a connection
 * is created and when a member's first ServerHello passes, never per read.
 *
 * <p>TLS 1.3 has no server-chosen session ID (its legacy_session_id is a random echo of the client's, and
 * resumption uses encrypted tickets), so TLS 1.3 connections are not learned and fall back to the client-IP
 * persistence of the service's router.
 */
final class TlsSessionTable {

    static final long DEFAULT_MAX_ENTRIES = 100_000;

    private final Cache<ByteBuffer, String> members;

    TlsSessionTable(Duration timeout, long maxEntries) {
        this.members = Caffeine.newBuilder().expireAfterAccess(timeout).maximumSize(maxEntries).build();
    }

    /** The key of the member that issued {@code sessionId}, or {@code null}. */
    String member(byte[] sessionId) {
        return members.getIfPresent(ByteBuffer.wrap(sessionId));
    }

    void learn(byte[] sessionId, String memberKey) {
        members.put(ByteBuffer.wrap(sessionId), memberKey);
    }

    long size() {
        return members.estimatedSize();
    }
}
