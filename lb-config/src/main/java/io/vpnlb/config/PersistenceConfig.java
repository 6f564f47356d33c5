package io.vpnlb.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Client-address persistence. It outlives sessions: a client that comes back within {@code timeout} of its last
 * new session returns to the same member.
 *
 * @param maxEntries bound on the table; the least recently used entries go first when it is full
 */
public record PersistenceConfig(PersistenceScope scope, Duration timeout, long maxEntries) {

    public static final PersistenceScope DEFAULT_SCOPE = PersistenceScope.VIP;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    public static final long DEFAULT_MAX_ENTRIES = 1_000_000;

    public static final PersistenceConfig DEFAULT =
            new PersistenceConfig(DEFAULT_SCOPE, DEFAULT_TIMEOUT, DEFAULT_MAX_ENTRIES);

    public PersistenceConfig {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(timeout, "timeout");
    }
}
