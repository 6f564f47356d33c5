package io.vpnlb.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The monitoring bundle: Prometheus accepts the scrape configuration and the alert rules, the rules fire as their
 * promtool unit tests say, and every metric the rules and the Grafana dashboard name is one that a running vpnlb
 * (UDP and TLS services, so every family is there) exports on /metrics.
 */
class MonitoringIT {

    /** Metric names in PromQL: vpnlb's own, and the JVM and Netty families Micrometer adds. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:vpnlb|jvm|netty|process|system)_[a-z0-9_]+)\\b");

    @TempDir
    Path dir;

    private final Path monitoring = Tools.module().resolve("monitoring");

    @Test
    void prometheusAcceptsTheScrapeConfigurationAndTheRules() throws Exception {
        String promtool = Tools.require("promtool", "prometheus");
        assertThat(Tools.run(promtool, "check", "config", monitoring.resolve("prometheus.yml").toString())
                .assertSuccess().output()).contains("SUCCESS: 1 rule files found");
        assertThat(Tools.run(promtool, "check", "rules", monitoring.resolve("vpnlb-rules.yml").toString())
                .assertSuccess().output()).contains("SUCCESS");
    }

    @Test
    void alertsFireAsTheirTestsSay() throws Exception {
        String promtool = Tools.require("promtool", "prometheus");
        assertThat(Tools.run(promtool, "test", "rules",
                monitoring.resolve("tests/vpnlb-rules.test.yml").toString()).assertSuccess().output())
                .contains("SUCCESS");
    }

    @Test
    void rulesAndDashboardNameOnlyMetricsVpnlbExports() throws Exception {
        Set<String> exported = scrapeRunningVpnlb();
        assertThat(exported).contains("vpnlb_member_priority", "vpnlb_certificate_expiry_seconds",
                "vpnlb_tcp_drops_total", "vpnlb_drops_total");

        JsonNode rules = new YAMLMapper().readTree(monitoring.resolve("vpnlb-rules.yml").toFile());
        List<String> ruleExpressions = new ArrayList<>();
        rules.findValues("expr").forEach(expr -> ruleExpressions.add(expr.asText()));
        assertThat(ruleExpressions).hasSizeGreaterThanOrEqualTo(10);
        assertNamesExported("vpnlb-rules.yml", ruleExpressions, exported);

        JsonNode dashboard = new ObjectMapper().readTree(monitoring.resolve("grafana-dashboard.json").toFile());
        List<String> panelExpressions = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(ids.add(panel.get("id").asInt())).as("panel ids are unique").isTrue();
            assertThat(panel.get("gridPos").get("w").asInt()).isBetween(1, 24);
            if (!panel.get("type").asText().equals("row")) {
                assertThat(panel.get("datasource").get("uid").asText()).isEqualTo("${datasource}");
                assertThat(panel.get("targets")).as("queries of %s", panel.get("title")).isNotEmpty();
                panel.get("targets").forEach(target -> panelExpressions.add(target.get("expr").asText()));
            }
        }
        assertThat(panelExpressions).hasSizeGreaterThanOrEqualTo(20);
        assertNamesExported("grafana-dashboard.json", panelExpressions, exported);
        dashboard.get("templating").get("list").findValues("definition")
                .forEach(definition -> assertNamesExported("dashboard variables", List.of(definition.asText()),
                        exported));
    }

    private static void assertNamesExported(String file, List<String> expressions, Set<String> exported) {
        Set<String> unknown = new TreeSet<>();
        int named = 0;
        for (String expression : expressions) {
            Matcher metric = METRIC.matcher(expression);
            while (metric.find()) {
                named++;
                if (!exported.contains(metric.group(1))) {
                    unknown.add(metric.group(1));
                }
            }
        }
        assertThat(named).as("metric names in %s", file).isPositive();
        assertThat(unknown).as("metrics %s names that vpnlb does not export", file).isEmpty();
    }

    /** Runs vpnlb.jar with an IKEv2 and a TLS-terminating SSTP service and returns the families of /metrics. */
    private Set<String> scrapeRunningVpnlb() throws Exception {
        Path keystore = dir.resolve("vpn.p12");
        Files.writeString(dir.resolve("vpn.pass"), "changeit\n");
        Tools.run(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "vpn", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=vpn.example.test",
                "-validity", "30", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-keypass", "changeit").assertSuccess();
        int admin = freeTcpPort();
        int ike = freeUdpPort();
        int natt = freeUdpPort();
        int sstp = freeTcpPort();
        Path config = Files.writeString(dir.resolve("vpnlb.yaml"), String.join("\n",
                "admin:",
                "  listen: 127.0.0.1:" + admin,
                "  token-file: " + dir.resolve("admin.token"),
                "services:",
                "  - name: ikev2",
                "    type: ikev2",
                "    listen: 127.0.0.1",
                "    ports: [\"" + ike + ":500\", \"" + natt + ":4500\"]",
                "    pool: vpn",
                "  - name: sstp",
                "    type: sstp",
                "    listen: 127.0.0.1",
                "    ports: [\"" + sstp + ":80\"]",
                "    pool: vpn-sstp",
                "    tls: { mode: terminate, certificate: " + keystore + ", password-file: " + dir.resolve("vpn.pass")
                        + " }",
                "pools:",
                "  - { name: vpn, members: [ { address: 127.0.1.1, priority: 1 }, { address: 127.0.1.2, "
                        + "priority: 2 } ] }",
                "  - { name: vpn-sstp, members: [ { address: 127.0.1.1 } ] }",
                ""));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process vpnlb = new ProcessBuilder(java, "-jar", System.getProperty("vpnlb.jar"), "run", "--config",
                config.toString(), "--event-loops", "1")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(dir.resolve("vpnlb.log").toFile()).start();
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build();
            String[] body = new String[1];
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(() -> {
                        assertThat(vpnlb.isAlive()).as("vpnlb runs; log:%n%s",
                                Files.readString(dir.resolve("vpnlb.log"))).isTrue();
                        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                        body[0] = response.body();
                        return response.statusCode() == 200;
                    });
            Set<String> families = new TreeSet<>();
            body[0].lines().filter(line -> line.startsWith("# TYPE "))
                    .forEach(line -> families.add(line.split(" ")[2]));
            return families;
        } finally {
            vpnlb.destroy();
            if (!vpnlb.waitFor(30, TimeUnit.SECONDS)) {
                vpnlb.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
