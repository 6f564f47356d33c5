package io.vpnlb.config;

/** Which listeners share one client-to-member memory. */
public enum PersistenceScope implements ConfigNamed {
    /** Every service on the same VIP address shares it (F5 "match across services"). */
    VIP("vip"),
    /** Only the listeners of this service share it. */
    SERVICE("service"),
    /** No persistence: every new session is balanced on its own. */
    NONE("none");

    private final String configName;

    PersistenceScope(String configName) {
        this.configName = configName;
    }

    @Override
    public String configName() {
        return configName;
    }

    public static PersistenceScope fromConfigName(String name) {
        return ConfigNamed.byConfigName(values(), name);
    }
}
