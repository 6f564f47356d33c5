package io.vpnlb.config.cert;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.pkcs.ContentInfo;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Imports a certificate chain and its private key from any file an administrator is likely to have: PEM
 * (certificates with a PKCS#1, PKCS#8, encrypted PKCS#8 or OpenSSL-encrypted key, in any order), .cer/.crt in DER
 * or Base-64 (with or without PEM armour), PKCS#7 (.p7b) and PKCS#12 (.pfx/.p12). The format is recognised by
 * content, not by extension.
 *
 * <p>The chain comes back in order (leaf, then each issuer), the key is checked against the leaf by a signature
 * round trip, and every failure is a {@link CertificateException} whose message names the file and says exactly
 * what is wrong. Key material never appears in a message, a warning or a log line.
 */
public final class CertificateImporter {

    private static final Provider BC = new BouncyCastleProvider();
    private static final int PKCS12_VERSION = 3;

    /**
     * What the caller needs from the file.
     *
     * @param requireKey    fail with {@link CertificateProblem#NO_PRIVATE_KEY} when the file has no private key
     * @param rejectExpired fail with {@link CertificateProblem#EXPIRED} / {@code NOT_YET_VALID} at {@code now}
     */
    public record Options(boolean requireKey, boolean rejectExpired, Instant now) {

        /** For a TLS listener: key required, validity checked now. */
        public static Options forTls() {
            return new Options(true, true, Instant.now());
        }

        /** For inspection (cert-hash): no key needed, an expired certificate still imports. */
        public static Options inspect() {
            return new Options(false, false, Instant.now());
        }
    }

    private CertificateImporter() {
    }

    /** The BouncyCastle provider instance used for PEM encryption; never registered globally. */
    static Provider bouncyCastle() {
        return BC;
    }

    /**
     * @param passwordFile file whose first line is the password of a .pfx or an encrypted key, or {@code null}
     */
    public static CertificateBundle load(Path file, Path passwordFile, Options options) throws CertificateException {
        byte[] bytes = readFile(file);
        char[] password = passwordFile == null ? null : readPassword(passwordFile);
        try {
            Parsed parsed = parse(file, bytes, password, passwordFile);
            return finish(file, parsed, options);
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
    }

    /** The password in {@code file}: its content up to the first line break, as a password file is written. */
    public static char[] readPassword(Path file) throws CertificateException {
        byte[] bytes = readFile(file, "password file");
        String text = new String(bytes, StandardCharsets.UTF_8);
        Arrays.fill(bytes, (byte) 0);
        int end = text.indexOf('\n');
        if (end >= 0) {
            text = text.substring(0, end);
        }
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        return text.toCharArray();
    }

    private static byte[] readFile(Path file) throws CertificateException {
        return readFile(file, "certificate file");
    }

    private static byte[] readFile(Path file, String what) throws CertificateException {
        try {
            if (Files.isDirectory(file)) {
                throw new CertificateException(file, CertificateProblem.UNREADABLE, "is a directory, not a " + what);
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CertificateException(file, CertificateProblem.UNREADABLE, "no such " + what);
        } catch (AccessDeniedException e) {
            throw new CertificateException(file, CertificateProblem.UNREADABLE,
                    "permission denied reading the " + what + " (vpnlb runs as " + System.getProperty("user.name")
                            + ")");
        } catch (IOException e) {
            throw new CertificateException(file, CertificateProblem.UNREADABLE,
                    "cannot read the " + what + ": " + e.getMessage(), e);
        }
    }

    /** What a file held, in file order, before ordering and checks. */
    private static final class Parsed {
        CertificateFormat format;
        final List<X509Certificate> certificates = new ArrayList<>();
        final List<PrivateKey> keys = new ArrayList<>();
        /** What else was found, for a precise NOT_A_CERTIFICATE message. */
        final List<String> others = new ArrayList<>();
    }

    private static Parsed parse(Path file, byte[] bytes, char[] password, Path passwordFile)
            throws CertificateException {
        if (bytes.length == 0) {
            throw new CertificateException(file, CertificateProblem.UNKNOWN_FORMAT, "the file is empty");
        }
        String text = asciiText(bytes);
        if (text != null && text.contains("-----BEGIN ")) {
            return parsePem(file, text, password, passwordFile);
        }
        if ((bytes[0] & 0xFF) == 0x30) {
            return parseDer(file, bytes, CertificateFormat.DER, password, passwordFile);
        }
        if (text != null) {
            String compact = text.replaceAll("\\s+", "");
            if (!compact.isEmpty() && compact.matches("[A-Za-z0-9+/]+=*")) {
                byte[] der;
                try {
                    der = Base64.getDecoder().decode(compact);
                } catch (IllegalArgumentException e) {
                    der = null;
                }
                if (der != null && der.length > 0 && (der[0] & 0xFF) == 0x30) {
                    return parseDer(file, der, CertificateFormat.BASE64_DER, password, passwordFile);
                }
            }
            throw new CertificateException(file, CertificateProblem.UNKNOWN_FORMAT,
                    "not a certificate file: text without a '-----BEGIN CERTIFICATE-----' line and not Base-64 DER");
        }
        throw new CertificateException(file, CertificateProblem.UNKNOWN_FORMAT,
                "not a certificate file: binary data that is neither DER (X.509, PKCS#7) nor PKCS#12 (.pfx)");
    }

    /** The bytes as text when they are printable ASCII/UTF-8 with line breaks, else {@code null}. */
    private static String asciiText(byte[] bytes) {
        int start = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB
                && (bytes[2] & 0xFF) == 0xBF ? 3 : 0;
        for (int i = start; i < bytes.length; i++) {
            int b = bytes[i] & 0xFF;
            if (b < 0x09 || (b > 0x0D && b < 0x20) || b == 0x7F) {
                return null;
            }
        }
        return new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8);
    }

    private static Parsed parsePem(Path file, String text, char[] password, Path passwordFile)
            throws CertificateException {
        Parsed parsed = new Parsed();
        parsed.format = CertificateFormat.PEM;
        JcaX509CertificateConverter certificates = new JcaX509CertificateConverter();
        JcaPEMKeyConverter keys = new JcaPEMKeyConverter();
        int block = 0;
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            while (true) {
                Object object;
                block++;
                try {
                    object = parser.readObject();
                } catch (IOException | RuntimeException e) {
                    throw new CertificateException(file, CertificateProblem.UNKNOWN_FORMAT,
                            "PEM block " + block + " cannot be decoded (damaged Base-64 or a wrong BEGIN line): "
                                    + e.getMessage(), e);
                }
                if (object == null) {
                    break;
                }
                try {
                    if (object instanceof X509CertificateHolder) {
                        parsed.certificates.add(certificates.getCertificate((X509CertificateHolder) object));
                    } else if (object instanceof PEMKeyPair) {
                        parsed.keys.add(privateKey(keys, (PEMKeyPair) object));
                    } else if (object instanceof PrivateKeyInfo) {
                        parsed.keys.add(keys.getPrivateKey((PrivateKeyInfo) object));
                    } else if (object instanceof PKCS8EncryptedPrivateKeyInfo) {
                        requirePassword(file, password, "the private key (encrypted PKCS#8)");
                        PrivateKeyInfo info;
                        try {
                            info = ((PKCS8EncryptedPrivateKeyInfo) object).decryptPrivateKeyInfo(
                                    new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(password));
                        } catch (Exception e) {
                            throw wrongPassword(file, passwordFile, "the encrypted private key", e);
                        }
                        parsed.keys.add(keys.getPrivateKey(info));
                    } else if (object instanceof PEMEncryptedKeyPair) {
                        requirePassword(file, password, "the private key (OpenSSL 'Proc-Type: 4,ENCRYPTED')");
                        PEMKeyPair pair;
                        try {
                            pair = ((PEMEncryptedKeyPair) object).decryptKeyPair(
                                    new JcePEMDecryptorProviderBuilder().setProvider(BC).build(password));
                            parsed.keys.add(privateKey(keys, pair));
                        } catch (Exception e) {
                            throw wrongPassword(file, passwordFile, "the encrypted private key", e);
                        }
                    } else if (object instanceof ContentInfo) {
                        parsed.certificates.addAll(x509(((ContentInfo) object).getEncoded()));
                    } else if (object instanceof PKCS10CertificationRequest) {
                        parsed.others.add("a certificate signing request (CSR): submit it to a CA and use the "
                                + "certificate the CA issues");
                    } else if (object instanceof X509CRLHolder) {
                        parsed.others.add("a certificate revocation list (CRL)");
                    } else if (object instanceof SubjectPublicKeyInfo) {
                        parsed.others.add("a bare public key");
                    } else if (!(object instanceof ASN1ObjectIdentifier)) {
                        // EC PARAMETERS blocks (ASN1ObjectIdentifier) come with EC keys and mean nothing here.
                        parsed.others.add("a PEM block of type " + object.getClass().getSimpleName());
                    }
                } catch (CertificateException e) {
                    throw e;
                } catch (Exception e) {
                    throw new CertificateException(file, CertificateProblem.UNKNOWN_FORMAT,
                            "PEM block " + block + " is not a valid certificate or key: " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new CertificateException(file, CertificateProblem.UNREADABLE, e.getMessage(), e);
        }
        return parsed;
    }

    /** SEC1 EC keys may omit the public key, which {@code getKeyPair} needs. */
    private static PrivateKey privateKey(JcaPEMKeyConverter keys, PEMKeyPair pair) throws IOException {
        return pair.getPublicKeyInfo() == null ? keys.getPrivateKey(pair.getPrivateKeyInfo())
                : keys.getKeyPair(pair).getPrivate();
    }

    private static Parsed parseDer(Path file, byte[] der, CertificateFormat format, char[] password,
                                   Path passwordFile) throws CertificateException {
        ASN1Primitive asn1;
        try (ASN1InputStream in = new ASN1InputStream(der)) {
            asn1 = in.readObject();
        } catch (IOException | RuntimeException e) {
            throw new CertificateException(file, CertificateProblem.UNKNOWN_FORMAT,
                    "not a certificate file: binary data that is not valid DER (" + e.getMessage() + ")", e);
        }
        if (isPkcs12(asn1)) {
            return parsePkcs12(file, der, password, passwordFile);
        }
        Parsed parsed = new Parsed();
        parsed.format = format;
        try {
            parsed.certificates.addAll(x509(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            String what = describeDer(asn1);
            throw new CertificateException(file, CertificateProblem.NOT_A_CERTIFICATE,
                    what != null ? "not a certificate: the file holds " + what
                            : "not a certificate: valid DER, but not an X.509 certificate, PKCS#7 bundle or PKCS#12 "
                              + "file (" + e.getMessage() + ")", e);
        }
        return parsed;
    }

    private static String describeDer(ASN1Primitive asn1) {
        try {
            PrivateKeyInfo.getInstance(asn1);
            return "a private key (PKCS#8 DER) without a certificate";
        } catch (RuntimeException ignored) {
            // not a key
        }
        try {
            new PKCS10CertificationRequest(asn1.getEncoded());
            return "a certificate signing request (CSR): submit it to a CA and use the certificate the CA issues";
        } catch (IOException | RuntimeException ignored) {
            return null;
        }
    }

    private static boolean isPkcs12(ASN1Primitive asn1) {
        if (!(asn1 instanceof ASN1Sequence)) {
            return false;
        }
        ASN1Sequence sequence = (ASN1Sequence) asn1;
        if (sequence.size() < 2) {
            return false;
        }
        ASN1Encodable version = sequence.getObjectAt(0);
        return version instanceof ASN1Integer && ((ASN1Integer) version).hasValue(PKCS12_VERSION)
                && sequence.getObjectAt(1) instanceof ASN1Sequence;
    }

    private static List<X509Certificate> x509(byte[] encoded) throws GeneralSecurityException {
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate certificate : CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(encoded))) {
            out.add((X509Certificate) certificate);
        }
        if (out.isEmpty()) {
            throw new java.security.cert.CertificateException("no certificate in the data");
        }
        return out;
    }

    private static Parsed parsePkcs12(Path file, byte[] der, char[] password, Path passwordFile)
            throws CertificateException {
        Parsed parsed = new Parsed();
        parsed.format = CertificateFormat.PKCS12;
        KeyStore store;
        char[] used = password;
        try {
            store = loadPkcs12(der, password == null ? new char[0] : password);
        } catch (IOException e) {
            if (!isPasswordFailure(e)) {
                throw new CertificateException(file, CertificateProblem.UNKNOWN_FORMAT,
                        "damaged or unsupported PKCS#12 file: " + e.getMessage(), e);
            }
            if (password != null) {
                throw wrongPassword(file, passwordFile, "the PKCS#12 file", e);
            }
            try {
                // Some tools write password-less stores with no integrity password at all.
                store = loadPkcs12(der, null);
                used = null;
            } catch (IOException e2) {
                throw passwordRequired(file, e);
            }
        }
        try {
            List<String> aliases = Collections.list(store.aliases());
            for (String alias : aliases) {
                if (store.isKeyEntry(alias)) {
                    Key key;
                    try {
                        key = store.getKey(alias, used == null ? new char[0] : used);
                    } catch (UnrecoverableKeyException e) {
                        if (passwordFile == null) {
                            throw passwordRequired(file, e);
                        }
                        throw new CertificateException(passwordFile == null ? file : passwordFile,
                                CertificateProblem.WRONG_PASSWORD,
                                "the private key in " + file + " has a password other than the file's", e);
                    }
                    if (key instanceof PrivateKey) {
                        parsed.keys.add((PrivateKey) key);
                    }
                    Certificate[] chain = store.getCertificateChain(alias);
                    if (chain != null) {
                        for (Certificate certificate : chain) {
                            parsed.certificates.add((X509Certificate) certificate);
                        }
                    }
                }
            }
            for (String alias : aliases) {
                if (store.isCertificateEntry(alias)) {
                    parsed.certificates.add((X509Certificate) store.getCertificate(alias));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new CertificateException(file, CertificateProblem.UNKNOWN_FORMAT,
                    "cannot read the entries of the PKCS#12 file: " + e.getMessage(), e);
        }
        if (parsed.certificates.isEmpty() && parsed.keys.isEmpty()) {
            if (used == null) {
                // Loaded without a password: the encrypted parts could not be seen.
                throw passwordRequired(file, null);
            }
            parsed.others.add("an empty PKCS#12 store");
        } else if (parsed.certificates.isEmpty()) {
            parsed.others.add("a PKCS#12 store with a private key but no certificate");
        }
        return parsed;
    }

    private static CertificateException passwordRequired(Path file, Throwable cause) {
        return new CertificateException(file, CertificateProblem.PASSWORD_REQUIRED,
                "the PKCS#12 file is protected by a password: give its password file "
                        + "(tls.password-file, or --password-file)", cause);
    }

    private static KeyStore loadPkcs12(byte[] der, char[] password) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(der), password);
            return store;
        } catch (GeneralSecurityException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static boolean isPasswordFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnrecoverableKeyException || t instanceof javax.crypto.BadPaddingException) {
                return true;
            }
            String message = t.getMessage();
            if (message != null && message.toLowerCase(Locale.ROOT).contains("password")) {
                return true;
            }
        }
        return false;
    }

    private static void requirePassword(Path file, char[] password, String what) throws CertificateException {
        if (password == null) {
            throw new CertificateException(file, CertificateProblem.PASSWORD_REQUIRED,
                    what + " is encrypted: give its password file (tls.password-file, or --password-file)");
        }
    }

    private static CertificateException wrongPassword(Path file, Path passwordFile, String what, Throwable cause) {
        return new CertificateException(file, CertificateProblem.WRONG_PASSWORD,
                "wrong password (from " + passwordFile + ") for " + what, cause);
    }

    private static CertificateBundle finish(Path file, Parsed parsed, Options options) throws CertificateException {
        List<X509Certificate> certificates = distinct(parsed.certificates);
        if (certificates.isEmpty()) {
            String what;
            if (!parsed.keys.isEmpty()) {
                what = "a private key but no certificate (put the certificate and its chain in the same file)";
            } else if (!parsed.others.isEmpty()) {
                what = String.join(" and ", parsed.others);
            } else {
                what = "no certificate";
            }
            throw new CertificateException(file, CertificateProblem.NOT_A_CERTIFICATE,
                    "not a certificate: the file holds " + what);
        }
        List<PrivateKey> keys = distinctKeys(parsed.keys);
        if (keys.size() > 1) {
            throw new CertificateException(file, CertificateProblem.SEVERAL_KEYS,
                    "holds " + keys.size() + " private keys; keep only the key of the certificate vpnlb presents");
        }
        PrivateKey key = keys.isEmpty() ? null : keys.get(0);
        List<String> warnings = new ArrayList<>();
        X509Certificate leaf;
        if (key != null) {
            leaf = null;
            for (X509Certificate certificate : certificates) {
                if (keyMatches(key, certificate.getPublicKey())) {
                    leaf = certificate;
                    break;
                }
            }
            if (leaf == null) {
                X509Certificate likely = leafCandidates(certificates).get(0);
                throw new CertificateException(file, CertificateProblem.KEY_MISMATCH,
                        "the private key (" + describe(key) + ") does not match the certificate "
                                + likely.getSubjectX500Principal().getName()
                                + (certificates.size() > 1 ? " nor any other certificate in the file" : "")
                                + ": the key belongs to another certificate");
            }
        } else {
            List<X509Certificate> candidates = leafCandidates(certificates);
            leaf = candidates.get(0);
            if (candidates.size() > 1) {
                warnings.add(candidates.size() + " certificates could each be the leaf; " + name(leaf)
                        + " (the first in the file) was taken");
            }
        }
        List<X509Certificate> chain = chainFrom(leaf, certificates);
        for (X509Certificate certificate : certificates) {
            if (!chain.contains(certificate)) {
                warnings.add("certificate " + name(certificate) + " is not in the chain of " + name(leaf)
                        + "; it was left out");
            }
        }
        if (!isInFileOrder(chain, certificates)) {
            warnings.add("the chain was out of order in the file; it was put in order (leaf, then each issuer)");
        }
        if (key == null && options.requireKey()) {
            throw new CertificateException(file, CertificateProblem.NO_PRIVATE_KEY,
                    "has the certificate " + name(leaf) + " but no private key; TLS termination needs it: export "
                            + "the .pfx with its private key, or add the key to the PEM file");
        }
        if (options.rejectExpired()) {
            Instant now = options.now();
            Instant notAfter = leaf.getNotAfter().toInstant();
            Instant notBefore = leaf.getNotBefore().toInstant();
            if (now.isAfter(notAfter)) {
                throw new CertificateException(file, CertificateProblem.EXPIRED,
                        "the certificate " + name(leaf) + " expired on " + notAfter + " ("
                                + Duration.between(notAfter, now).toDays() + " day(s) ago); renew it");
            }
            if (now.isBefore(notBefore)) {
                throw new CertificateException(file, CertificateProblem.NOT_YET_VALID,
                        "the certificate " + name(leaf) + " is not valid before " + notBefore
                                + " (check the clock of this host and of the CA)");
            }
        }
        return new CertificateBundle(file, parsed.format, chain, key, warnings);
    }

    private static String name(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }

    private static String describe(PrivateKey key) {
        if (key instanceof RSAPrivateCrtKey) {
            return "RSA " + ((RSAPrivateCrtKey) key).getModulus().bitLength() + "-bit";
        }
        return key.getAlgorithm();
    }

    private static List<X509Certificate> distinct(List<X509Certificate> certificates) {
        List<X509Certificate> out = new ArrayList<>();
        for (X509Certificate certificate : certificates) {
            if (!out.contains(certificate)) {
                out.add(certificate);
            }
        }
        return out;
    }

    private static List<PrivateKey> distinctKeys(List<PrivateKey> keys) {
        List<PrivateKey> out = new ArrayList<>();
        for (PrivateKey key : keys) {
            boolean seen = false;
            for (PrivateKey other : out) {
                seen |= Arrays.equals(key.getEncoded(), other.getEncoded());
            }
            if (!seen) {
                out.add(key);
            }
        }
        return out;
    }

    /** Certificates that issued none of the others, in file order; never empty for a non-empty input. */
    private static List<X509Certificate> leafCandidates(List<X509Certificate> certificates) {
        List<X509Certificate> candidates = new ArrayList<>();
        for (X509Certificate certificate : certificates) {
            boolean issuer = false;
            for (X509Certificate other : certificates) {
                if (other != certificate && issued(certificate, other)) {
                    issuer = true;
                    break;
                }
            }
            if (!issuer) {
                candidates.add(certificate);
            }
        }
        if (candidates.isEmpty()) {
            candidates.add(certificates.get(0));
        }
        return candidates;
    }

    private static List<X509Certificate> chainFrom(X509Certificate leaf, List<X509Certificate> certificates) {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(leaf);
        X509Certificate current = leaf;
        while (!selfIssued(current)) {
            X509Certificate next = null;
            for (X509Certificate candidate : certificates) {
                if (!chain.contains(candidate) && issued(candidate, current)) {
                    next = candidate;
                    break;
                }
            }
            if (next == null) {
                break;
            }
            chain.add(next);
            current = next;
        }
        return chain;
    }

    private static boolean isInFileOrder(List<X509Certificate> chain, List<X509Certificate> certificates) {
        int last = -1;
        for (X509Certificate certificate : chain) {
            int index = certificates.indexOf(certificate);
            if (index < last) {
                return false;
            }
            last = index;
        }
        return true;
    }

    private static boolean selfIssued(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal());
    }

    /** True when {@code issuer} signed {@code subject}: names chain and the signature verifies. */
    private static boolean issued(X509Certificate issuer, X509Certificate subject) {
        if (!issuer.getSubjectX500Principal().equals(subject.getIssuerX500Principal())) {
            return false;
        }
        try {
            subject.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** True when {@code key} is the private half of {@code publicKey}: a signature made with it verifies. */
    public static boolean keyMatches(PrivateKey key, PublicKey publicKey) {
        if (key instanceof RSAPrivateCrtKey && publicKey instanceof RSAPublicKey) {
            return ((RSAPrivateCrtKey) key).getModulus().equals(((RSAPublicKey) publicKey).getModulus());
        }
        String algorithm = signatureAlgorithm(key);
        if (algorithm == null) {
            return false;
        }
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        try {
            Signature signer = signature(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signed = signer.sign();
            Signature verifier = signature(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signed);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static Signature signature(String algorithm) throws GeneralSecurityException {
        try {
            return Signature.getInstance(algorithm);
        } catch (GeneralSecurityException e) {
            return Signature.getInstance(algorithm, BC);
        }
    }

    private static String signatureAlgorithm(PrivateKey key) {
        switch (key.getAlgorithm().toUpperCase(Locale.ROOT)) {
            case "RSA":
                return "SHA256withRSA";
            case "EC":
            case "ECDSA":
                return "SHA256withECDSA";
            case "DSA":
                return "SHA256withDSA";
            case "ED25519":
            case "ED448":
            case "EDDSA":
                return key.getAlgorithm();
            default:
                return null;
        }
    }

}
