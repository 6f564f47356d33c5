package io.vpnlb.control.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scale-out without shared state: two vpnlb instances with the same pool behind a router that spreads the VIP's
 * flows over both with an L4-hashed multipath route (ECMP). Maglev makes both instances choose the same member
 * for a client, so a client whose UDP 500 and UDP 4500 flows land on different instances still reaches one
 * member, and when one instance fails its flows move to the other and still reach the same members.
 *
 * <p>The work is done by {@code src/test/sh/ecmp-scaleout.sh} (namespaces client, router, lb1, lb2, srv1, srv2;
 * 100 simulated IKEv2 clients and two IKE-shaped member responders from {@code ecmp-ike.py}), once per way the
 * route gets to the router: {@code static} ({@code ip route}; the withdrawal is an {@code ip route replace}) and
 * {@code bgp} (BIRD 2 sessions from each instance, {@code merge paths on} in the router; the withdrawal is lb1's
 * BIRD stopping). The script builds and always removes its own namespaces, processes and temp files. Exit 0
 * passes, 77 skips (not root, no {@code ip netns}, no python3, bgp without BIRD 2: one {@code SKIP: reason}
 * line), anything else fails. Logs of the last run: {@code target/it-logs/ecmp-scaleout-<routing>/}.
 */
class EcmpScaleOutIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final Pattern SPLIT = Pattern.compile("^split clients\\s*: (\\d+) ");

    @ParameterizedTest(name = "{0} route")
    @ValueSource(strings = {"static", "bgp"})
    void everyInstanceSendsAClientToTheSameMemberAndFailoverKeepsIt(String routing) throws Exception {
        List<String> lines = new NamespaceScenario("ecmp-scaleout.sh", "ecmp-scaleout-" + routing, TIMEOUT)
                .runAndExpectPass(routing);
        String text = String.join("\n", lines);
        assertThat(text).contains("agreement before        : 100/100", "agreement after         : 100/100");
        int split = lines.stream()
                .map(SPLIT::matcher)
                .filter(Matcher::find)
                .mapToInt(m -> Integer.parseInt(m.group(1)))
                .findFirst()
                .orElse(-1);
        assertThat(split).as("clients whose 500 and 4500 flows went to different instances; output:%n%s", text)
                .isPositive();
    }
}
