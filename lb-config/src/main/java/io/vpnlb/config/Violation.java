package io.vpnlb.config;

import java.util.Objects;

/**
 * One broken rule in a configuration, printed as {@code path: value (expected: rule)}, for example
 * {@code pools[vpn].members[2].port: 70000 (expected: 1..65535)}.
 */
public record Violation(String path, String value, String expected) {

    public Violation {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(expected, "expected");
    }

    @Override
    public String toString() {
        return path + ": " + value + " (expected: " + expected + ")";
    }
}
