package io.vpnlb.dataplane.tcp;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.vpnlb.config.cert.CertificateBundle;

import javax.net.ssl.SSLException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * TLS settings of terminating listeners: TLS 1.2 and 1.3 only, forward-secret AEAD cipher suites only (what
 * Windows 10/11 SSTP clients and current browsers negotiate), a server-side session cache for resumption.
 * BoringSSL through netty-tcnative when it loads, the JDK provider otherwise.
 */
public final class TlsContexts {

    /** TLS 1.3 suites first, then TLS 1.2 ECDHE with AES-GCM or ChaCha20-Poly1305. */
    public static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /** Sessions kept for resumption, and for how long (seconds). */
    static final int SESSION_CACHE_SIZE = 20_480;
    static final int SESSION_TIMEOUT_SECONDS = 600;

    private TlsContexts() {
    }

    /** The provider vpnlb uses here: {@code OPENSSL} (BoringSSL) when netty-tcnative loads, else {@code JDK}. */
    public static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** Why BoringSSL did not load, or {@code null} when it did. */
    public static Throwable openSslUnavailabilityCause() {
        return OpenSsl.unavailabilityCause();
    }

    public static SslContext server(CertificateBundle bundle) throws SSLException {
        return server(bundle, io.vpnlb.config.ClientAuth.NONE, null);
    }

    /**
     * @param clientAuth  whether clients must (or may) present a certificate that {@code clientTrust} accepts
     * @param clientTrust trust for client certificates; {@code null} with {@code ClientAuth.NONE}
     */
    public static SslContext server(CertificateBundle bundle, io.vpnlb.config.ClientAuth clientAuth,
                                    javax.net.ssl.TrustManagerFactory clientTrust) throws SSLException {
        return server(bundle, clientAuth, clientTrust, Duration.ZERO);
    }

    /**
     * @param sessionPersistence TLS-session persistence of the service (zero when off): sessions stay resumable
     *                           at least that long
     */
    public static SslContext server(CertificateBundle bundle, io.vpnlb.config.ClientAuth clientAuth,
                                    javax.net.ssl.TrustManagerFactory clientTrust, Duration sessionPersistence)
            throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forServer(bundle.key(),
                        bundle.chain().toArray(new X509Certificate[0]))
                .sslProvider(provider())
                .protocols(PROTOCOLS)
                .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .sessionCacheSize(SESSION_CACHE_SIZE)
                .sessionTimeout(Math.max(SESSION_TIMEOUT_SECONDS, sessionPersistence.toSeconds()));
        if (clientAuth != io.vpnlb.config.ClientAuth.NONE) {
            builder.trustManager(clientTrust).clientAuth(clientAuth == io.vpnlb.config.ClientAuth.REQUIRED
                    ? io.netty.handler.ssl.ClientAuth.REQUIRE : io.netty.handler.ssl.ClientAuth.OPTIONAL);
        }
        return builder.build();
    }

    /**
     * Toward members in reencrypt mode. The member's certificate is not validated against a CA here: vpnlb
     * compares its SHA-256 with its own certificate instead (SSTP needs both to be the same certificate).
     */
    public static SslContext member() throws SSLException {
        return member(false);
    }

    /**
     * @param nullEncryption offer NULL-encryption suites first ({@link NullEncryption}: TLS 1.2, JDK provider)
     */
    public static SslContext member(boolean nullEncryption) throws SSLException {
        if (nullEncryption) {
            return NullEncryption.memberContext();
        }
        return SslContextBuilder.forClient()
                .sslProvider(provider())
                .protocols(PROTOCOLS)
                .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .build();
    }
}
