package io.vpnlb.control.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's UDP error counters of this network namespace ({@code /proc/net/snmp} and {@code /proc/net/snmp6}):
 * datagrams dropped because a socket's receive buffer was full, or not sent because its send buffer was. These are
 * the losses that happen before vpnlb sees a datagram (a listener that cannot keep up) and that none of its own
 * counters can show. The counters cover every process of the namespace, not only vpnlb. NaN where the files are
 * missing (not Linux) or unreadable.
 */
final class KernelUdpCounters {

    private static final Path SNMP = Path.of("/proc/net/snmp");
    private static final Path SNMP6 = Path.of("/proc/net/snmp6");

    private KernelUdpCounters() {
    }

    /** Datagrams dropped on a full socket receive buffer, IPv4 and IPv6. */
    static double receiveBufferErrors() {
        return udp4("RcvbufErrors") + udp6("Udp6RcvbufErrors");
    }

    /** Datagrams not sent because a socket send buffer was full, IPv4 and IPv6. */
    static double sendBufferErrors() {
        return udp4("SndbufErrors") + udp6("Udp6SndbufErrors");
    }

    /** A field of the two {@code Udp:} lines of /proc/net/snmp (the first names the fields, the second has values). */
    static double udp4(String field) {
        List<String> lines = read(SNMP);
        String[] names = null;
        for (String line : lines) {
            if (!line.startsWith("Udp: ")) {
                continue;
            }
            String[] parts = line.trim().split("\\s+");
            if (names == null) {
                names = parts;
            } else {
                for (int i = 1; i < names.length && i < parts.length; i++) {
                    if (names[i].equals(field)) {
                        return parse(parts[i]);
                    }
                }
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    /** A {@code name value} line of /proc/net/snmp6; 0 where IPv6 is off (the file is missing). */
    static double udp6(String field) {
        if (!Files.exists(SNMP6)) {
            return 0;
        }
        for (String line : read(SNMP6)) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2 && parts[0].equals(field)) {
                return parse(parts[1]);
            }
        }
        return 0;
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }

    private static double parse(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
