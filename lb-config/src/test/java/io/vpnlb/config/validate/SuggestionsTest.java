package io.vpnlb.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SuggestionsTest {

    private static final List<String> SERVICE_KEYS = List.of("name", "type", "listen", "ports", "pool", "source-nat",
            "persistence", "session-idle-timeout", "max-sessions", "tls");

    @ParameterizedTest
    @CsvSource({
        "sesion-idle-timeout, session-idle-timeout",
        "nmae, name",
        "tpye, type",
        "port, ports",
        "sourceNat, source-nat",
        "source_nat, source-nat",
        "SESSION-IDLE-TIMEOUT, session-idle-timeout",
        "persist, persistence",
        "listen-address, listen",
        "max-session, max-sessions",
        "tsl, tls",
    })
    void suggestsTheNearestKey(String written, String expected) {
        assertThat(Suggestions.nearest(written, SERVICE_KEYS)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"members", "weight", "x", "timeout-idle"})
    void suggestsNothingWhenNoKeyIsClose(String written) {
        assertThat(Suggestions.nearest(written, SERVICE_KEYS)).isNull();
    }

    @ParameterizedTest
    @CsvSource({
        "iouring, io_uring",
        "epol, epoll",
        "NIO, nio",
    })
    void suggestsEnumerationValues(String written, String expected) {
        assertThat(Suggestions.nearest(written, List.of("auto", "io_uring", "epoll", "nio"))).isEqualTo(expected);
    }
}
