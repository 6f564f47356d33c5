package io.vpnlb.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigPathsTest {

    @Test
    void namesElementsByUniqueWellFormedNamesElseByIndex() {
        assertThat(ConfigPaths.elements("pools", List.of("vpn", "", "dup", "dup", "a b", "vpn-sstp", "x]")))
                .containsExactly("pools[vpn]", "pools[1]", "pools[2]", "pools[3]", "pools[4]", "pools[vpn-sstp]",
                        "pools[6]");
    }
}
