package io.vpnlb.control;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CapabilitiesTest {

    @Test
    void readsTheEffectiveSetFromProcStatus() {
        List<String> root = List.of("Name:\tjava", "CapInh:\t0000000000000000", "CapEff:\t000001ffffffffff");
        List<String> bindOnly = List.of("CapEff:\t0000000000000400");

        assertThat(Capabilities.effective(root, Capabilities.CAP_NET_ADMIN)).isTrue();
        assertThat(Capabilities.effective(bindOnly, Capabilities.CAP_NET_BIND_SERVICE)).isTrue();
        assertThat(Capabilities.effective(bindOnly, Capabilities.CAP_NET_ADMIN)).isFalse();
        assertThat(Capabilities.effective(List.of("Name:\tjava"), Capabilities.CAP_NET_ADMIN)).isFalse();
    }

    @Test
    void transparentModeNeedsANativeTransportAndNetAdmin() {
        assertThat(Capabilities.transparentProblem("ikev2", "nio", false, true))
                .startsWith("service ikev2: source-nat: false (transparent mode) needs the epoll or io_uring");
        assertThat(Capabilities.transparentProblem("ikev2", "epoll", true, false))
                .contains("needs CAP_NET_ADMIN").contains("deploy/transparent-routing.sh");
        assertThat(Capabilities.transparentProblem("ikev2", "io_uring", true, true)).isNull();
    }
}
