package io.vpnlb.dataplane.tcp;

import io.vpnlb.config.TlsConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The fingerprint of the files a terminating service's TLS comes from: a SHA-256 over each file's path and
 * content (certificate, password file, client CA, CRL). Contents, not modification times: a certificate
 * renewed by a deployment tool that keeps the time, or copied twice within a second, is still seen.
 */
final class CertificateFiles {

    private CertificateFiles() {
    }

    /** The fingerprint of {@code tls}'s files as they are now; a file that cannot be read counts by its error. */
    static String fingerprint(TlsConfig tls) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        for (String file : new String[] {tls.certificate(), tls.passwordFile(), tls.clientCa(), tls.crl()}) {
            if (file == null) {
                digest.update((byte) 0);
                continue;
            }
            digest.update(file.getBytes(StandardCharsets.UTF_8));
            try {
                digest.update(Files.readAllBytes(Path.of(file)));
            } catch (IOException | RuntimeException e) {
                digest.update(("unreadable: " + e).getBytes(StandardCharsets.UTF_8));
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
