package io.vpnlb.control.persistence;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Heap per entry of the persistence and SA tables, measured in process: used heap after full GCs before and after
 * filling a table with N entries (default 1,000,000). Clients are distinct {@code Inet4Address} (and, for the
 * IPv6 row, {@code Inet6Address}) objects, as the data plane hands them over (one per new client); member values
 * are shared, as in a running balancer. Whatever the table keeps of a client is counted.
 *
 * <p>Run: {@code java -Xmx4g -cp benchmarks/target/benchmarks.jar
 * io.vpnlb.control.persistence.PersistenceMemoryProbe [N]}; prints one {@code RESULT} line per table.
 */
public final class PersistenceMemoryProbe {

    private PersistenceMemoryProbe() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        InetAddress[] members = new InetAddress[4];
        for (int m = 0; m < members.length; m++) {
            members[m] = InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) (11 + m)});
        }

        long before = usedAfterGc();
        PersistenceTable persistence = new PersistenceTable("vip 203.0.113.10", Duration.ofMinutes(10), n);
        for (int i = 0; i < n; i++) {
            persistence.put(client(i), members[i & 3]);
        }
        persistence.size();
        long after = usedAfterGc();
        report("persistence_table", n, persistence.size(), after - before);

        before = usedAfterGc();
        PersistenceTable persistence6 = new PersistenceTable("vip 2001:db8::10", Duration.ofMinutes(10), n);
        for (int i = 0; i < n; i++) {
            persistence6.put(client6(i), members[i & 3]);
        }
        persistence6.size();
        after = usedAfterGc();
        report("persistence_table_ipv6", n, persistence6.size(), after - before);

        before = usedAfterGc();
        SaTable ike = new SaTable(Duration.ofMinutes(10), n);
        for (int i = 0; i < n; i++) {
            ike.learnIke(0x0100_0000_0000_0000L + i * 7919L, 0x0200_0000_0000_0000L + i * 104_729L, members[i & 3]);
        }
        after = usedAfterGc();
        report("sa_table_ike_both_spis", n, ike.ikeEntries(), after - before);

        before = usedAfterGc();
        SaTable esp = new SaTable(Duration.ofMinutes(10), n);
        for (int i = 0; i < n; i++) {
            esp.learnEsp(0x1000_0000 + i, members[i & 3]);
        }
        after = usedAfterGc();
        report("sa_table_esp", n, esp.espEntries(), after - before);

        // Keep the tables reachable until measured.
        if (persistence.get(client(0)) == null || persistence6.get(client6(0)) == null
                || ike.ikeHolder(0x0100_0000_0000_0000L, 0) == null || esp.espHolder(0x1000_0000) == null) {
            throw new IllegalStateException("lookups miss");
        }
    }

    private static InetAddress client(int i) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {(byte) 100, (byte) (64 + (i >>> 16)), (byte) (i >>> 8), (byte) i});
    }

    private static InetAddress client6(int i) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
                (byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
    }

    private static void report(String table, int n, long size, long bytes) {
        System.out.printf("RESULT table=%s entries=%d size=%d heap_bytes=%d bytes_per_entry=%.1f%n",
                table, n, size, bytes, (double) bytes / n);
    }

    private static long usedAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
