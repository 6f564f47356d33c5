package io.vpnlb.dataplane.tcp;

import io.vpnlb.config.cert.CertificateException;
import io.vpnlb.config.cert.CertificateProblem;

import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CRL;
import java.security.cert.CertPathValidator;
import java.security.cert.CertStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;

/**
 * The trust settings for client-certificate preauthentication (IP-HTTPS): client certificates must chain to a CA
 * of {@code tls.client-ca}; with {@code tls.crl}, a client certificate listed in one of its CRLs is refused, and
 * so is one whose issuer has no CRL there (CRLs only: no OCSP, no download from CRL distribution points).
 */
final class ClientCertificates {

    private ClientCertificates() {
    }

    static TrustManagerFactory trust(Path caFile, Path crlFile) throws CertificateException {
        List<X509Certificate> authorities = authorities(caFile);
        try {
            KeyStore anchors = KeyStore.getInstance("PKCS12");
            anchors.load(null, null);
            for (int i = 0; i < authorities.size(); i++) {
                anchors.setCertificateEntry("ca-" + i, authorities.get(i));
            }
            PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, new X509CertSelector());
            if (crlFile != null) {
                parameters.addCertStore(CertStore.getInstance("Collection",
                        new CollectionCertStoreParameters(crls(crlFile))));
                PKIXRevocationChecker checker =
                        (PKIXRevocationChecker) CertPathValidator.getInstance("PKIX").getRevocationChecker();
                checker.setOptions(EnumSet.of(PKIXRevocationChecker.Option.PREFER_CRLS,
                        PKIXRevocationChecker.Option.NO_FALLBACK, PKIXRevocationChecker.Option.ONLY_END_ENTITY));
                parameters.addCertPathChecker(checker);
                parameters.setRevocationEnabled(true);
            } else {
                parameters.setRevocationEnabled(false);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(new CertPathTrustManagerParameters(parameters));
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new CertificateException(caFile, CertificateProblem.UNKNOWN_FORMAT,
                    "cannot build the client-certificate trust settings: " + e.getMessage(), e);
        }
    }

    private static byte[] read(Path file, String what) throws CertificateException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CertificateException(file, CertificateProblem.UNREADABLE, "no such " + what);
        } catch (IOException e) {
            throw new CertificateException(file, CertificateProblem.UNREADABLE,
                    "cannot read the " + what + ": " + e.getMessage(), e);
        }
    }

    static List<X509Certificate> authorities(Path file) throws CertificateException {
        byte[] bytes = read(file, "client CA file");
        List<X509Certificate> out = new ArrayList<>();
        try {
            for (Certificate certificate : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes))) {
                out.add((X509Certificate) certificate);
            }
        } catch (GeneralSecurityException e) {
            throw new CertificateException(file, CertificateProblem.NOT_A_CERTIFICATE,
                    "not a CA certificate bundle (PEM or DER certificates): " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new CertificateException(file, CertificateProblem.NOT_A_CERTIFICATE,
                    "holds no certificate; tls.client-ca needs the CA certificates that issue client certificates");
        }
        return out;
    }

    private static Collection<? extends CRL> crls(Path file) throws CertificateException {
        byte[] bytes = read(file, "CRL file");
        try {
            Collection<? extends CRL> crls = CertificateFactory.getInstance("X.509")
                    .generateCRLs(new ByteArrayInputStream(bytes));
            if (crls.isEmpty()) {
                throw new CertificateException(file, CertificateProblem.NOT_A_CERTIFICATE, "holds no CRL");
            }
            return crls;
        } catch (GeneralSecurityException e) {
            throw new CertificateException(file, CertificateProblem.NOT_A_CERTIFICATE,
                    "not a certificate revocation list (PEM or DER X.509 CRL): " + e.getMessage(), e);
        }
    }
}
