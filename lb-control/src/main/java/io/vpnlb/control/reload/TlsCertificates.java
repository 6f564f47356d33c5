package io.vpnlb.control.reload;

import io.vpnlb.config.LbConfig;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.TlsMode;
import io.vpnlb.config.Violation;
import io.vpnlb.config.cert.CertificateException;
import io.vpnlb.config.cert.CertificateImporter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Loads the certificates a configuration's TLS endpoints present, as starting them would, without starting
 * anything: a wrong password, an unreadable file or a key that does not match becomes a violation. Used by a
 * reload before it closes a listener, and by {@code vpnlb check}.
 */
public final class TlsCertificates {

    static final String EXPECTED = "a certificate and private key that load (with the password in password-file)";

    private TlsCertificates() {
    }

    /**
     * One violation per service in {@code names} that ends TLS ({@code terminate} or {@code reencrypt}) with a
     * certificate that does not load, at {@code services[NAME]}.
     */
    public static List<Violation> services(LbConfig config, Collection<String> names) {
        List<Violation> problems = new ArrayList<>();
        for (String name : names) {
            TlsConfig tls = config.service(name).tls();
            if (tls != null && tls.mode() != TlsMode.PASSTHROUGH) {
                String problem = problem(tls);
                if (problem != null) {
                    problems.add(new Violation("services[" + name + "]",
                            "service " + name + ": tls.certificate: " + problem, EXPECTED));
                }
            }
        }
        return problems;
    }

    /** The violation of {@code admin.tls} when its certificate does not load, else none. */
    public static List<Violation> admin(LbConfig config) {
        TlsConfig tls = config.admin().tls();
        String problem = tls == null ? null : problem(tls);
        return problem == null ? List.of() : List.of(new Violation("admin.tls.certificate", problem, EXPECTED));
    }

    private static String problem(TlsConfig tls) {
        if (tls.certificate() == null) {
            return null;
        }
        try {
            CertificateImporter.load(Path.of(tls.certificate()),
                    tls.passwordFile() == null ? null : Path.of(tls.passwordFile()),
                    CertificateImporter.Options.forTls());
            return null;
        } catch (CertificateException e) {
            return e.getMessage();
        }
    }
}
