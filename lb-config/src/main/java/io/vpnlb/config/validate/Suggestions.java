package io.vpnlb.config.validate;

import java.util.Collection;
import java.util.Locale;

/**
 * "Did you mean" for misspelt keys, enumeration values and pool names: the candidate nearest to what was written,
 * by optimal-string-alignment edit distance (insertions, deletions, substitutions and swaps of two neighbours).
 */
public final class Suggestions {

    private Suggestions() {
    }

    /**
     * The candidate that {@code written} most likely misspells, or {@code null} when none is close. A candidate
     * is close when it differs only in case and separators ({@code sourceNat}, {@code source_nat} for
     * {@code source-nat}), when it is within an edit distance of a third of the shorter word (at least 1), or
     * when one starts with the other ({@code health} for {@code health-check}). Ties go to the earlier candidate.
     */
    public static String nearest(String written, Collection<String> candidates) {
        String normalized = normalize(written);
        for (String candidate : candidates) {
            if (normalize(candidate).equals(normalized)) {
                return candidate;
            }
        }
        String lower = written.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = distance(lower, candidate.toLowerCase(Locale.ROOT));
            int limit = Math.max(1, Math.min(lower.length(), candidate.length()) / 3);
            if (distance <= limit && distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        if (best != null) {
            return best;
        }
        for (String candidate : candidates) {
            String other = candidate.toLowerCase(Locale.ROOT);
            if (lower.length() >= 3 && (other.startsWith(lower) || lower.startsWith(other))) {
                return candidate;
            }
        }
        return null;
    }

    private static String normalize(String word) {
        StringBuilder normalized = new StringBuilder(word.length());
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c != '-' && c != '_' && c != ' ') {
                normalized.append(Character.toLowerCase(c));
            }
        }
        return normalized.toString();
    }

    /** Optimal string alignment distance. */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int value = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    value = Math.min(value, d[i - 2][j - 2] + 1);
                }
                d[i][j] = value;
            }
        }
        return d[a.length()][b.length()];
    }
}
