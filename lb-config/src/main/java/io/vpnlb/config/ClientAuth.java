package io.vpnlb.config;

/** Whether a TLS-terminating service asks clients for a certificate (IP-HTTPS preauthentication). */
public enum ClientAuth implements ConfigNamed {
    /** No client certificate is requested. */
    NONE("none"),
    /** A certificate is requested and checked when the client sends one; clients without one are let in. */
    OPTIONAL("optional"),
    /** Clients without a valid certificate from {@code tls.client-ca} are refused in the TLS handshake. */
    REQUIRED("required");

    private final String configName;

    ClientAuth(String configName) {
        this.configName = configName;
    }

    @Override
    public String configName() {
        return configName;
    }

    public static ClientAuth fromConfigName(String name) {
        return ConfigNamed.byConfigName(values(), name);
    }
}
