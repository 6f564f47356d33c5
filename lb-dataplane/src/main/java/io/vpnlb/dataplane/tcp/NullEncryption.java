package io.vpnlb.dataplane.tcp;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

import javax.net.ssl.SSLException;
import java.util.ArrayList;
import java.util.List;

/**
 * NULL-encryption cipher suites toward the members of ip-https services in reencrypt mode
 * ({@code tls.member-null-encryption}): IP-HTTPS carries IPsec, so Windows IP-HTTPS servers accept TLS suites that
 * authenticate without encrypting, and encrypting twice only costs CPU on both ends.
 *
 * <p>BoringSSL has no NULL-encryption suites, so these member connections use the JDK's TLS provider whatever the
 * client side uses; the JDK supports them once {@link TlsProcessSettings#allowNullEncryption()} ran. TLS 1.3 has no
 * such suites, so these connections offer TLS 1.2 only: the NULL suites first, then the strong TLS 1.2 suites of
 * {@link TlsContexts#CIPHERS}, so a member that refuses NULL still negotiates a strong suite.
 */
public final class NullEncryption {

    /** TLS 1.2 suites with integrity and no encryption, in the order offered (JDK names). */
    public static final List<String> CIPHERS = List.of(
            "TLS_ECDHE_RSA_WITH_NULL_SHA",
            "TLS_ECDHE_ECDSA_WITH_NULL_SHA",
            "TLS_RSA_WITH_NULL_SHA256",
            "SSL_RSA_WITH_NULL_SHA");

    private NullEncryption() {
    }

    /** The member-facing context: TLS 1.2, NULL suites first, then strong ones, with the JDK provider. */
    static SslContext memberContext() throws SSLException {
        List<String> ciphers = new ArrayList<>(CIPHERS);
        for (String cipher : TlsContexts.CIPHERS) {
            if (cipher.startsWith("TLS_ECDHE_")) {
                ciphers.add(cipher);
            }
        }
        return SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.2")
                .ciphers(ciphers, SupportedCipherSuiteFilter.INSTANCE)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .build();
    }

    /** What vpnlb says when a service needs NULL-encryption suites and {@code reason} says why there are none. */
    public static String problem(String reason) {
        return "the TLS provider does not offer NULL-encryption cipher suites (" + reason
                + "); set tls.member-null-encryption: false";
    }

    /** True when {@code context} offers at least one NULL-encryption suite. */
    static boolean offersNull(SslContext context) {
        for (String cipher : context.cipherSuites()) {
            if (CIPHERS.contains(cipher)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why NULL-encryption suites cannot be offered to members here, or {@code null} when they can. Call
     * {@link TlsProcessSettings#allowNullEncryption()} first, as vpnlb does when it starts.
     */
    public static String unavailableReason() {
        try {
            if (offersNull(memberContext())) {
                return null;
            }
            return "the JDK TLS provider (" + System.getProperty("java.vendor") + " " + System.getProperty(
                    "java.version") + ") offers none of " + String.join(", ", CIPHERS) + ": the security property "
                    + TlsProcessSettings.DISABLED_ALGORITHMS + " disables them, or another TLS provider replaced "
                    + "the JDK's; BoringSSL has none";
        } catch (SSLException | RuntimeException e) {
            return "the JDK TLS provider cannot build a TLS 1.2 client context: " + e.getMessage();
        }
    }
}
