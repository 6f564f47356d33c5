package io.vpnlb.config;

/** How a pool picks a member for a new client. */
public enum Algorithm implements ConfigNamed {
    /** Maglev consistent hashing on the client address; weighted; the same on every vpnlb instance. */
    MAGLEV("maglev"),
    /** The eligible member with the fewest sessions per unit of weight. */
    LEAST_SESSIONS("least-sessions"),
    /** Weighted round-robin. */
    ROUND_ROBIN("round-robin");

    private final String configName;

    Algorithm(String configName) {
        this.configName = configName;
    }

    @Override
    public String configName() {
        return configName;
    }

    public static Algorithm fromConfigName(String name) {
        return ConfigNamed.byConfigName(values(), name);
    }
}
