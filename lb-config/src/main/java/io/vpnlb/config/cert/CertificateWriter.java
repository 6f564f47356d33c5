package io.vpnlb.config.cert;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OutputEncryptor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** Writes an imported bundle as PEM, DER or PKCS#12 ({@code vpnlb cert-convert}). */
public final class CertificateWriter {

    private CertificateWriter() {
    }

    /**
     * Writes {@code bundle} to {@code out}. A file holding a private key is created with mode 0600.
     *
     * @param password for PKCS#12 (required) and to encrypt the key in PEM (optional: {@code null} writes an
     *                 unencrypted PKCS#8 key)
     * @return what the output does not hold, one sentence each (DER holds one certificate and no key)
     */
    public static List<String> write(CertificateBundle bundle, Path out, CertificateFormat format, char[] password)
            throws CertificateException {
        List<String> notes = new ArrayList<>();
        byte[] bytes;
        try {
            switch (format) {
                case PEM:
                case BASE64_DER:
                    bytes = pem(bundle, password);
                    break;
                case DER:
                    bytes = bundle.leaf().getEncoded();
                    if (bundle.chain().size() > 1) {
                        notes.add("DER holds one certificate: the " + (bundle.chain().size() - 1)
                                + " issuer certificate(s) were not written (use .pem or .pfx to keep the chain)");
                    }
                    if (bundle.hasKey()) {
                        notes.add("DER holds no private key: the key was not written (use .pem or .pfx to keep it)");
                    }
                    break;
                case PKCS12:
                    if (password == null || password.length == 0) {
                        throw new CertificateException(out, CertificateProblem.OUTPUT,
                                "a PKCS#12 file needs a password: give --out-password-file (or --password-file)");
                    }
                    bytes = pkcs12(bundle, password);
                    if (!bundle.hasKey()) {
                        notes.add("the input had no private key: the .pfx holds certificates only");
                    }
                    break;
                default:
                    throw new IllegalArgumentException(format.name());
            }
        } catch (GeneralSecurityException | IOException e) {
            throw new CertificateException(out, CertificateProblem.OUTPUT, "cannot encode: " + e.getMessage(), e);
        }
        writeFile(out, bytes, bundle.hasKey() && format != CertificateFormat.DER);
        return notes;
    }

    private static byte[] pem(CertificateBundle bundle, char[] password) throws IOException, GeneralSecurityException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (JcaPEMWriter writer = new JcaPEMWriter(new OutputStreamWriter(buffer, StandardCharsets.US_ASCII))) {
            for (X509Certificate certificate : bundle.chain()) {
                writer.writeObject(certificate);
            }
            if (bundle.hasKey()) {
                OutputEncryptor encryptor = null;
                if (password != null && password.length > 0) {
                    try {
                        encryptor = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                                .setProvider(CertificateImporter.bouncyCastle()).setPassword(password).build();
                    } catch (org.bouncycastle.operator.OperatorCreationException e) {
                        throw new GeneralSecurityException(e.getMessage(), e);
                    }
                }
                writer.writeObject(new JcaPKCS8Generator(bundle.key(), encryptor));
            }
        }
        return buffer.toByteArray();
    }

    private static byte[] pkcs12(CertificateBundle bundle, char[] password)
            throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        if (bundle.hasKey()) {
            store.setKeyEntry("vpnlb", bundle.key(), password, bundle.chain().toArray(new Certificate[0]));
        } else {
            for (int i = 0; i < bundle.chain().size(); i++) {
                store.setCertificateEntry("certificate-" + i, bundle.chain().get(i));
            }
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        store.store(buffer, password);
        return buffer.toByteArray();
    }

    private static void writeFile(Path out, byte[] bytes, boolean secret) throws CertificateException {
        try {
            Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            if (secret) {
                try {
                    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException e) {
                    Files.createFile(tmp);
                }
            }
            Files.write(tmp, bytes, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
            Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CertificateException(out, CertificateProblem.OUTPUT, "cannot write: " + e, e);
        }
    }
}
