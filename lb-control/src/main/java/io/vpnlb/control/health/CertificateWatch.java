package io.vpnlb.control.health;

import io.vpnlb.config.cert.CertificateBundle;
import io.vpnlb.control.pool.MemberState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * Compares, on every health check that saw it, the certificate a member presents with the certificate vpnlb
 * presents on the {@code tls.mode: reencrypt} services using the member's pool. SSTP's crypto binding carries
 * the hash of the certificate the client saw, which is vpnlb's; a member that presents another certificate
 * expects another hash and rejects every client after authentication ("SSTP connects, then disconnects").
 *
 * <p>A mismatch does not change the member's health. It is recorded on the member
 * ({@link MemberState#certificateMismatch()}, the {@code vpnlb_member_certificate_mismatch} gauge), added to the
 * check's detail (the admin API's {@code last_check}), and logged when it starts, changes and ends.
 */
final class CertificateWatch {

    private static final Logger log = LoggerFactory.getLogger(CertificateWatch.class);

    private final String pool;
    private final List<String> services;
    private final Function<String, CertificateBundle> presented;

    /**
     * @param pool      the pool whose members are compared
     * @param services  the reencrypt services using the pool
     * @param presented the certificate vpnlb presents on a service, by service name ({@code null} if none)
     */
    CertificateWatch(String pool, List<String> services, Function<String, CertificateBundle> presented) {
        this.pool = pool;
        this.services = List.copyOf(services);
        this.presented = presented;
    }

    List<String> services() {
        return services;
    }

    /**
     * Compares {@code leaf}, the certificate {@code member} presented in a check, records the outcome on the member
     * and logs a change.
     *
     * @return the mismatch in words, for the check's detail; {@code null} when the certificates are the same
     */
    String compare(MemberState member, X509Certificate leaf) {
        byte[] memberSha256 = CertificateBundle.digest("SHA-256", leaf);
        StringJoiner mismatches = new StringJoiner("; ");
        String same = null;
        for (String service : services) {
            CertificateBundle own = presented.apply(service);
            if (own == null) {
                continue;
            }
            if (Arrays.equals(memberSha256, own.sha256())) {
                same = service + " (SHA-256 " + CertificateBundle.hex(memberSha256) + ")";
            } else {
                mismatches.add(mismatch(service, own, leaf, memberSha256));
            }
        }
        String mismatch = mismatches.length() == 0 ? null : mismatches.toString();
        String previous = member.certificateMismatch(mismatch);
        if (mismatch != null && !mismatch.equals(previous)) {
            log.warn("pool {} member {}: {}", pool, member.key(), mismatch);
        } else if (mismatch == null && previous != null) {
            log.info("pool {} member {}: now presents the same certificate as vpnlb on service {}", pool, member.key(),
                    same);
        }
        return mismatch;
    }

    private static String mismatch(String service, CertificateBundle own, X509Certificate leaf, byte[] memberSha256) {
        return "certificate mismatch: the member presents SHA-256 " + CertificateBundle.hex(memberSha256) + " ("
                + leaf.getSubjectX500Principal().getName() + ") but vpnlb presents SHA-256 "
                + CertificateBundle.hex(own.sha256()) + " (" + own.subject() + ") on reencrypt service " + service
                + ": SSTP clients' crypto binding carries the hash of vpnlb's certificate and will fail on this "
                + "member; install the same certificate on the member";
    }
}
