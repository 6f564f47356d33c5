package io.vpnlb.control.persistence;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Client address to member address, for one persistence scope (a VIP, or one service). Entries expire
 * {@code timeout} after their last use and the table is bounded; it outlives sessions. Touched only when a
 * session is created, from any event loop.
 *
 * <p>The table does not keep the client's {@link InetAddress}: an IPv4 client is keyed by its address as a boxed
 * {@link Integer} (16 bytes instead of the 48 of an {@code Inet4Address} and its holder), an IPv6 client by its
 * address as two longs. With a million clients that is the difference between 149 and 117 bytes per entry.
 */
public final class PersistenceTable {

    private final String scope;
    /** Keys: {@link Integer} for IPv4 clients, {@link Ipv6Key} for IPv6 clients. */
    private final Cache<Object, InetAddress> entries;
    private volatile Duration timeout;
    private volatile long maxEntries;

    public PersistenceTable(String scope, Duration timeout, long maxEntries) {
        this(scope, timeout, maxEntries, Ticker.systemTicker());
    }

    /** With the clock that expiry reads, for tests. */
    PersistenceTable(String scope, Duration timeout, long maxEntries, Ticker ticker) {
        this.scope = scope;
        this.timeout = timeout;
        this.maxEntries = maxEntries;
        this.entries = Caffeine.newBuilder()
                .expireAfterAccess(timeout)
                .maximumSize(maxEntries)
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
    }

    /** The scope name, for example {@code vip 203.0.113.10} or {@code service ikev2}. */
    public String scope() {
        return scope;
    }

    /** The member address this client was last sent to, or {@code null}. */
    public InetAddress get(InetAddress client) {
        return entries.getIfPresent(key(client));
    }

    public void put(InetAddress client, InetAddress member) {
        entries.put(key(client), member);
    }

    public void remove(InetAddress client) {
        entries.invalidate(key(client));
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
            InetAddress bound = entries.policy().getIfPresentQuietly(key(client));
            if (bound != null && (member == null || member.equals(bound))) {
                found.add(new Entry(client, bound));
            }
            return found;
        }
        for (Map.Entry<Object, InetAddress> entry : entries.asMap().entrySet()) {
            if (member == null || member.equals(entry.getValue())) {
                found.add(new Entry(client(entry.getKey()), entry.getValue()));
            }
        }
        return found;
    }

    /** Drops the entry of {@code client}; true when there was one. */
    public boolean removeClient(InetAddress client) {
        return entries.asMap().remove(key(client)) != null;
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

    /**
     * The key of {@code client}: {@link Inet4Address#hashCode()} is the address as an int (no array copy); an
     * IPv6 address compares by its 16 bytes, as {@link Inet6Address#equals} does (the scope id is not part of it),
     * except an IPv4-mapped one ({@code ::ffff:a.b.c.d}), which is the IPv4 client it maps.
     */
    static Object key(InetAddress client) {
        if (client instanceof Inet4Address) {
            return client.hashCode();
        }
        byte[] bytes = client.getAddress();
        long high = longAt(bytes, 0);
        long low = longAt(bytes, 8);
        if (high == 0 && low >>> 32 == 0xFFFFL) {
            return (int) low;
        }
        return new Ipv6Key(high, low);
    }

    /** The client address a key stands for. */
    static InetAddress client(Object key) {
        byte[] bytes;
        if (key instanceof Integer) {
            int address = (Integer) key;
            bytes = new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8),
                    (byte) address};
        } else {
            Ipv6Key ipv6 = (Ipv6Key) key;
            bytes = new byte[16];
            putLong(bytes, 0, ipv6.high());
            putLong(bytes, 8, ipv6.low());
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are an address", e);
        }
    }

    private static long longAt(byte[] bytes, int offset) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = value << 8 | (bytes[offset + i] & 0xFF);
        }
        return value;
    }

    private static void putLong(byte[] bytes, int offset, long value) {
        for (int i = 7; i >= 0; i--) {
            bytes[offset + i] = (byte) value;
            value >>>= 8;
        }
    }

    /** An IPv6 client address: 32 bytes on the heap instead of about 130 for an {@code Inet6Address}. */
    record Ipv6Key(long high, long low) {
    }
}
