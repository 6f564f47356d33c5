package io.vpnlb.config;

import java.util.Objects;

/**
 * The administration endpoint: admin API, metrics and status. It binds to loopback by default and never to a
 * VIP unless configured so.
 *
 * @param listen    {@code host:port}; IPv6 as {@code [::1]:9090}
 * @param tokenFile file holding the bearer token for the admin API
 */
public record AdminConfig(String listen, String tokenFile) {

    public static final String DEFAULT_LISTEN = "127.0.0.1:9090";
    public static final String DEFAULT_TOKEN_FILE = "/etc/vpnlb/admin.token";

    public static final AdminConfig DEFAULT = new AdminConfig(DEFAULT_LISTEN, DEFAULT_TOKEN_FILE);

    public AdminConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(tokenFile, "tokenFile");
    }
}
