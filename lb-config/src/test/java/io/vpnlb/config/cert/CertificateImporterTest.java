package io.vpnlb.config.cert;

import io.vpnlb.config.cert.CertificateFixtures.Chain;
import io.vpnlb.config.cert.CertificateImporter.Options;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.vpnlb.config.cert.CertificateFixtures.pem;
import static io.vpnlb.config.cert.CertificateFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CertificateImporterTest {

    private static Chain chain;

    @TempDir
    Path dir;

    @BeforeAll
    static void makeChain() {
        chain = CertificateFixtures.chain("vpn.test");
    }

    private static Options tls() {
        return Options.forTls();
    }

    private Path password(String password) {
        return write(dir, "pass-" + password.hashCode(), password + "\n");
    }

    private void assertFullChain(CertificateBundle bundle) {
        assertThat(bundle.chain()).containsExactly(chain.leaf().certificate(), chain.intermediate().certificate(),
                chain.root().certificate());
    }

    @Test
    void pemWithChainAndPkcs8KeyImportsInOrderWithKey() throws Exception {
        Path file = write(dir, "vpn.pem", pem(chain.leaf().certificate(), chain.intermediate().certificate(),
                chain.root().certificate(), chain.leaf().keys().getPrivate()));
        CertificateBundle bundle = CertificateImporter.load(file, null, tls());
        assertThat(bundle.format()).isEqualTo(CertificateFormat.PEM);
        assertFullChain(bundle);
        assertThat(bundle.hasKey()).isTrue();
        assertThat(bundle.warnings()).isEmpty();
        assertThat(bundle.subject()).isEqualTo("CN=vpn.test,O=vpnlb tests");
        assertThat(bundle.subjectAlternativeNames()).containsExactly("DNS:vpn.test", "DNS:sstp.vpn.test",
                "IP:127.0.0.1");
        assertThat(bundle.sha256()).isEqualTo(
                MessageDigest.getInstance("SHA-256").digest(chain.leaf().certificate().getEncoded()));
        assertThat(bundle.sha1()).hasSize(20);
    }

    @Test
    void pemWithPkcs1RsaKeyAndSec1EcKey() throws Exception {
        Path rsa = write(dir, "pkcs1.pem", pem(chain.leaf().keys(), chain.leaf().certificate()));
        assertThat(Files.readString(rsa)).contains("BEGIN RSA PRIVATE KEY");
        assertThat(CertificateImporter.load(rsa, null, tls()).hasKey()).isTrue();

    }

    @Test
    void opensslSec1EcKeyAndSelfSignedCertificate() throws Exception {
        assumeTrue(onPath("openssl"), "openssl is not installed");
        Path key = dir.resolve("ec.key");
        Path cert = dir.resolve("ec.crt");
        run("openssl", "ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", key.toString());
        run("openssl", "req", "-x509", "-key", key.toString(), "-out", cert.toString(), "-days", "5", "-subj",
                "/CN=ec.test", "-addext", "subjectAltName=DNS:ec.test");
        assertThat(Files.readString(key)).contains("BEGIN EC PRIVATE KEY");
        Path combined = write(dir, "ec.pem", Files.readString(key) + Files.readString(cert));
        CertificateBundle bundle = CertificateImporter.load(combined, null, tls());
        assertThat(bundle.key().getAlgorithm()).isEqualTo("EC");
        assertThat(bundle.subject()).isEqualTo("CN=ec.test");
        assertThat(bundle.subjectAlternativeNames()).containsExactly("DNS:ec.test");
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    @Test
    void chainOutOfOrderIsPutInOrderAndSaysSo() throws Exception {
        Path file = write(dir, "shuffled.pem", pem(chain.leaf().keys().getPrivate(), chain.root().certificate(),
                chain.leaf().certificate(), chain.intermediate().certificate()));
        CertificateBundle bundle = CertificateImporter.load(file, null, tls());
        assertFullChain(bundle);
        assertThat(bundle.warnings()).containsExactly(
                "the chain was out of order in the file; it was put in order (leaf, then each issuer)");
    }

    @Test
    void unrelatedCertificateIsLeftOutWithAWarning() throws Exception {
        CertificateFixtures.Issued stranger = CertificateFixtures.selfSigned("stranger.test");
        Path file = write(dir, "extra.pem", pem(chain.leaf().certificate(), stranger.certificate(),
                chain.leaf().keys().getPrivate()));
        CertificateBundle bundle = CertificateImporter.load(file, null, tls());
        assertThat(bundle.chain()).containsExactly(chain.leaf().certificate());
        assertThat(bundle.warnings()).containsExactly(
                "certificate CN=stranger.test is not in the chain of CN=vpn.test,O=vpnlb tests; it was left out");
    }

    @Test
    void encryptedPkcs8KeyNeedsTheRightPassword() throws Exception {
        Path file = write(dir, "enc.pem", pem(chain.leaf().certificate())
                + CertificateFixtures.encryptedPkcs8(chain.leaf().keys().getPrivate(), "s3cret"));
        assertThat(CertificateImporter.load(file, password("s3cret"), tls()).hasKey()).isTrue();

        Path wrong = password("nope");
        assertThatThrownBy(() -> CertificateImporter.load(file, wrong, tls()))
                .isInstanceOf(CertificateException.class)
                .hasMessage(file + ": wrong password (from " + wrong + ") for the encrypted private key")
                .extracting(e -> ((CertificateException) e).problem()).isEqualTo(CertificateProblem.WRONG_PASSWORD);
        assertThatThrownBy(() -> CertificateImporter.load(file, null, tls()))
                .hasMessage(file + ": the private key (encrypted PKCS#8) is encrypted: give its password file "
                        + "(tls.password-file, or --password-file)")
                .extracting(e -> ((CertificateException) e).problem())
                .isEqualTo(CertificateProblem.PASSWORD_REQUIRED);
    }

    @Test
    void derAndBase64CerFiles() throws Exception {
        byte[] der = chain.leaf().certificate().getEncoded();
        CertificateBundle binary = CertificateImporter.load(write(dir, "vpn.cer", der), null, Options.inspect());
        assertThat(binary.format()).isEqualTo(CertificateFormat.DER);
        assertThat(binary.leaf()).isEqualTo(chain.leaf().certificate());
        assertThat(binary.hasKey()).isFalse();

        String base64 = Base64.getMimeEncoder(64, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        CertificateBundle bare = CertificateImporter.load(write(dir, "bare.cer", base64 + "\r\n"), null,
                Options.inspect());
        assertThat(bare.format()).isEqualTo(CertificateFormat.BASE64_DER);
        assertThat(bare.leaf()).isEqualTo(chain.leaf().certificate());

        CertificateBundle armoured = CertificateImporter.load(write(dir, "vpn.crt",
                pem(chain.leaf().certificate())), null, Options.inspect());
        assertThat(armoured.format()).isEqualTo(CertificateFormat.PEM);
    }

    @Test
    void pfxWithPasswordFile() throws Exception {
        Path pfx = write(dir, "vpn.pfx", CertificateFixtures.pkcs12(chain.leaf(), chain.certificates(), "pfx-pass"));
        CertificateBundle bundle = CertificateImporter.load(pfx, password("pfx-pass"), tls());
        assertThat(bundle.format()).isEqualTo(CertificateFormat.PKCS12);
        assertFullChain(bundle);
        assertThat(bundle.hasKey()).isTrue();

        Path wrong = password("wrong");
        assertThatThrownBy(() -> CertificateImporter.load(pfx, wrong, tls()))
                .hasMessage(pfx + ": wrong password (from " + wrong + ") for the PKCS#12 file")
                .extracting(e -> ((CertificateException) e).problem()).isEqualTo(CertificateProblem.WRONG_PASSWORD);
        assertThatThrownBy(() -> CertificateImporter.load(pfx, null, tls()))
                .hasMessage(pfx + ": the PKCS#12 file is protected by a password: give its password file "
                        + "(tls.password-file, or --password-file)");
    }

    @Test
    void pfxMadeByOpensslModernAndLegacy() throws Exception {
        assumeTrue(onPath("openssl"), "openssl is not installed");
        Path pem = CertificateFixtures.pemFile(dir, "in.pem", chain);
        for (String legacy : new String[] {"", "-legacy"}) {
            Path pfx = dir.resolve("openssl" + legacy + ".pfx");
            List<String> command = new java.util.ArrayList<>(List.of("openssl", "pkcs12", "-export", "-in",
                    pem.toString(), "-out", pfx.toString(), "-passout", "pass:abc"));
            if (!legacy.isEmpty()) {
                command.add(legacy);
            }
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            if (process.exitValue() != 0 && !legacy.isEmpty()) {
                continue; // OpenSSL without the legacy provider
            }
            assertThat(process.exitValue()).as(output).isZero();
            CertificateBundle bundle = CertificateImporter.load(pfx, password("abc"), tls());
            assertThat(bundle.leaf()).isEqualTo(chain.leaf().certificate());
            assertThat(bundle.hasKey()).isTrue();
        }
    }

    @Test
    void keyOfAnotherCertificateIsAMismatch() throws Exception {
        Path file = write(dir, "mismatch.pem", pem(chain.leaf().certificate(), chain.intermediate().certificate(),
                CertificateFixtures.rsa().getPrivate()));
        assertThatThrownBy(() -> CertificateImporter.load(file, null, tls()))
                .hasMessage(file + ": the private key (RSA 2048-bit) does not match the certificate "
                        + "CN=vpn.test,O=vpnlb tests nor any other certificate in the file: the key belongs to "
                        + "another certificate")
                .extracting(e -> ((CertificateException) e).problem()).isEqualTo(CertificateProblem.KEY_MISMATCH);
    }

    @Test
    void expiredAndNotYetValid() throws Exception {
        Instant now = Instant.now();
        Chain old = CertificateFixtures.chain("old.test", now.minus(Duration.ofDays(40)),
                now.minus(Duration.ofDays(10)), CertificateFixtures.rsa());
        Path file = CertificateFixtures.pemFile(dir, "old.pem", old);
        assertThatThrownBy(() -> CertificateImporter.load(file, null, tls()))
                .hasMessageStartingWith(file + ": the certificate CN=old.test,O=vpnlb tests expired on ")
                .hasMessageEndingWith("(10 day(s) ago); renew it")
                .extracting(e -> ((CertificateException) e).problem()).isEqualTo(CertificateProblem.EXPIRED);
        assertThat(CertificateImporter.load(file, null, Options.inspect()).expiredAt(now)).isTrue();

        Chain future = CertificateFixtures.chain("future.test", now.plus(Duration.ofDays(2)),
                now.plus(Duration.ofDays(40)), CertificateFixtures.rsa());
        Path later = CertificateFixtures.pemFile(dir, "future.pem", future);
        assertThatThrownBy(() -> CertificateImporter.load(later, null, tls()))
                .extracting(e -> ((CertificateException) e).problem()).isEqualTo(CertificateProblem.NOT_YET_VALID);
    }

    @Test
    void certificateWithoutKeyWhenTheKeyIsNeeded() {
        Path file = write(dir, "nokey.pem", pem(chain.leaf().certificate()));
        assertThatThrownBy(() -> CertificateImporter.load(file, null, tls()))
                .hasMessage(file + ": has the certificate CN=vpn.test,O=vpnlb tests but no private key; TLS "
                        + "termination needs it: export the .pfx with its private key, or add the key to the PEM file")
                .extracting(e -> ((CertificateException) e).problem()).isEqualTo(CertificateProblem.NO_PRIVATE_KEY);
    }

    @Test
    void thingsThatAreNotCertificatesSayWhatTheyAre() throws Exception {
        Path keyOnly = write(dir, "key.pem", pem(chain.leaf().keys().getPrivate()));
        assertThatThrownBy(() -> CertificateImporter.load(keyOnly, null, Options.inspect()))
                .hasMessage(keyOnly + ": not a certificate: the file holds a private key but no certificate (put "
                        + "the certificate and its chain in the same file)")
                .extracting(e -> ((CertificateException) e).problem())
                .isEqualTo(CertificateProblem.NOT_A_CERTIFICATE);

        Path derKey = write(dir, "key.der", chain.leaf().keys().getPrivate().getEncoded());
        assertThatThrownBy(() -> CertificateImporter.load(derKey, null, Options.inspect()))
                .hasMessage(derKey + ": not a certificate: the file holds a private key (PKCS#8 DER) without a "
                        + "certificate");

        Path text = write(dir, "readme.cer", "hello, this is not a certificate\n");
        assertThatThrownBy(() -> CertificateImporter.load(text, null, Options.inspect()))
                .hasMessage(text + ": not a certificate file: text without a '-----BEGIN CERTIFICATE-----' line "
                        + "and not Base-64 DER")
                .extracting(e -> ((CertificateException) e).problem()).isEqualTo(CertificateProblem.UNKNOWN_FORMAT);

        Path binary = write(dir, "junk.pfx", new byte[] {1, 2, 3, 0, (byte) 0xff});
        assertThatThrownBy(() -> CertificateImporter.load(binary, null, Options.inspect()))
                .hasMessage(binary + ": not a certificate file: binary data that is neither DER (X.509, PKCS#7) "
                        + "nor PKCS#12 (.pfx)");

        Path empty = write(dir, "empty.pem", new byte[0]);
        assertThatThrownBy(() -> CertificateImporter.load(empty, null, Options.inspect()))
                .hasMessage(empty + ": the file is empty");

        Path damaged = write(dir, "damaged.pem", "-----BEGIN CERTIFICATE-----\nMIIB!!!notbase64\n"
                + "-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> CertificateImporter.load(damaged, null, Options.inspect()))
                .hasMessageStartingWith(damaged + ": PEM block 1 cannot be decoded");

        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> CertificateImporter.load(missing, null, Options.inspect()))
                .hasMessage(missing + ": no such certificate file")
                .extracting(e -> ((CertificateException) e).problem()).isEqualTo(CertificateProblem.UNREADABLE);
        Path pem = CertificateFixtures.pemFile(dir, "ok.pem", chain);
        Path noPass = dir.resolve("nopass");
        assertThatThrownBy(() -> CertificateImporter.load(pem, noPass, Options.inspect()))
                .hasMessage(noPass + ": no such password file");
    }

    @Test
    void messagesNeverContainKeyMaterialAndToStringHidesTheKey() throws Exception {
        Path file = CertificateFixtures.pemFile(dir, "ok.pem", chain);
        CertificateBundle bundle = CertificateImporter.load(file, null, tls());
        String encodedKey = Base64.getEncoder().encodeToString(chain.leaf().keys().getPrivate().getEncoded());
        assertThat(bundle.toString()).doesNotContain(encodedKey.substring(40, 80))
                .isEqualTo(file + " (PEM, CN=vpn.test,O=vpnlb tests, chain of 2, private key RSA)");
    }

    @Test
    void convertsBetweenFormatsKeepingChainAndKey() throws Exception {
        Path pem = write(dir, "vpn.pem", pem(chain.leaf().certificate(), chain.intermediate().certificate(),
                chain.root().certificate(), chain.leaf().keys().getPrivate()));
        CertificateBundle bundle = CertificateImporter.load(pem, null, tls());

        Path pfx = dir.resolve("out.pfx");
        assertThat(CertificateWriter.write(bundle, pfx, CertificateFormat.PKCS12, "pw".toCharArray())).isEmpty();
        CertificateBundle fromPfx = CertificateImporter.load(pfx, password("pw"), tls());
        assertFullChain(fromPfx);
        assertThat(Files.getPosixFilePermissions(pfx)).hasSize(2);

        Path backToPem = dir.resolve("back.pem");
        CertificateWriter.write(fromPfx, backToPem, CertificateFormat.PEM, null);
        assertFullChain(CertificateImporter.load(backToPem, null, tls()));

        Path encrypted = dir.resolve("enc.pem");
        CertificateWriter.write(fromPfx, encrypted, CertificateFormat.PEM, "pw".toCharArray());
        assertThat(Files.readString(encrypted)).contains("BEGIN ENCRYPTED PRIVATE KEY");
        assertThat(CertificateImporter.load(encrypted, password("pw"), tls()).hasKey()).isTrue();

        Path der = dir.resolve("leaf.cer");
        assertThat(CertificateWriter.write(bundle, der, CertificateFormat.DER, null)).containsExactly(
                "DER holds one certificate: the 2 issuer certificate(s) were not written (use .pem or .pfx to keep "
                        + "the chain)",
                "DER holds no private key: the key was not written (use .pem or .pfx to keep it)");
        assertThat(Files.readAllBytes(der)).isEqualTo(chain.leaf().certificate().getEncoded());

        assertThatThrownBy(() -> CertificateWriter.write(bundle, dir.resolve("x.pfx"), CertificateFormat.PKCS12, null))
                .extracting(e -> ((CertificateException) e).problem()).isEqualTo(CertificateProblem.OUTPUT);
    }

    private static boolean onPath(String command) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(entry, command))) {
                return true;
            }
        }
        return false;
    }
}
