package io.vpnlb.config;

/** Whether vpnlb prepends a PROXY protocol header to the connections it opens to a pool's members. */
public enum ProxyProtocol implements ConfigNamed {
    /** Members see the connection as it is. */
    NONE("none"),
    /** HAProxy PROXY protocol version 2 (binary): the client's address and port, then the connection. */
    V2("v2");

    private final String configName;

    ProxyProtocol(String configName) {
        this.configName = configName;
    }

    @Override
    public String configName() {
        return configName;
    }

    public static ProxyProtocol fromConfigName(String name) {
        return ConfigNamed.byConfigName(values(), name);
    }
}
