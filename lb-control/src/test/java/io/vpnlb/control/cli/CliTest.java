package io.vpnlb.control.cli;

import io.vpnlb.config.cert.CertificateFixtures;
import io.vpnlb.config.io.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CliTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int vpnlb(String... args) {
        CommandLine cli = VpnlbCommand.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void checkAcceptsAValidFileWithAOneLineSummary() throws IOException {
        Path file = Files.writeString(dir.resolve("ok.yaml"), ConfigLoader.embeddedDefaultText());

        assertThat(vpnlb("check", "--config", file.toString())).isZero();

        assertThat(out.toString().strip()).isEqualTo(
                file + ": valid (1 service(s), 2 listener port(s), 1 pool(s), 3 member(s))");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void checkListsEveryViolationAndExitsOne() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), String.join("\n",
                "services:",
                "  - name: ikev2",
                "    type: ikev2",
                "    listen: 127.0.0.1",
                "    pool: vnp",
                "    sesion-idle-timeout: 5m",
                "pools:",
                "  - name: vpn",
                "    members:",
                "      - { address: 10.0.0.300, weight: 2000 }",
                ""));

        assertThat(vpnlb("check", "--config", file.toString())).isEqualTo(1);

        String report = err.toString();
        assertThat(report).contains("services[ikev2].pool: vnp (expected:");
        assertThat(report).contains("services[ikev2].sesion-idle-timeout: ").contains("session-idle-timeout?");
        assertThat(report).contains("pools[vpn].members[0].address: 10.0.0.300 (expected:");
        assertThat(report).contains("pools[vpn].members[0].weight: 2000 (expected: 0..1000)");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void checkLoadsTheCertificatesAndReportsAWrongPassword() throws IOException {
        CertificateFixtures.Chain chain = CertificateFixtures.chain("vpn.test");
        Path pfx = CertificateFixtures.write(dir, "vpn.pfx",
                CertificateFixtures.pkcs12(chain.leaf(), chain.certificates(), "right-pass"));
        CertificateFixtures.write(dir, "right.pass", "right-pass\n");
        CertificateFixtures.write(dir, "wrong.pass", "wrong-pass\n");
        String yaml = String.join("\n",
                "services:",
                "  - name: sstp",
                "    type: sstp",
                "    ports: [\"443:80\"]",
                "    pool: vpn",
                "    tls: { mode: terminate, certificate: " + pfx + ", password-file: " + dir.resolve("%s") + " }",
                "pools:",
                "  - { name: vpn, members: [ { address: 10.0.0.11 } ] }",
                "");
        Path good = Files.writeString(dir.resolve("good.yaml"), yaml.formatted("right.pass"));
        Path wrong = Files.writeString(dir.resolve("wrong.yaml"), yaml.formatted("wrong.pass"));

        assertThat(vpnlb("check", "--config", good.toString())).isZero();
        assertThat(vpnlb("check", "--config", wrong.toString())).isEqualTo(1);

        assertThat(err.toString()).contains(wrong + ": 1 violation(s):")
                .contains("services[sstp]: service sstp: tls.certificate: " + pfx + ": wrong password")
                .doesNotContain("right-pass").doesNotContain("wrong-pass");
    }

    @Test
    void checkExitsTwoWhenTheFileIsMissingOrNotYaml() throws IOException {
        Path missing = dir.resolve("missing.yaml");
        assertThat(vpnlb("check", "--config", missing.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("missing.yaml");

        Path garbage = Files.writeString(dir.resolve("garbage.yaml"), "services: [ {name: x\n  - : :\n");
        err.getBuffer().setLength(0);
        assertThat(vpnlb("check", "--config", garbage.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("garbage.yaml").contains("line");
    }

    @Test
    void runFailsWithOneLineNamingAListenerThatCannotBeBound() throws IOException {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int port = taken.getLocalPort();
            Path file = Files.writeString(dir.resolve("taken.yaml"), String.join("\n",
                    "transport: nio",
                    "services:",
                    "  - name: ikev2",
                    "    type: ikev2",
                    "    listen: 127.0.0.1",
                    "    ports: [\"" + port + ":500\", \"" + (port == 65535 ? port - 1 : port + 1) + ":4500\"]",
                    "    pool: vpn",
                    "pools:",
                    "  - name: vpn",
                    "    members:",
                    "      - { address: 127.0.1.1 }",
                    ""));

            assertThat(vpnlb("run", "--config", file.toString())).isEqualTo(1);

            assertThat(err.toString().strip())
                    .startsWith("vpnlb: service ikev2: cannot bind UDP 127.0.0.1:" + port + ": ")
                    .contains("another process holds this port")
                    .doesNotContain("\n");
        }
    }

    @Test
    void runRefusesATlsServiceWhoseCertificateCannotBeImported() throws IOException {
        Path missing = dir.resolve("missing.pem");
        Path file = Files.writeString(dir.resolve("sstp.yaml"), String.join("\n",
                "services:",
                "  - name: sstp",
                "    type: sstp",
                "    listen: 127.0.0.1",
                "    ports: [10443]",
                "    pool: vpn",
                "    tls: { mode: terminate, certificate: " + missing + " }",
                "pools:",
                "  - name: vpn",
                "    members:",
                "      - { address: 127.0.1.1, port: 80 }",
                ""));

        assertThat(vpnlb("run", "--config", file.toString())).isEqualTo(1);

        assertThat(err.toString().strip())
                .isEqualTo("vpnlb: service sstp: tls.certificate: " + missing + ": no such certificate file");
    }
}
