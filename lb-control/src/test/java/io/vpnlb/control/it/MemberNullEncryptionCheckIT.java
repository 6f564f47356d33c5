package io.vpnlb.control.it;

import io.vpnlb.config.cert.CertificateFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vpnlb check} and {@code vpnlb run} on an ip-https service in reencrypt mode, whose members are offered
 * NULL-encryption suites by default: they pass where the JDK's TLS provider can offer them (vpnlb lifts the
 * {@code NULL} entry of jdk.tls.disabledAlgorithms as it starts), and fail with the violation where a hardened
 * java.security disables the suites by name, as on a host whose provider has none.
 */
class MemberNullEncryptionCheckIT {

    private static final String VIOLATION = "services[da].tls.member-null-encryption: true (the default for ip-https "
            + "in tls mode reencrypt) (expected: false here: the TLS provider does not offer NULL-encryption cipher "
            + "suites (";

    @TempDir
    Path dir;

    private Path config(String tlsExtra) throws Exception {
        // vpnlb check loads the certificates: real files, made at test time.
        CertificateFixtures.Chain chain = CertificateFixtures.chain("da.vpn.test");
        CertificateFixtures.pemFile(dir, "da.pem", chain);
        CertificateFixtures.write(dir, "ca.pem", CertificateFixtures.pem(chain.root().certificate()));
        return Files.writeString(dir.resolve("da.yaml"), String.join("\n",
                "services:",
                "  - name: da",
                "    type: ip-https",
                "    listen: 127.0.0.1",
                "    ports: [443]",                  // never bound: check binds nothing, run stops before
                "    pool: da",
                "    tls: { mode: reencrypt, certificate: " + dir.resolve("da.pem") + ", client-ca: "
                        + dir.resolve("ca.pem") + tlsExtra + " }",
                "pools:",
                "  - { name: da, members: [ { address: 127.0.1.1 } ] }",
                ""));
    }

    /** Runs vpnlb.jar with {@code args}, optionally with a hardened java.security; returns exit code and stderr. */
    private List<String> vpnlb(boolean hardened, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        if (hardened) {
            Path security = Files.writeString(dir.resolve("hardened.security"), "jdk.tls.disabledAlgorithms="
                    + "SSLv3, TLSv1, TLSv1.1, RC4, DES, MD5withRSA, anon, NULL, TLS_ECDHE_RSA_WITH_NULL_SHA, "
                    + "TLS_ECDHE_ECDSA_WITH_NULL_SHA, TLS_RSA_WITH_NULL_SHA256, SSL_RSA_WITH_NULL_SHA\n");
            command.add("-Djava.security.properties=" + security);
        }
        command.addAll(List.of("-jar", Path.of("target", "vpnlb.jar").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("vpnlb exits").isTrue();
        return List.of(Integer.toString(process.exitValue()), stderr);
    }

    @Test
    void passesWhereTheJdkOffersNullSuitesAndFailsWithTheViolationWhereItDoesNot() throws Exception {
        Path config = config("");
        List<String> plain = vpnlb(false, "check", "--config", config.toString());
        assertThat(plain.get(0)).as(plain.get(1)).isEqualTo("0");

        List<String> check = vpnlb(true, "check", "--config", config.toString());
        assertThat(check.get(0)).isEqualTo("1");
        assertThat(check.get(1)).contains("1 violation(s) on this host:").contains(VIOLATION)
                .contains("; set tls.member-null-encryption: false)");

        List<String> run = vpnlb(true, "run", "--config", config.toString());
        assertThat(run.get(0)).isEqualTo("1");
        assertThat(run.get(1).lines().filter(line -> line.startsWith("vpnlb:")).toList()).singleElement()
                .asString().startsWith("vpnlb: " + VIOLATION);

        Path off = config(", member-null-encryption: false");
        List<String> offCheck = vpnlb(true, "check", "--config", off.toString());
        assertThat(offCheck.get(0)).as(offCheck.get(1)).isEqualTo("0");
    }
}
