package io.vpnlb.config.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vpnlb.config.Violation;
import io.vpnlb.config.validate.ConfigValidator;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of {@link ConfigLoader#parse} on configuration text. Seeds: the embedded default and
 * example configurations, the example of the design document, and the YAML documents of the configuration tests,
 * in {@code ConfigLoaderFuzzTestInputs/}.
 *
 * <p>Whatever the text: the only exception is {@link ConfigReadException} with a message; a result lists
 * violations that each say where and what; a configuration the loader calls valid passes {@link ConfigValidator}
 * again, and any configuration it maps can be validated without an exception.
 */
class ConfigLoaderFuzzTest {

    @FuzzTest(maxDuration = "20s")
    @Timeout(10)
    void parse(byte[] input) {
        String yaml = new String(input, StandardCharsets.UTF_8);
        LoadResult result;
        try {
            result = ConfigLoader.parse(yaml, "fuzz.yaml");
        } catch (ConfigReadException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        for (Violation violation : result.violations()) {
            assertThat(violation.path()).isNotNull();
            assertThat(violation.toString()).isNotBlank();
        }
        if (result.config() != null) {
            var again = ConfigValidator.validate(result.config());
            if (result.valid()) {
                assertThat(again).isEmpty();
            }
        }
    }
}
