package io.vpnlb.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "500ms, PT0.5S",
        "30s, PT30S",
        "10m, PT10M",
        "2h, PT2H",
        "1d, PT24H",
        "45, PT45S",
        "0, PT0S",
        "-5s, PT-5S",
        "' 30s ', PT30S",
    })
    void parsesEveryUnitAndBareSeconds(String text, String iso) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "30 s", "30S", "1.5s", "10min", "PT30S", "+5s", "5s5", "99999999999999999999s",
        "999999999999999999d"})
    void rejectsAnythingElse(String text) {
        assertThat(Durations.parse(text)).isNull();
    }

    @Test
    void rejectsNull() {
        assertThat(Durations.parse(null)).isNull();
    }

    @ParameterizedTest
    @CsvSource({
        "PT0S, 0s",
        "PT0.5S, 500ms",
        "PT1.5S, 1500ms",
        "PT30S, 30s",
        "PT90S, 90s",
        "PT10M, 10m",
        "PT2H, 2h",
        "PT48H, 2d",
        "PT-5S, -5s",
        "PT0.0001S, PT0.0001S",
    })
    void formatsWithTheLargestExactUnit(String iso, String text) {
        assertThat(Durations.format(Duration.parse(iso))).isEqualTo(text);
    }

    @Test
    void formatThenParseRoundTrips() {
        for (String text : new String[] {"250ms", "7s", "3m", "5h", "9d", "-2m"}) {
            assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
        }
    }
}
