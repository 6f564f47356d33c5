package io.vpnlb.control.api;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.vpnlb.control.api.AdminFixture.Member;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code /metrics} after known traffic: key series and a real Prometheus parser ({@code promtool}). */
class MetricsIT {

    private AdminFixture fixture;

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void keySeriesCountKnownTraffic() throws Exception {
        fixture = new AdminFixture().start("maglev", "5m", Member.of("127.0.1.1"), Member.of("127.0.1.2"));
        String listener = "listener=\"ike/" + fixture.vipPort + "\",service=\"ike\"";
        try (DatagramSocket a = AdminFixture.client("127.0.14.1"); DatagramSocket b = AdminFixture.client("127.0.14.2")) {
            for (int i = 0; i < 5; i++) {
                assertThat(AdminFixture.exchange(a, fixture.vip(), "0123456789")).isNotNull();
                assertThat(AdminFixture.exchange(b, fixture.vip(), "0123456789")).isNotNull();
            }
        }
        String clientAgain = fixture.newSession("127.0.14.1", "0123456789");
        assertThat(clientAgain).isNotNull();
        String text = fixture.get("/metrics").body();
        List<String> lines = text.lines().toList();
        assertThat(lines).contains(
                "vpnlb_listener_rx_datagrams_total{" + listener + "} 11.0",
                "vpnlb_listener_rx_bytes_total{" + listener + "} 110.0",
                "vpnlb_listener_tx_datagrams_total{" + listener + "} 11.0",
                "vpnlb_sessions_opened_total{" + listener + "} 3.0",
                "vpnlb_sessions_active{" + listener + "} 3.0",
                "vpnlb_drops_total{" + listener.replace(",service", ",reason=\"no_member\",service") + "} 0.0",
                "vpnlb_persistence_hits_total 1.0",
                "vpnlb_persistence_misses_total 2.0",
                "vpnlb_persistence_entries{scope=\"vip 127.0.0.1\"} 2.0",
                "vpnlb_config_reloads_total{result=\"applied\"} 0.0");
        long selections = lines.stream().filter(l -> l.startsWith("vpnlb_member_selections_total{"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertThat(selections).isEqualTo(3);
        int port = fixture.members.get("127.0.1.1").port();
        String member = "member=\"127.0.1.1:" + port + "\",pool=\"vpn\"";
        assertThat(lines).contains(
                "vpnlb_member_health{" + member + ",state=\"up\"} 1.0",
                "vpnlb_member_health{" + member + ",state=\"down\"} 0.0",
                "vpnlb_member_admin_state{" + member + ",state=\"ready\"} 1.0",
                "vpnlb_member_eligible{" + member + "} 1.0",
                "vpnlb_member_weight{" + member + "} 100.0",
                "vpnlb_member_health_checks_total{" + member + "} 0.0");
        assertThat(text).contains("# TYPE vpnlb_listener_rx_datagrams_total counter",
                "# TYPE vpnlb_sessions_active gauge", "jvm_memory_used_bytes", "netty_allocator_memory_used");

        fixture.patch("127.0.1.1", "{\"admin_state\":\"drain\"}");
        assertThat(fixture.get("/metrics").body().lines()).contains(
                "vpnlb_member_admin_state{" + member + ",state=\"drain\"} 1.0",
                "vpnlb_member_eligible{" + member + "} 0.0");

        promtool(text);
    }

    /** promtool exits 1 for text it cannot parse and 3 for lint findings; vpnlb's own series must have none. */
    private static void promtool(String text) throws IOException, InterruptedException {
        String promtool = onPath("promtool");
        Assumptions.assumeTrue(promtool != null,
                "promtool is not installed (Debian package prometheus; .ci/run installs it): skipping the parser check");
        Process process = new ProcessBuilder(promtool, "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        int exit = process.exitValue();
        assertThat(exit).as("promtool check metrics: %s", output).isIn(0, 3);
        List<String> ours = new ArrayList<>();
        for (String line : output.lines().toList()) {
            if (line.startsWith("vpnlb_")) {
                ours.add(line);
            }
        }
        assertThat(ours).as("promtool findings on vpnlb_ series").isEmpty();
    }

    static String onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
