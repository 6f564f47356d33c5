package io.vpnlb.control.api;

import io.vpnlb.config.cert.CertificateFixtures;
import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.config.io.LoadResult;
import io.vpnlb.control.Balancer;
import io.vpnlb.control.cli.VpnlbCommand;
import io.vpnlb.control.reload.ReloadResult;
import io.vpnlb.dataplane.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin endpoint over HTTPS ({@code admin.tls}) with {@code /metrics} behind the token
 * ({@code admin.metrics-token}), checked with curl verifying the chain and the name, and with the CLI pinning
 * the configured certificate.
 */
class AdminTlsIT {

    private Path dir;
    private Path configFile;
    private Path tokenFile;
    private Path caFile;
    private Balancer balancer;
    private String token;
    private int vipPort;

    @BeforeEach
    void start() throws Exception {
        Assumptions.assumeTrue(onPath("curl"), "curl is not installed (apt-get install curl); .ci/run installs it");
        dir = Files.createTempDirectory("vpnlb-admin-tls-");
        CertificateFixtures.Chain chain = CertificateFixtures.chain("vpn.test");
        CertificateFixtures.pemFile(dir, "admin.pem", chain);
        caFile = CertificateFixtures.write(dir, "ca.pem", CertificateFixtures.pem(chain.root().certificate()));
        configFile = dir.resolve("vpnlb.yaml");
        tokenFile = dir.resolve("admin.token");
        vipPort = FreePorts.udp();
        writeConfig(true);
        LoadResult loaded = ConfigLoader.load(configFile);
        assertThat(loaded.violations()).isEmpty();
        balancer = Balancer.start(loaded.config(), 1, new Balancer.Options(configFile, true));
        token = Files.readString(tokenFile).strip();
    }

    private void writeConfig(boolean metricsToken) throws IOException {
        Files.writeString(configFile, String.join("\n",
                "admin:",
                "  listen: 127.0.0.1:0",
                "  token-file: " + tokenFile,
                "  tls: { certificate: " + dir.resolve("admin.pem") + " }",
                "  metrics-token: " + metricsToken,
                "services:",
                "  - { name: ike, type: udp, listen: 127.0.0.1, ports: [" + vipPort + "], pool: vpn }",
                "pools:",
                "  - { name: vpn, members: [ { address: 127.0.1.1 } ] }",
                ""));
    }

    @AfterEach
    void stop() throws Exception {
        if (balancer != null) {
            balancer.close();
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private int port() {
        return balancer.adminAddress().getPort();
    }

    /** curl with the chain and the name verified: {@code vpn.test} resolves to the admin address. */
    private Curl curl(String path, String bearer) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20",
                "--cacert", caFile.toString(), "--resolve", "vpn.test:" + port() + ":127.0.0.1",
                "-o", "-", "-w", "\n%{http_code}"));
        if (bearer != null) {
            command.add("-H");
            command.add("Authorization: Bearer " + bearer);
        }
        command.add("https://vpn.test:" + port() + path);
        return Curl.run(command);
    }

    @Test
    void apiAndMetricsAnswerOverVerifiedTlsAndMetricsNeedTheToken() throws Exception {
        Curl health = curl("/healthz", null);
        assertThat(health.status()).as(health.stderr()).isEqualTo(200);
        assertThat(health.body()).contains("alive");
        Curl anonymous = curl("/metrics", null);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.body()).contains("missing bearer token");
        assertThat(curl("/metrics", "wrong").status()).isEqualTo(401);
        Curl metrics = curl("/metrics", token);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("vpnlb_");
        Curl pools = curl("/api/v1/pools", token);
        assertThat(pools.status()).isEqualTo(200);
        assertThat(pools.body()).contains("\"vpn\"");

        // Plain HTTP on the HTTPS port gets no HTTP answer.
        Curl plain = Curl.run(List.of("curl", "-sS", "--max-time", "20", "-o", "-", "-w", "\n%{http_code}",
                "http://127.0.0.1:" + port() + "/healthz"));
        assertThat(plain.status()).isNotEqualTo(200);
    }

    @Test
    void reloadTurnsTheMetricsTokenOffAndRefusesAnAdminTlsChange() throws Exception {
        writeConfig(false);
        assertThat(balancer.reload().outcome()).isEqualTo(ReloadResult.Outcome.APPLIED);
        assertThat(curl("/metrics", null).status()).isEqualTo(200);

        Files.writeString(configFile, Files.readString(configFile).replace("  tls: { certificate: "
                + dir.resolve("admin.pem") + " }\n", ""));
        ReloadResult refused = balancer.reload();
        assertThat(refused.outcome()).isEqualTo(ReloadResult.Outcome.REJECTED);
        assertThat(refused.violations()).singleElement().asString()
                .isEqualTo("admin.tls: removed (expected: the running admin TLS settings; changing it needs a restart)");
        assertThat(curl("/healthz", null).status()).isEqualTo(200);
    }

    @Test
    void cliPinsTheConfiguredAdminCertificate() throws Exception {
        String url = "https://127.0.0.1:" + port();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(cli(out, err, "status", "--config", configFile.toString(), "--url", url)).as(err.toString())
                .isZero();
        assertThat(out.toString()).contains("pool vpn");

        Path other = CertificateFixtures.pemFile(dir, "other.pem", CertificateFixtures.chain("other.test"));
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        assertThat(cli(out, err, "status", "--config", configFile.toString(), "--url", url, "--admin-cert",
                other.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("cannot reach the admin API at " + url,
                "not the configured admin certificate");
    }

    private static int cli(StringWriter out, StringWriter err, String... args) {
        CommandLine cli = VpnlbCommand.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** One curl run: the body, the status code curl printed last ({@code 000} when no HTTP answer), stderr. */
    record Curl(String body, int status, String stderr) {

        static Curl run(List<String> command) throws Exception {
            Process process = new ProcessBuilder(command).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String text = new String(out, StandardCharsets.UTF_8);
            int newline = text.lastIndexOf('\n');
            return new Curl(text.substring(0, newline), Integer.parseInt(text.substring(newline + 1).strip()), err);
        }
    }
}
