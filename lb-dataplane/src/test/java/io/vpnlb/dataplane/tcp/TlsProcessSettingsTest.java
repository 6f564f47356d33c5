package io.vpnlb.dataplane.tcp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TlsProcessSettingsTest {

    @Test
    void nullLeavesTheDisabledAlgorithmsAndNothingElseDoes() {
        assertThat(TlsProcessSettings.withoutNull("SSLv3, TLSv1, TLSv1.1, DTLSv1.0, RC4, DES, MD5withRSA, "
                + "DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL, ECDH"))
                .isEqualTo("SSLv3, TLSv1, TLSv1.1, DTLSv1.0, RC4, DES, MD5withRSA, DH keySize < 1024, "
                        + "EC keySize < 224, 3DES_EDE_CBC, anon, ECDH");
        assertThat(TlsProcessSettings.withoutNull("anon,NULL,include jdk.disabled.namedCurves"))
                .isEqualTo("anon, include jdk.disabled.namedCurves");
        assertThat(TlsProcessSettings.withoutNull("RC4, NULLish")).isEqualTo("RC4, NULLish");
    }

    @Test
    void serversResumeBySessionIdOnly() {
        // The test JVM applies the settings before the first test (TlsProcessSettingsExtension), as vpnlb does.
        assertThat(System.getProperty(TlsProcessSettings.SERVER_TICKETS)).isEqualTo("false");
    }

    @Test
    void theJdkOffersNullEncryptionOnceAllowedBeforeItsTlsClassesLoad() {
        assertThat(NullEncryption.unavailableReason()).isNull();
        assertThat(NullEncryption.problem("BoringSSL has none")).isEqualTo("the TLS provider does not offer "
                + "NULL-encryption cipher suites (BoringSSL has none); set tls.member-null-encryption: false");
    }
}
