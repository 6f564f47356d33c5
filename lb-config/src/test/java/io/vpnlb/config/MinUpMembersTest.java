package io.vpnlb.config;

import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.config.io.LoadResult;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MinUpMembersTest {

    private static LoadResult load(String minUpMembers) throws Exception {
        return ConfigLoader.parse("services:\n"
                + "  - { name: vpn, type: ikev2, listen: 203.0.113.10, pool: vpn }\n"
                + "pools:\n"
                + "  - name: vpn\n"
                + minUpMembers
                + "    members:\n"
                + "      - { address: 10.0.0.11 }\n"
                + "      - { address: 10.1.0.11, priority: 2 }\n", "test.yaml");
    }

    @Test
    void defaultsToOneAndLoadsAGivenValue() throws Exception {
        assertThat(load("").config().pools().get(0).minUpMembers()).isEqualTo(PoolConfig.DEFAULT_MIN_UP_MEMBERS);
        assertThat(load("    min-up-members: 2\n").config().pools().get(0).minUpMembers()).isEqualTo(2);
    }

    @Test
    void moreThanThePoolHasIsAViolation() throws Exception {
        assertThat(load("    min-up-members: 3\n").violations()).extracting(Violation::toString)
                .containsExactly("pools[vpn].min-up-members: 3 (expected: at most the number of members, 2)");
        assertThat(load("    min-up-members: 0\n").violations()).extracting(Violation::toString)
                .containsExactly("pools[vpn].min-up-members: 0 (expected: 1..10000)");
    }
}
