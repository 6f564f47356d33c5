package io.vpnlb.config;

/** How a TLS service treats TLS. */
public enum TlsMode implements ConfigNamed {
    PASSTHROUGH("passthrough"),
    TERMINATE("terminate"),
    REENCRYPT("reencrypt");

    private final String configName;

    TlsMode(String configName) {
        this.configName = configName;
    }

    @Override
    public String configName() {
        return configName;
    }

    public static TlsMode fromConfigName(String name) {
        return ConfigNamed.byConfigName(values(), name);
    }
}
