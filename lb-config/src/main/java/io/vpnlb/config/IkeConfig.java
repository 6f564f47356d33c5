package io.vpnlb.config;

/**
 * IKEv2 awareness of an {@code ikev2} service.
 *
 * @param spiRouting          route a datagram whose IKE SPIs or ESP SPI are known to the member that holds that
 *                            SA, whatever address it comes from (MOBIKE, NAT rebinding); false = plain
 *                            source-address affinity
 * @param maxHalfOpen         sessions of this service that have sent only IKE_SA_INIT and heard nothing back from
 *                            the member; beyond it new IKE_SA_INIT sessions are refused and counted
 * @param maxHalfOpenPerSource the same bound per client address
 */
public record IkeConfig(boolean spiRouting, int maxHalfOpen, int maxHalfOpenPerSource) {

    public static final boolean DEFAULT_SPI_ROUTING = true;
    public static final int DEFAULT_MAX_HALF_OPEN = 10_000;
    public static final int DEFAULT_MAX_HALF_OPEN_PER_SOURCE = 16;

    public static final IkeConfig DEFAULT =
            new IkeConfig(DEFAULT_SPI_ROUTING, DEFAULT_MAX_HALF_OPEN, DEFAULT_MAX_HALF_OPEN_PER_SOURCE);
}
