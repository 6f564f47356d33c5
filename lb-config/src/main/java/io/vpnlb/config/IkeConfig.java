package io.vpnlb.config;

import java.time.Duration;
import java.util.Objects;

/**
 * IKEv2 awareness and flood protection of an {@code ikev2} service.
 *
 * @param spiRouting           route a datagram whose IKE SPIs or ESP SPI are known to the member that holds that
 *                             SA, whatever address it comes from (MOBIKE, NAT rebinding); false = plain
 *                             source-address affinity
 * @param maxHalfOpen          sessions of this service opened by an IKE_SA_INIT that the member has not answered
 *                             yet; beyond it new IKE_SA_INIT sessions are refused and counted
 * @param maxHalfOpenPerSource the same bound per client address
 * @param halfOpenTimeout      a half-open session the member has not answered for this long is closed
 * @param newSessionsPerSource new sessions per second one client address may open (bursts of twice as many);
 *                             beyond it new sessions are refused and counted, established ones are untouched
 */
public record IkeConfig(boolean spiRouting, int maxHalfOpen, int maxHalfOpenPerSource, Duration halfOpenTimeout,
                        int newSessionsPerSource) {

    public static final boolean DEFAULT_SPI_ROUTING = true;
    public static final int DEFAULT_MAX_HALF_OPEN = 10_000;
    public static final int DEFAULT_MAX_HALF_OPEN_PER_SOURCE = 16;
    public static final Duration DEFAULT_HALF_OPEN_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_NEW_SESSIONS_PER_SOURCE = 50;
    public static final int MAX_NEW_SESSIONS_PER_SOURCE = 1_000_000;

    public static final IkeConfig DEFAULT = new IkeConfig(DEFAULT_SPI_ROUTING, DEFAULT_MAX_HALF_OPEN,
            DEFAULT_MAX_HALF_OPEN_PER_SOURCE, DEFAULT_HALF_OPEN_TIMEOUT, DEFAULT_NEW_SESSIONS_PER_SOURCE);

    public IkeConfig {
        Objects.requireNonNull(halfOpenTimeout, "halfOpenTimeout");
    }

    /** The defaults with SPI routing switched as given. */
    public IkeConfig withSpiRouting(boolean enabled) {
        return new IkeConfig(enabled, maxHalfOpen, maxHalfOpenPerSource, halfOpenTimeout, newSessionsPerSource);
    }
}
