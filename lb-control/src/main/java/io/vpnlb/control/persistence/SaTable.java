package io.vpnlb.control.persistence;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Which member holds which IKE and ESP SAs, learned from the traffic: IKE SPIs from IKE headers (initiator SPI at
 * IKE_SA_INIT, responder SPI from the member's answer), ESP SPIs from ESP-in-UDP datagrams in both directions.
 * A datagram from an address vpnlb has never seen, carrying a known SPI, belongs to the member that holds the
 * SA: that is what keeps MOBIKE (RFC 4555) and NAT rebinding working through a balancer.
 *
 * <p>Entries expire {@code timeout} after they were last learned; sessions that carry traffic report their
 * SPIs again every minute, so the SAs of active clients stay. Bounded; touched only when a session is created or
 * sees a new SPI, from any event loop.
 */
public final class SaTable {

    private final Cache<Long, InetAddress> ikeByInitiatorSpi;
    private final Cache<Long, InetAddress> ikeByResponderSpi;
    private final Cache<Integer, InetAddress> espBySpi;

    public SaTable(Duration timeout, long maxEntries) {
        this.ikeByInitiatorSpi = cache(timeout, maxEntries);
        this.ikeByResponderSpi = cache(timeout, maxEntries);
        this.espBySpi = cache(timeout, maxEntries);
    }

    private static <K> Cache<K, InetAddress> cache(Duration timeout, long maxEntries) {
        return Caffeine.newBuilder()
                .expireAfterAccess(timeout)
                .maximumSize(maxEntries)
                .executor(Runnable::run)
                .build();
    }

    public void learnIke(long initiatorSpi, long responderSpi, InetAddress member) {
        ikeByInitiatorSpi.put(initiatorSpi, member);
        if (responderSpi != 0) {
            ikeByResponderSpi.put(responderSpi, member);
        }
    }

    public void learnEsp(int spi, InetAddress member) {
        espBySpi.put(spi, member);
    }

    /** The member holding the IKE SA with these SPIs, or {@code null}. */
    public InetAddress ikeHolder(long initiatorSpi, long responderSpi) {
        InetAddress holder = ikeByInitiatorSpi.getIfPresent(initiatorSpi);
        if (holder == null && responderSpi != 0) {
            holder = ikeByResponderSpi.getIfPresent(responderSpi);
        }
        return holder;
    }

    /** The member holding the ESP SA with this SPI, or {@code null}. */
    public InetAddress espHolder(int spi) {
        return espBySpi.getIfPresent(spi);
    }

    /** Forgets every SA of {@code member}. */
    public void removeMember(InetAddress member) {
        removeMemberCounted(member);
    }

    /** Forgets every SA of {@code member}; returns how many IKE SAs (by initiator SPI) and ESP SAs went. */
    public long removeMemberCounted(InetAddress member) {
        long before = ikeByInitiatorSpi.asMap().size() + espBySpi.asMap().size();
        ikeByInitiatorSpi.asMap().values().removeIf(member::equals);
        ikeByResponderSpi.asMap().values().removeIf(member::equals);
        espBySpi.asMap().values().removeIf(member::equals);
        return before - ikeByInitiatorSpi.asMap().size() - espBySpi.asMap().size();
    }

    /** Forgets everything; returns how many IKE and ESP SAs went. */
    public long clear() {
        long before = ikeByInitiatorSpi.asMap().size() + espBySpi.asMap().size();
        ikeByInitiatorSpi.invalidateAll();
        ikeByResponderSpi.invalidateAll();
        espBySpi.invalidateAll();
        return before;
    }

    /** One known SA: {@code ike} (by initiator SPI, 16 hex digits) or {@code esp} (8 hex digits). */
    public record Entry(String kind, String spi, InetAddress member) {
    }

    /** The known SAs, of {@code member} only when it is not {@code null}; reading does not extend their life. */
    public List<Entry> entries(InetAddress member) {
        List<Entry> entries = new ArrayList<>();
        ikeByInitiatorSpi.asMap().forEach((spi, holder) -> {
            if (member == null || member.equals(holder)) {
                entries.add(new Entry("ike", String.format("%016x", spi), holder));
            }
        });
        espBySpi.asMap().forEach((spi, holder) -> {
            if (member == null || member.equals(holder)) {
                entries.add(new Entry("esp", String.format("%08x", spi), holder));
            }
        });
        return entries;
    }

    public long ikeEntries() {
        ikeByInitiatorSpi.cleanUp();
        return ikeByInitiatorSpi.estimatedSize();
    }

    public long espEntries() {
        espBySpi.cleanUp();
        return espBySpi.estimatedSize();
    }
}
