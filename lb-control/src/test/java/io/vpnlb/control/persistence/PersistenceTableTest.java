package io.vpnlb.control.persistence;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class PersistenceTableTest {

    private static final InetAddress MEMBER_A = ip("10.0.0.11");
    private static final InetAddress MEMBER_B = ip("10.0.0.12");

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private PersistenceTable table(Duration timeout, long maxEntries) {
        return new PersistenceTable("vip 203.0.113.10", timeout, maxEntries, nanos::get);
    }

    @Test
    void ipv4AndIpv6ClientsAreRememberedListedFilteredAndRemoved() {
        PersistenceTable table = table(Duration.ofMinutes(10), 100);
        InetAddress v4 = ip("198.51.100.7");
        InetAddress otherV4 = ip("198.51.100.8");
        InetAddress v6 = ip("2001:db8::7");
        InetAddress otherV6 = ip("2001:db8:ffff::1:8");
        table.put(v4, MEMBER_A);
        table.put(otherV4, MEMBER_B);
        table.put(v6, MEMBER_A);
        table.put(otherV6, MEMBER_B);

        // Other objects for the same addresses find the entries: keys are the addresses, not the objects.
        assertThat(table.get(ip("198.51.100.7"))).isEqualTo(MEMBER_A);
        assertThat(table.get(ip("198.51.100.8"))).isEqualTo(MEMBER_B);
        assertThat(table.get(ip("2001:db8:0:0:0:0:0:7"))).isEqualTo(MEMBER_A);
        assertThat(table.get(ip("2001:db8:ffff::1:8"))).isEqualTo(MEMBER_B);
        assertThat(table.get(ip("198.51.100.9"))).isNull();
        assertThat(table.get(ip("2001:db8::9"))).isNull();
        assertThat(table.size()).isEqualTo(4);

        assertThat(table.entries(null, null)).containsExactlyInAnyOrder(
                new PersistenceTable.Entry(v4, MEMBER_A), new PersistenceTable.Entry(otherV4, MEMBER_B),
                new PersistenceTable.Entry(v6, MEMBER_A), new PersistenceTable.Entry(otherV6, MEMBER_B));
        assertThat(table.entries(null, MEMBER_A)).extracting(e -> e.client().getHostAddress())
                .containsExactlyInAnyOrder("198.51.100.7", "2001:db8:0:0:0:0:0:7");
        assertThat(table.entries(v6, null)).containsExactly(new PersistenceTable.Entry(v6, MEMBER_A));
        assertThat(table.entries(v6, MEMBER_B)).isEmpty();

        assertThat(table.removeClient(ip("2001:db8::7"))).isTrue();
        assertThat(table.removeClient(ip("2001:db8::7"))).isFalse();
        table.remove(ip("198.51.100.8"));
        assertThat(table.get(otherV4)).isNull();
        assertThat(table.removeMemberCounted(MEMBER_B)).isEqualTo(1);
        assertThat(table.entries(null, null)).containsExactly(new PersistenceTable.Entry(v4, MEMBER_A));
        table.removeMember(MEMBER_A);
        assertThat(table.size()).isZero();

        table.put(v4, MEMBER_A);
        table.put(v6, MEMBER_B);
        assertThat(table.clear()).isEqualTo(2);
        assertThat(table.entries(null, null)).isEmpty();
    }

    @Test
    void everyIpv4AddressRoundTripsThroughItsKey() {
        for (String literal : new String[] {"0.0.0.0", "255.255.255.255", "128.0.0.1", "127.0.0.1", "1.2.3.4"}) {
            InetAddress client = ip(literal);
            assertThat(PersistenceTable.client(PersistenceTable.key(client))).isEqualTo(client);
        }
        for (String literal : new String[] {"::", "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::1"}) {
            InetAddress client = ip(literal);
            assertThat(PersistenceTable.client(PersistenceTable.key(client))).isEqualTo(client);
        }
    }

    @Test
    void anIpv4MappedIpv6ClientIsTheIpv4Client() throws Exception {
        PersistenceTable table = table(Duration.ofMinutes(10), 100);
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 198, 51, 100, 7};
        InetAddress asIpv6 = java.net.Inet6Address.getByAddress(null, mapped, -1);

        table.put(asIpv6, MEMBER_A);

        assertThat(table.get(ip("198.51.100.7"))).isEqualTo(MEMBER_A);
        assertThat(table.entries(null, null)).containsExactly(new PersistenceTable.Entry(ip("198.51.100.7"), MEMBER_A));
    }

    @Test
    void anEntryExpiresTimeoutAfterItsLastUseAndListingIsNoUse() {
        PersistenceTable table = table(Duration.ofMinutes(10), 100);
        InetAddress v4 = ip("198.51.100.7");
        InetAddress v6 = ip("2001:db8::7");
        table.put(v4, MEMBER_A);
        table.put(v6, MEMBER_A);

        advance(Duration.ofMinutes(9));
        assertThat(table.get(v4)).isEqualTo(MEMBER_A);
        assertThat(table.entries(v6, null)).hasSize(1);
        advance(Duration.ofMinutes(2));

        // v6 was last used 11 minutes ago (listing it did not count), v4 2 minutes ago.
        assertThat(table.get(v6)).isNull();
        assertThat(table.entries(null, null)).containsExactly(new PersistenceTable.Entry(v4, MEMBER_A));
        advance(Duration.ofMinutes(10).plusNanos(1));
        assertThat(table.size()).isZero();
    }

    @Test
    void timeoutAndBoundChangeLiveAndKeepTheEntries() {
        PersistenceTable table = table(Duration.ofMinutes(10), 100);
        for (int i = 0; i < 10; i++) {
            table.put(ip("198.51.100." + i), MEMBER_A);
        }

        table.timeout(Duration.ofMinutes(1));
        table.maxEntries(5);

        assertThat(table.timeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(table.maxEntries()).isEqualTo(5);
        assertThat(table.size()).isEqualTo(5);
        advance(Duration.ofSeconds(61));
        assertThat(table.size()).isZero();
    }

    private void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
