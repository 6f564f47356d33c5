package io.vpnlb.config.validate;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * IP literals and {@code host:port} text as the configuration writes them, parsed without any name lookup.
 *
 * <p>{@link InetAddress#getByName} resolves anything that is not a literal through DNS, which a validator must
 * never do (it would block, depend on the network, and accept host names that later resolve differently). These
 * methods parse the text themselves and build the address with {@link InetAddress#getByAddress(byte[])}, which
 * never resolves.
 *
 * <p>Accepted: IPv4 dotted quads ({@code 10.0.0.11}; no leading zeros, which other tools read as octal) and IPv6
 * in RFC 4291 text form ({@code fd00::11}, {@code ::}, {@code ::ffff:10.0.0.11}). Not accepted: host names,
 * IPv6 zone ids ({@code fe80::1%eth0}), shortened IPv4 forms ({@code 10.1}).
 */
public final class Addresses {

    private static final int IPV4_LENGTH = 4;
    private static final int IPV6_LENGTH = 16;
    private static final int IPV6_GROUPS = 8;
    private static final int MAX_PORT = 65_535;

    private Addresses() {
    }

    /**
     * Parses an IPv4 or IPv6 literal.
     *
     * @return the address, or {@code null} when {@code text} is not an IP literal (no DNS lookup is made)
     */
    public static InetAddress parseIp(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        byte[] bytes = text.indexOf(':') >= 0 ? parseIpv6(text) : parseIpv4(text);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException impossible) {
            // getByAddress throws only for an array that is neither 4 nor 16 bytes long.
            throw new IllegalStateException(impossible);
        }
    }

    /**
     * Parses {@code IPv4:PORT} or {@code [IPv6]:PORT}, for example {@code 127.0.0.1:9090} or {@code [::1]:9090}.
     * The port may be 0..65535; 0 asks the operating system for a free port when binding.
     *
     * @return an already resolved socket address, or {@code null} when {@code text} is not in that form
     */
    public static InetSocketAddress parseHostPort(String text) {
        if (text == null) {
            return null;
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            if (close < 0) {
                return null;
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
            if (host.indexOf(':') < 0) {
                return null;
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                return null;
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                return null;
            }
        }
        InetAddress address = parseIp(host);
        int portNumber = parsePort(port);
        if (address == null || portNumber < 0) {
            return null;
        }
        return new InetSocketAddress(address, portNumber);
    }

    private static int parsePort(String text) {
        if (text.isEmpty() || text.length() > 5) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= MAX_PORT ? value : -1;
    }

    private static byte[] parseIpv4(String text) {
        byte[] bytes = new byte[IPV4_LENGTH];
        return parseIpv4Into(text, bytes, 0) ? bytes : null;
    }

    /** Parses a dotted quad into {@code bytes[offset..offset+3]}. */
    private static boolean parseIpv4Into(String text, byte[] bytes, int offset) {
        int octet = 0;
        int digits = 0;
        int index = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c == '.') {
                if (digits == 0 || index == IPV4_LENGTH) {
                    return false;
                }
                bytes[offset + index++] = (byte) octet;
                octet = 0;
                digits = 0;
            } else if (c >= '0' && c <= '9') {
                if (digits > 0 && octet == 0) {
                    return false; // leading zero
                }
                octet = octet * 10 + (c - '0');
                digits++;
                if (octet > 255) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return index == IPV4_LENGTH;
    }

    private static byte[] parseIpv6(String text) {
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        byte[] bytes = new byte[IPV6_LENGTH];
        if (gap < 0) {
            return parseGroups(text, bytes, true) == IPV6_GROUPS ? bytes : null;
        }
        String head = text.substring(0, gap);
        String tail = text.substring(gap + 2);
        byte[] tailBytes = new byte[IPV6_LENGTH];
        int headGroups = head.isEmpty() ? 0 : parseGroups(head, bytes, false);
        int tailGroups = tail.isEmpty() ? 0 : parseGroups(tail, tailBytes, true);
        if (headGroups < 0 || tailGroups < 0 || headGroups + tailGroups > IPV6_GROUPS - 1) {
            return null;
        }
        System.arraycopy(tailBytes, 0, bytes, IPV6_LENGTH - 2 * tailGroups, 2 * tailGroups);
        return bytes;
    }

    /**
     * Parses colon-separated hex groups into the start of {@code bytes}; the last group may be a dotted quad
     * (two groups) when {@code ipv4TailAllowed}.
     *
     * @return the number of 16-bit groups parsed, or -1 when the text is malformed
     */
    private static int parseGroups(String text, byte[] bytes, boolean ipv4TailAllowed) {
        String[] groups = text.split(":", -1);
        int count = 0;
        for (int g = 0; g < groups.length; g++) {
            String group = groups[g];
            int at = 2 * count;
            if (ipv4TailAllowed && g == groups.length - 1 && group.indexOf('.') >= 0) {
                if (count + 2 > IPV6_GROUPS || !parseIpv4Into(group, bytes, at)) {
                    return -1;
                }
                return count + 2;
            }
            if (group.isEmpty() || group.length() > 4 || count == IPV6_GROUPS) {
                return -1;
            }
            int value = 0;
            for (int i = 0; i < group.length(); i++) {
                int digit = hexDigit(group.charAt(i));
                if (digit < 0) {
                    return -1;
                }
                value = value << 4 | digit;
            }
            bytes[at] = (byte) (value >>> 8);
            bytes[at + 1] = (byte) value;
            count++;
        }
        return count;
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
