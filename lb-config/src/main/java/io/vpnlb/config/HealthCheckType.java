package io.vpnlb.config;

/** How members of a pool are probed. */
public enum HealthCheckType implements ConfigNamed {
    NONE("none"),
    /** An IKE_SA_INIT probe; any well-formed IKEv2 answer is up. */
    IKE("ike"),
    /** {@code HEAD /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/}. */
    SSTP("sstp"),
    /** A TCP connect. */
    TCP("tcp"),
    /** A TCP connect and a complete TLS handshake with the member. */
    TLS("tls"),
    /** A datagram to the member port; any answer is up. */
    UDP("udp");

    private final String configName;

    HealthCheckType(String configName) {
        this.configName = configName;
    }

    @Override
    public String configName() {
        return configName;
    }

    public static HealthCheckType fromConfigName(String name) {
        return ConfigNamed.byConfigName(values(), name);
    }
}
