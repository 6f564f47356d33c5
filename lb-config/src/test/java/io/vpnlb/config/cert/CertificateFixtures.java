package io.vpnlb.config.cert;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Certificates made at test time (no private key is ever committed): a root CA, an intermediate and leaf
 * certificates, with writers for every file format vpnlb imports. Shared with the other modules' tests through
 * lb-config's test jar.
 */
public final class CertificateFixtures {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate and its key pair. */
    public record Issued(X509Certificate certificate, KeyPair keys) {
    }

    /** Root, intermediate and a leaf for {@code vpn.test} (SANs DNS:vpn.test, DNS:sstp.vpn.test, IP:127.0.0.1). */
    public record Chain(Issued root, Issued intermediate, Issued leaf) {

        public List<X509Certificate> certificates() {
            return List.of(leaf.certificate(), intermediate.certificate(), root.certificate());
        }
    }

    private CertificateFixtures() {
    }

    public static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair ec() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static Chain chain(String cn) {
        Instant now = Instant.now();
        return chain(cn, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), rsa());
    }

    public static Chain chain(String cn, Instant notBefore, Instant notAfter, KeyPair leafKeys) {
        Issued root = issue("CN=vpnlb test root " + cn, null, rsa(), notBefore.minus(Duration.ofDays(1)),
                notAfter.plus(Duration.ofDays(365)), true, new String[0]);
        Issued intermediate = issue("CN=vpnlb test intermediate " + cn, root, rsa(),
                notBefore.minus(Duration.ofDays(1)), notAfter.plus(Duration.ofDays(180)), true, new String[0]);
        Issued leaf = issue("O=vpnlb tests,CN=" + cn, intermediate, leafKeys, notBefore, notAfter, false,
                new String[] {cn, "sstp." + cn, "127.0.0.1"});
        return new Chain(root, intermediate, leaf);
    }

    /** A self-signed leaf (what an interception proxy or a lab server presents). */
    public static Issued selfSigned(String cn) {
        Instant now = Instant.now();
        return issue("CN=" + cn, null, rsa(), now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), false,
                new String[] {cn, "127.0.0.1"});
    }

    public static Issued issue(String subject, Issued issuer, KeyPair keys, Instant notBefore, Instant notAfter,
                               boolean ca, String[] sans) {
        try {
            X500Name subjectName = new X500Name(subject);
            X500Name issuerName = issuer == null ? subjectName
                    : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter),
                    subjectName, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (sans.length > 0) {
                GeneralName[] names = new GeneralName[sans.length];
                for (int i = 0; i < sans.length; i++) {
                    names[i] = sans[i].matches("[0-9.]+")
                            ? new GeneralName(GeneralName.iPAddress, sans[i])
                            : new GeneralName(GeneralName.dNSName, sans[i]);
                }
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            KeyPair signer = issuer == null ? keys : issuer.keys();
            String algorithm = signer.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(algorithm).build(signer.getPrivate())));
            return new Issued(certificate, keys);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** PEM text of the objects, in order: certificates, KeyPair (PKCS#1 / SEC1), PrivateKey (PKCS#8). */
    public static String pem(Object... objects) {
        try {
            StringWriter text = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
                for (Object object : objects) {
                    if (object instanceof java.security.PrivateKey) {
                        writer.writeObject(new JcaPKCS8Generator((java.security.PrivateKey) object, null));
                    } else {
                        writer.writeObject(object);
                    }
                }
            }
            return text.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An encrypted PKCS#8 PEM key (AES-256-CBC). */
    public static String encryptedPkcs8(java.security.PrivateKey key, String password) {
        try {
            StringWriter text = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
                writer.writeObject(new JcaPKCS8Generator(key, new JceOpenSSLPKCS8EncryptorBuilder(
                        JcaPKCS8Generator.AES_256_CBC).setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider()).setPassword(password.toCharArray()).build()));
            }
            return text.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] pkcs12(Issued leaf, List<X509Certificate> chain, String password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("leaf", leaf.keys().getPrivate(), password.toCharArray(),
                    chain.toArray(new Certificate[0]));
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            store.store(out, password.toCharArray());
            return out.toByteArray();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path write(Path dir, String name, String text) {
        return write(dir, name, text.getBytes(StandardCharsets.US_ASCII));
    }

    public static Path write(Path dir, String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A combined PEM file (chain then PKCS#8 key) for the chain's leaf. */
    public static Path pemFile(Path dir, String name, Chain chain) {
        return write(dir, name, pem(chain.leaf().certificate(), chain.intermediate().certificate(),
                chain.leaf().keys().getPrivate()));
    }
}
