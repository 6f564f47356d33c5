package io.vpnlb.control.persistence;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Client address to member address, for one persistence scope (a VIP, or one service). Entries expire
 * {@code timeout} after their last use and the table is bounded; it outlives sessions. Touched only when a
 * session is created, from any event loop.
 */
public final class PersistenceTable {

    private final String scope;
    private final Cache<InetAddress, InetAddress> entries;
    private volatile Duration timeout;
    private volatile long maxEntries;

    public PersistenceTable(String scope, Duration timeout, long maxEntries) {
        this.scope = scope;
        this.timeout = timeout;
        this.maxEntries = maxEntries;
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

    /** One client and the member it is bound to, as listed by the admin API. */
    public record Entry(InetAddress client, InetAddress member) {
    }

    /**
     * The entries, optionally only those of {@code client} and/or of {@code member} ({@code null} = any). Reading
     * them does not count as a use: their expiry is not pushed back.
     */
    public List<Entry> entries(InetAddress client, InetAddress member) {
        List<Entry> found = new ArrayList<>();
        if (client != null) {
            InetAddress bound = entries.policy().getIfPresentQuietly(client);
            if (bound != null && (member == null || member.equals(bound))) {
                found.add(new Entry(client, bound));
            }
            return found;
        }
        for (Map.Entry<InetAddress, InetAddress> entry : entries.asMap().entrySet()) {
            if (member == null || member.equals(entry.getValue())) {
                found.add(new Entry(entry.getKey(), entry.getValue()));
            }
        }
        return found;
    }

    /** Drops the entry of {@code client}; true when there was one. */
    public boolean removeClient(InetAddress client) {
        return entries.asMap().remove(client) != null;
    }

    /** Drops the entries of every client bound to {@code member} and returns how many there were. */
    public int removeMemberCounted(InetAddress member) {
        int[] removed = {0};
        entries.asMap().values().removeIf(bound -> {
            if (member.equals(bound)) {
                removed[0]++;
                return true;
            }
            return false;
        });
        return removed[0];
    }

    /** Drops every entry and returns how many there were. */
    public long clear() {
        long before = size();
        entries.invalidateAll();
        return before;
    }

    /** How long an entry lives after its last use. */
    public Duration timeout() {
        return timeout;
    }

    public long maxEntries() {
        return maxEntries;
    }

    /** Changes the expiry of every entry, live (configuration reload); entries are kept. */
    public void timeout(Duration timeout) {
        entries.policy().expireAfterAccess().ifPresent(expiry -> expiry.setExpiresAfter(timeout));
        this.timeout = timeout;
    }

    /** Changes the bound, live (configuration reload); a smaller bound evicts the least recently used entries. */
    public void maxEntries(long maxEntries) {
        entries.policy().eviction().ifPresent(eviction -> eviction.setMaximum(maxEntries));
        this.maxEntries = maxEntries;
    }
}
