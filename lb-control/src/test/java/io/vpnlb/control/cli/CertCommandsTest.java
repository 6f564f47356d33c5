package io.vpnlb.control.cli;

import io.vpnlb.config.cert.CertificateBundle;
import io.vpnlb.config.cert.CertificateFixtures;
import io.vpnlb.config.cert.CertificateFixtures.Chain;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class CertCommandsTest {

    private static Chain chain;

    @TempDir
    Path dir;

    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    @BeforeAll
    static void makeChain() {
        chain = CertificateFixtures.chain("vpn.test");
    }

    private int vpnlb(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cli = VpnlbCommand.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void certHashPrintsPlainHexAndTheRrasForms() throws Exception {
        Path pfx = CertificateFixtures.write(dir, "vpn.pfx",
                CertificateFixtures.pkcs12(chain.leaf(), chain.certificates(), "pw"));
        Path pass = CertificateFixtures.write(dir, "vpn.pfx.pass", "pw\n");
        byte[] der = chain.leaf().certificate().getEncoded();
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        String sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(der));

        assertThat(vpnlb("cert-hash", pfx.toString(), "--password-file", pass.toString())).isZero();

        String text = out.toString();
        assertThat(text).contains("file:        " + pfx + " (PKCS#12, chain of 3, private key present and matching)")
                .contains("subject:     CN=vpn.test,O=vpnlb tests")
                .contains("SANs:        DNS:vpn.test, DNS:sstp.vpn.test, IP:127.0.0.1")
                .contains("SHA-1:       " + sha1 + "\n")
                .contains("SHA-256:     " + sha256 + "\n")
                .contains("  Enable-SSTPOffload -CertificateHash \"" + sha256.toUpperCase() + "\" -UseHttp $true\n")
                .contains("  reg add \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\SstpSvc\\Parameters\" /v "
                        + "SHA256CertificateHash /t REG_BINARY /d " + sha256.toUpperCase() + " /f\n")
                .contains("SHA1CertificateHash /t REG_BINARY /d " + sha1.toUpperCase() + " /f\n")
                .contains("  \"SHA256CertificateHash\"=hex:" + sha256.replaceAll("(..)(?!$)", "$1,") + "\n");
        assertThat(text).doesNotContainIgnoringCase("PRIVATE KEY-----");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void certHashOfACerFileWithoutKeyAndOfBrokenFiles() throws Exception {
        Path cer = CertificateFixtures.write(dir, "vpn.cer", chain.leaf().certificate().getEncoded());
        assertThat(vpnlb("cert-hash", cer.toString())).isZero();
        assertThat(out.toString()).contains("(DER, chain of 1, no private key)");

        Path pfx = CertificateFixtures.write(dir, "vpn.pfx",
                CertificateFixtures.pkcs12(chain.leaf(), chain.certificates(), "pw"));
        Path wrong = CertificateFixtures.write(dir, "wrong.pass", "nope\n");
        assertThat(vpnlb("cert-hash", pfx.toString(), "--password-file", wrong.toString())).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo(
                "vpnlb: " + pfx + ": wrong password (from " + wrong + ") for the PKCS#12 file");

        assertThat(vpnlb("cert-hash", dir.resolve("nope.pem").toString())).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("vpnlb: " + dir.resolve("nope.pem") + ": no such certificate file");
    }

    @Test
    void certConvertPemToPfxToDerKeepsTheLeafHash() throws Exception {
        Path pem = CertificateFixtures.pemFile(dir, "vpn.pem", chain);
        Path pass = CertificateFixtures.write(dir, "out.pass", "secret\n");
        Path pfx = dir.resolve("vpn.pfx");
        assertThat(vpnlb("cert-convert", pem.toString(), pfx.toString(), "--out-password-file", pass.toString()))
                .as(err.toString()).isZero();
        assertThat(out.toString().strip()).isEqualTo(
                pem + " -> " + pfx + " (PKCS#12): CN=vpn.test,O=vpnlb tests, chain of 2, private key (encrypted)");

        Path der = dir.resolve("leaf.der");
        assertThat(vpnlb("cert-convert", pfx.toString(), der.toString(), "--password-file", pass.toString())).isZero();
        assertThat(out.toString()).contains("note: DER holds one certificate: the 1 issuer certificate(s) were not "
                + "written");
        assertThat(Files.readAllBytes(der)).isEqualTo(chain.leaf().certificate().getEncoded());

        assertThat(vpnlb("cert-convert", pem.toString(), dir.resolve("x.pfx").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("a PKCS#12 file needs a password: give --out-password-file");
        assertThat(vpnlb("cert-convert", pem.toString(), dir.resolve("x.txt").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("unknown output extension");

        Path mismatch = CertificateFixtures.write(dir, "mismatch.pem", CertificateFixtures.pem(
                chain.leaf().certificate(), CertificateFixtures.rsa().getPrivate()));
        assertThat(vpnlb("cert-convert", mismatch.toString(), dir.resolve("y.pem").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("does not match the certificate CN=vpn.test,O=vpnlb tests");
        assertThat(CertificateBundle.upperHex(new byte[] {(byte) 0xab})).isEqualTo("AB");
    }
}
