package io.vpnlb.config;

/** How a TLS service treats TLS. */
public enum TlsMode {
    PASSTHROUGH("passthrough"),
    TERMINATE("terminate"),
    REENCRYPT("reencrypt");

    private final String configName;

    TlsMode(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static TlsMode fromConfigName(String name) {
        for (TlsMode mode : values()) {
            if (mode.configName.equals(name)) {
                return mode;
            }
        }
        return null;
    }
}
