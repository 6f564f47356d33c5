package io.vpnlb.config;

import java.util.Objects;

/**
 * TLS settings of an SSTP or IP-HTTPS service.
 *
 * @param certificate  .pem, .cer (DER or Base-64) or .pfx; {@code null} in passthrough mode
 * @param passwordFile file holding the .pfx password, or {@code null}
 * @param clientAuth   client-certificate preauthentication; {@code null} = the service type's default
 *                     ({@link #defaultClientAuth})
 * @param clientCa     PEM or DER bundle of the CA certificates client certificates must chain to, or {@code null}
 * @param crl          PEM or DER certificate revocation list(s) checked for client certificates, or {@code null}
 */
public record TlsConfig(TlsMode mode, String certificate, String passwordFile, ClientAuth clientAuth, String clientCa,
                        String crl) {

    public static final TlsMode DEFAULT_MODE = TlsMode.PASSTHROUGH;

    public TlsConfig {
        Objects.requireNonNull(mode, "mode");
    }

    /** Without client-certificate settings. */
    public TlsConfig(TlsMode mode, String certificate, String passwordFile) {
        this(mode, certificate, passwordFile, null, null, null);
    }

    /**
     * {@code required} for ip-https services that terminate TLS (DirectAccess preauthentication, as NetScaler and
     * F5 guidance has it), {@code none} otherwise.
     */
    public static ClientAuth defaultClientAuth(ServiceType type, TlsMode mode) {
        return type == ServiceType.IP_HTTPS && mode != TlsMode.PASSTHROUGH ? ClientAuth.REQUIRED : ClientAuth.NONE;
    }

    /** The client-certificate setting in force for a service of {@code type}. */
    public ClientAuth effectiveClientAuth(ServiceType type) {
        return clientAuth != null ? clientAuth : defaultClientAuth(type, mode);
    }
}
