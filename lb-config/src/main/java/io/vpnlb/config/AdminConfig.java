package io.vpnlb.config;

import java.util.Objects;

/**
 * The administration endpoint: admin API, metrics and status. It binds to loopback by default and never to a
 * VIP unless configured so.
 *
 * @param listen    {@code host:port}; IPv6 as {@code [::1]:9090}
 * @param tokenFile file holding the bearer token for the admin API
 * @param tls       HTTPS for the admin endpoint (mode terminate, a certificate and optional password file), or
 *                  {@code null} for plain HTTP
 * @param metricsToken {@code /metrics} requires the bearer token too (Prometheus {@code authorization} setting)
 */
public record AdminConfig(String listen, String tokenFile, TlsConfig tls, boolean metricsToken) {

    public static final String DEFAULT_LISTEN = "127.0.0.1:9090";
    public static final String DEFAULT_TOKEN_FILE = "/etc/vpnlb/admin.token";
    public static final boolean DEFAULT_METRICS_TOKEN = false;

    public static final AdminConfig DEFAULT = new AdminConfig(DEFAULT_LISTEN, DEFAULT_TOKEN_FILE);

    public AdminConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(tokenFile, "tokenFile");
    }

    /** Plain HTTP, {@code /metrics} without a token. */
    public AdminConfig(String listen, String tokenFile) {
        this(listen, tokenFile, null, DEFAULT_METRICS_TOKEN);
    }
}
