package io.vpnlb.config;

import java.util.List;

/**
 * An inclusive range of HTTP status codes a health check accepts, written {@code 401} or {@code 200-299}.
 */
public record StatusRange(int from, int to) {

    public static final int MIN_STATUS = 100;
    public static final int MAX_STATUS = 599;

    /** What an RRAS SSTP listener answers a probe: success, or 401 because the probe has no credentials. */
    public static final List<StatusRange> DEFAULT_SSTP = List.of(new StatusRange(200, 299), new StatusRange(401, 401));

    public boolean contains(int status) {
        return status >= from && status <= to;
    }

    /** Whether one of {@code ranges} contains {@code status}. */
    public static boolean anyContains(List<StatusRange> ranges, int status) {
        for (StatusRange range : ranges) {
            if (range.contains(status)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses {@code 401} or {@code 200-299}.
     *
     * @return {@code null} when the text is neither
     */
    public static StatusRange parse(String text) {
        String trimmed = text.strip();
        int dash = trimmed.indexOf('-', 1);
        try {
            if (dash < 0) {
                int status = Integer.parseInt(trimmed);
                return new StatusRange(status, status);
            }
            return new StatusRange(Integer.parseInt(trimmed.substring(0, dash).strip()),
                    Integer.parseInt(trimmed.substring(dash + 1).strip()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return from == to ? Integer.toString(from) : from + "-" + to;
    }
}
