package io.vpnlb.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The duration syntax of the configuration file: an integer followed by a unit, {@code 500ms}, {@code 30s},
 * {@code 10m}, {@code 2h} or {@code 1d}; a bare integer means seconds.
 *
 * <p>{@link #parse} accepts a leading minus sign so that a negative duration can be reported as such by the
 * validator instead of as unreadable text; the rule that durations are positive is the validator's.
 */
public final class Durations {

    /** The rule every configured duration must meet, as printed in violations. */
    public static final String RULE = "a positive duration such as 30s, 10m, 1h";

    private static final Pattern SYNTAX = Pattern.compile("(-?[0-9]{1,18})(ms|s|m|h|d)?");

    private static final long MILLIS_PER_SECOND = 1_000;
    private static final long MILLIS_PER_MINUTE = 60 * MILLIS_PER_SECOND;
    private static final long MILLIS_PER_HOUR = 60 * MILLIS_PER_MINUTE;
    private static final long MILLIS_PER_DAY = 24 * MILLIS_PER_HOUR;

    private Durations() {
    }

    /**
     * Parses {@code 500ms}, {@code 30s}, {@code 10m}, {@code 2h}, {@code 1d} or a bare number of seconds.
     *
     * @return the duration, or {@code null} when {@code text} is not in that syntax or overflows
     */
    public static Duration parse(String text) {
        if (text == null) {
            return null;
        }
        Matcher matcher = SYNTAX.matcher(text.strip());
        if (!matcher.matches()) {
            return null;
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        try {
            return switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        } catch (ArithmeticException overflow) {
            return null;
        }
    }

    /**
     * Formats a duration in the configuration syntax with the largest unit that represents it exactly, for
     * example {@code 10m}, {@code 1500ms} or {@code -5s}. Durations finer than a millisecond, which the syntax
     * cannot express, are printed in ISO-8601 ({@code PT0.0001S}).
     */
    public static String format(Duration duration) {
        if (duration.getNano() % 1_000_000 != 0) {
            return duration.toString();
        }
        long millis;
        try {
            millis = duration.toMillis();
        } catch (ArithmeticException overflow) {
            return duration.toString();
        }
        if (millis == 0) {
            return "0s";
        }
        if (millis % MILLIS_PER_DAY == 0) {
            return millis / MILLIS_PER_DAY + "d";
        }
        if (millis % MILLIS_PER_HOUR == 0) {
            return millis / MILLIS_PER_HOUR + "h";
        }
        if (millis % MILLIS_PER_MINUTE == 0) {
            return millis / MILLIS_PER_MINUTE + "m";
        }
        if (millis % MILLIS_PER_SECOND == 0) {
            return millis / MILLIS_PER_SECOND + "s";
        }
        return millis + "ms";
    }
}
