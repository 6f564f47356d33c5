package io.vpnlb.dataplane.tcp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TlsProcessSettingsTest {

    @Test
    void serversResumeBySessionIdOnly() {
        // The test JVM applies the settings before the first test (TlsProcessSettingsExtension), as vpnlb does.
        assertThat(System.getProperty(TlsProcessSettings.SERVER_TICKETS)).isEqualTo("false");
    }
}
