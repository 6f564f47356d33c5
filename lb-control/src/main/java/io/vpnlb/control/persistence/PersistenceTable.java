package io.vpnlb.control.persistence;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.net.InetAddress;
import java.time.Duration;

/**
 * Client address to member address, for one persistence scope (a VIP, or one service). Entries expire
 * {@code timeout} after their last use and the table is bounded; it outlives sessions. Touched only when a
 * session is created, from any event loop.
 */
public final class PersistenceTable {

    private final String scope;
    private final Cache<InetAddress, InetAddress> entries;

    public PersistenceTable(String scope, Duration timeout, long maxEntries) {
        this.scope = scope;
        this.entries = Caffeine.newBuilder()
                .expireAfterAccess(timeout)
                .maximumSize(maxEntries)
                .executor(Runnable::run)
                .build();
    }

    /** The scope name, for example {@code vip 203.0.113.10} or {@code service ikev2}. */
    public String scope() {
        return scope;
    }

    /** The member address this client was last sent to, or {@code null}. */
    public InetAddress get(InetAddress client) {
        return entries.getIfPresent(client);
    }

    public void put(InetAddress client, InetAddress member) {
        entries.put(client, member);
    }

    public void remove(InetAddress client) {
        entries.invalidate(client);
    }

    /** Drops the entries of every client bound to {@code member}. */
    public void removeMember(InetAddress member) {
        entries.asMap().values().removeIf(member::equals);
    }

    public long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }
}
