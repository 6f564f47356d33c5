package io.vpnlb.config;

import java.util.Objects;

/**
 * TLS settings of an SSTP or IP-HTTPS service.
 *
 * @param certificate  .pem, .cer (DER or Base-64) or .pfx; {@code null} in passthrough mode
 * @param passwordFile file holding the .pfx password, or {@code null}
 */
public record TlsConfig(TlsMode mode, String certificate, String passwordFile) {

    public static final TlsMode DEFAULT_MODE = TlsMode.PASSTHROUGH;

    public TlsConfig {
        Objects.requireNonNull(mode, "mode");
    }
}
