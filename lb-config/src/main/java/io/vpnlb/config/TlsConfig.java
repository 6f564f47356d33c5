package io.vpnlb.config;

import java.time.Duration;
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
 * @param sessionPersistence    how long a TLS session keeps its member: a client resuming the session (from any
 *                              address) reaches the member that served it; {@code null} = the default,
 *                              {@link #DEFAULT_SESSION_PERSISTENCE}; zero = off
 * @param memberNullEncryption  reencrypt mode of ip-https: offer NULL-encryption cipher suites to the member first
 *                              (IP-HTTPS payload is already IPsec-protected, so Windows servers choose them);
 *                              {@code null} = the default ({@link #defaultMemberNullEncryption})
 */
public record TlsConfig(TlsMode mode, String certificate, String passwordFile, ClientAuth clientAuth, String clientCa,
                        String crl, Duration sessionPersistence, Boolean memberNullEncryption) {

    public static final TlsMode DEFAULT_MODE = TlsMode.PASSTHROUGH;
    public static final Duration DEFAULT_SESSION_PERSISTENCE = Duration.ofMinutes(10);

    public TlsConfig {
        Objects.requireNonNull(mode, "mode");
    }

    /** Without client-certificate settings. */
    public TlsConfig(TlsMode mode, String certificate, String passwordFile) {
        this(mode, certificate, passwordFile, null, null, null);
    }

    /** With the default session persistence and member ciphers. */
    public TlsConfig(TlsMode mode, String certificate, String passwordFile, ClientAuth clientAuth, String clientCa,
                     String crl) {
        this(mode, certificate, passwordFile, clientAuth, clientCa, crl, null, null);
    }

    /** The TLS-session persistence in force; zero when off. */
    public Duration effectiveSessionPersistence() {
        return sessionPersistence != null ? sessionPersistence : DEFAULT_SESSION_PERSISTENCE;
    }

    /** {@code true} for ip-https services in reencrypt mode: IP-HTTPS payload is already encrypted. */
    public static boolean defaultMemberNullEncryption(ServiceType type, TlsMode mode) {
        return type == ServiceType.IP_HTTPS && mode == TlsMode.REENCRYPT;
    }

    /** Whether NULL-encryption suites are offered to the members of a service of {@code type}. */
    public boolean effectiveMemberNullEncryption(ServiceType type) {
        return memberNullEncryption != null ? memberNullEncryption : defaultMemberNullEncryption(type, mode);
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
