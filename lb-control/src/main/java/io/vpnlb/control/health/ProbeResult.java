package io.vpnlb.control.health;

/**
 * The outcome of one health check.
 *
 * @param up     the member answered as a live service would
 * @param detail what was seen, for logs and the admin API, e.g. {@code IKE_SA_INIT answered (NO_PROPOSAL_CHOSEN)}
 */
public record ProbeResult(boolean up, String detail) {

    public static ProbeResult up(String detail) {
        return new ProbeResult(true, detail);
    }

    public static ProbeResult down(String detail) {
        return new ProbeResult(false, detail);
    }
}
