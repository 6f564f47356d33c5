package io.vpnlb.control.health;

import java.security.cert.X509Certificate;

/**
 * The outcome of one health check.
 *
 * @param up                the member answered as a live service would
 * @param detail            what was seen, for logs and the admin API, e.g.
 *                          {@code IKE_SA_INIT answered (NO_PROPOSAL_CHOSEN)}
 * @param memberCertificate the leaf certificate the member presented in a TLS handshake of this check, whatever
 *                          the verdict; {@code null} when the check made no handshake or it failed before the
 *                          certificate
 */
public record ProbeResult(boolean up, String detail, X509Certificate memberCertificate) {

    public static ProbeResult up(String detail) {
        return new ProbeResult(true, detail, null);
    }

    public static ProbeResult down(String detail) {
        return new ProbeResult(false, detail, null);
    }
}
