package io.vpnlb.config.cert;

import java.nio.file.Path;

/**
 * A certificate or key file that cannot be used. The message always names the file and says what is wrong with
 * it, e.g. {@code /etc/vpnlb/vpn.pfx: wrong password (from /etc/vpnlb/vpn.pfx.pass) for the PKCS#12 file}. It
 * never contains key material.
 */
public final class CertificateException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final CertificateProblem problem;

    public CertificateException(Path file, CertificateProblem problem, String detail) {
        this(file, problem, detail, null);
    }

    public CertificateException(Path file, CertificateProblem problem, String detail, Throwable cause) {
        super(file + ": " + detail, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file the problem is in (the certificate file, or the password file when that is the one at fault). */
    public Path file() {
        return file;
    }

    public CertificateProblem problem() {
        return problem;
    }
}
