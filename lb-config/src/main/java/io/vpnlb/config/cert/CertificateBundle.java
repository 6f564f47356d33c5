package io.vpnlb.config.cert;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * An imported certificate chain, leaf first and each certificate followed by its issuer, and the leaf's private
 * key when the file had one. {@link #toString()} describes the chain and never prints the key.
 *
 * @param source   the file it came from
 * @param format   the encoding the file was in
 * @param chain    leaf first, then issuers in order; never empty
 * @param key      the leaf's private key (checked to match), or {@code null}
 * @param warnings what was imported but deserves a look (certificates unrelated to the leaf, an incomplete
 *                 chain); one sentence each
 */
public record CertificateBundle(Path source, CertificateFormat format, List<X509Certificate> chain, PrivateKey key,
                                List<String> warnings) {

    private static final HexFormat LOWER = HexFormat.of();
    private static final HexFormat UPPER = HexFormat.of().withUpperCase();
    private static final HexFormat COLONS = HexFormat.ofDelimiter(":").withUpperCase();

    public CertificateBundle {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(format, "format");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("chain is empty");
        }
        warnings = List.copyOf(warnings);
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public boolean hasKey() {
        return key != null;
    }

    /** SHA-1 of the leaf's DER encoding (the Windows "thumbprint"). */
    public byte[] sha1() {
        return digest("SHA-1", leaf());
    }

    /** SHA-256 of the leaf's DER encoding: what SSTP clients put in CALL_CONNECTED and RRAS compares. */
    public byte[] sha256() {
        return digest("SHA-256", leaf());
    }

    public static byte[] digest(String algorithm, X509Certificate certificate) {
        try {
            return MessageDigest.getInstance(algorithm).digest(certificate.getEncoded());
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(algorithm + " of " + certificate.getSubjectX500Principal(), e);
        }
    }

    /** Lower-case hex, no separators. */
    public static String hex(byte[] bytes) {
        return LOWER.formatHex(bytes);
    }

    /** Upper-case hex, no separators: the form {@code Enable-SSTPOffload -CertificateHash} and {@code reg add /d} take. */
    public static String upperHex(byte[] bytes) {
        return UPPER.formatHex(bytes);
    }

    /** Upper-case hex with colons, as openssl and browsers show fingerprints. */
    public static String colonHex(byte[] bytes) {
        return COLONS.formatHex(bytes);
    }

    /** The leaf's subject in RFC 2253 form. */
    public String subject() {
        return leaf().getSubjectX500Principal().getName();
    }

    public String issuer() {
        return leaf().getIssuerX500Principal().getName();
    }

    public Instant notBefore() {
        return leaf().getNotBefore().toInstant();
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    public boolean expiredAt(Instant now) {
        return now.isAfter(notAfter());
    }

    /** The leaf's subject alternative names as {@code DNS:name}, {@code IP:address}, {@code URI:...}, ... */
    public List<String> subjectAlternativeNames() {
        return subjectAlternativeNames(leaf());
    }

    public static List<String> subjectAlternativeNames(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        Collection<List<?>> sans;
        try {
            sans = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            names.add("(unparseable subjectAltName: " + e.getMessage() + ")");
            return names;
        }
        if (sans == null) {
            return names;
        }
        for (List<?> san : sans) {
            int type = (Integer) san.get(0);
            Object value = san.get(1);
            String prefix;
            switch (type) {
                case 1: prefix = "email:"; break;
                case 2: prefix = "DNS:"; break;
                case 4: prefix = "DirName:"; break;
                case 6: prefix = "URI:"; break;
                case 7: prefix = "IP:"; break;
                case 8: prefix = "RID:"; break;
                default: prefix = "othername(" + type + "):"; break;
            }
            names.add(prefix + (value instanceof String ? value : "(binary)"));
        }
        return names;
    }

    /** Describes source, format, subject and chain length; never the key. */
    @Override
    public String toString() {
        return source + " (" + format.displayName() + ", " + subject() + ", chain of " + chain.size()
                + (key == null ? ", no private key" : ", private key " + key.getAlgorithm()) + ")";
    }
}
