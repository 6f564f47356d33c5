package io.vpnlb.control.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Fault injection with real peers in network namespaces ({@code src/test/sh/faults.sh}, one scenario per test):
 * members that die, stall and flap under traffic; vpnlb killed with SIGKILL and restarted under a strongSwan
 * tunnel; a reload storm under traffic; a full socket buffer and a full session table. The members and
 * clients are {@code fault-peers.py} (IKE-shaped, every answer names its member and is counted), the restart
 * uses strongSwan charons. Each script builds and removes its own namespaces; it skips (exit 77) when not
 * root, without {@code ip netns}, python3, nft or strongSwan. Logs: {@code target/it-logs/faults-<scenario>/}.
 */
class FaultsIT {

    private static List<String> run(String scenario, Duration timeout) throws Exception {
        return new NamespaceScenario("faults.sh", "faults-" + scenario, timeout).runAndExpectPass(scenario);
    }

    /** The first group of {@code pattern} in the line that starts with {@code prefix}. */
    private static String field(List<String> lines, String prefix, Pattern pattern) {
        return lines.stream()
                .filter(line -> line.startsWith(prefix))
                .map(pattern::matcher)
                .filter(Matcher::find)
                .map(m -> m.group(1))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no '" + prefix + "' line matching " + pattern + " in:\n"
                        + String.join("\n", lines)));
    }

    @Test
    void killedStalledAndFlappingMembersAreTakenOutWhileTheOtherClientsLoseNothing() throws Exception {
        List<String> lines = run("members", Duration.ofMinutes(3));
        assertThat(field(lines, "kill    :", Pattern.compile("\\((\\d+)/\\d+ with losses\\)"))).isEqualTo("0");
        assertThat(field(lines, "stall   :", Pattern.compile("all on srv1, losses (\\d+)/"))).isEqualTo("0");
        assertThat(Integer.parseInt(field(lines, "flap    :", Pattern.compile("(\\d+) DOWN \\+")))).isGreaterThanOrEqualTo(2);
        assertThat(field(lines, "flap    :", Pattern.compile("clients with losses (\\d+)/"))).isEqualTo("0");
    }

    @Test
    void aFullSocketBufferAndAFullSessionTableAreCountedAndEstablishedSessionsKeepFlowing() throws Exception {
        List<String> lines = run("limits", Duration.ofMinutes(3));
        assertThat(Long.parseLong(field(lines, "buffer  :", Pattern.compile("kernel refused (\\d+) datagrams"))))
                .isPositive();
        assertThat(field(lines, "table   :", Pattern.compile("(\\d+) of \\d+ new clients admitted"))).isEqualTo("4");
        assertThat(Long.parseLong(field(lines, "table   :", Pattern.compile("(\\d+) session_limit drops"))))
                .isPositive();
    }

    @Test
    void aReloadStormUnderTrafficLosesNothingOnTheUnchangedService() throws Exception {
        List<String> lines = run("reload", Duration.ofMinutes(3));
        assertThat(Integer.parseInt(field(lines, "storm   :", Pattern.compile("^storm   : (\\d+) reloads"))))
                .isGreaterThanOrEqualTo(100);
        assertThat(field(lines, "ikev2   :", Pattern.compile("clients with losses (\\d+)/"))).isEqualTo("0");
    }

    @Test
    void aTunnelAnswersAgainAfterVpnlbIsKilledAndRestarted() throws Exception {
        List<String> lines = run("restart", Duration.ofMinutes(4));
        assertThat(Long.parseLong(field(lines, "restart :", Pattern.compile("first tunnel ping reply after (\\d+) ms"))))
                .isPositive();
    }
}
