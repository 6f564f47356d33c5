package io.vpnlb.control.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The attack surface of a running vpnlb ({@code src/test/sh/attack-surface.sh}): nmap TCP (every port) and UDP
 * scans of the VIP from a client namespace find only the configured VPN ports; the admin API listens on loopback
 * only; the admin token, the .pfx password and the private key appear in no log line, admin API answer or CLI
 * output; wrong tokens lock their source out (429) and only that source; a reload with a wrong .pfx password
 * keeps the running TLS connections. TLS cipher grading is SstpTerminateIT's (lb-dataplane). Skips (exit 77)
 * when not root or without nmap, curl, openssl or python3. Logs: {@code target/it-logs/attack-surface/}.
 */
class AttackSurfaceIT {

    @Test
    void onlyTheVpnPortsAnswerAndNoSecretLeaks() throws Exception {
        List<String> lines = new NamespaceScenario("attack-surface.sh", "attack-surface", Duration.ofMinutes(4))
                .runAndExpectPass("scan");
        String text = String.join("\n", lines);
        assertThat(text).contains(", open: 443 8443", "; not closed: 500 4500;", "bound on 127.0.0.1:19090 only");
    }
}
