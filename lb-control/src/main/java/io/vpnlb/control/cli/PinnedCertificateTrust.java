package io.vpnlb.control.cli;

import io.vpnlb.config.cert.CertificateBundle;
import io.vpnlb.control.tls.ServerCertificateCheck;

import javax.net.ssl.SSLContext;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;

/**
 * Trusts exactly one server certificate: the admin endpoint's own, read from {@code admin.tls.certificate}. The
 * admin certificate usually names the appliance, not the address the CLI dials (127.0.0.1), so a pin replaces
 * both the CA check and the name check; it is stricter than either.
 */
final class PinnedCertificateTrust extends ServerCertificateCheck {

    private final X509Certificate pinned;
    private final byte[] pinnedSha256;

    private PinnedCertificateTrust(X509Certificate pinned) {
        this.pinned = pinned;
        this.pinnedSha256 = CertificateBundle.digest("SHA-256", pinned);
    }

    /** A TLS context (TLS 1.2 and 1.3) that accepts only {@code pinned} as the server certificate. */
    static SSLContext context(X509Certificate pinned) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new PinnedCertificateTrust[] {new PinnedCertificateTrust(pinned)}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS context", e);
        }
    }

    @Override
    protected void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the admin endpoint presented no certificate");
        }
        if (!Arrays.equals(CertificateBundle.digest("SHA-256", chain[0]), pinnedSha256)) {
            throw new CertificateException("the admin endpoint presented " + chain[0].getSubjectX500Principal()
                    + " (SHA-256 " + CertificateBundle.hex(CertificateBundle.digest("SHA-256", chain[0]))
                    + "), not the configured admin certificate " + pinned.getSubjectX500Principal() + " (SHA-256 "
                    + CertificateBundle.hex(pinnedSha256) + ")");
        }
    }
}
