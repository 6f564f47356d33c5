package io.vpnlb.config;

/** What a service carries. It decides default ports and which protocol awareness applies. */
public enum ServiceType implements ConfigNamed {
    /** IKEv2 on UDP 500 and 4500 (IKE, NAT-T keepalives and ESP-in-UDP). */
    IKEV2("ikev2", true, new int[] {500, 4500}),
    /** SSTP: TLS on TCP 443. */
    SSTP("sstp", false, new int[] {443}),
    /** DirectAccess IP-HTTPS: TLS on TCP 443. */
    IP_HTTPS("ip-https", false, new int[] {443}),
    /** Plain TCP forwarding. */
    TCP("tcp", false, new int[0]),
    /** Plain UDP forwarding. */
    UDP("udp", true, new int[0]);

    private final String configName;
    private final boolean datagram;
    private final int[] defaultPorts;

    ServiceType(String configName, boolean datagram, int[] defaultPorts) {
        this.configName = configName;
        this.datagram = datagram;
        this.defaultPorts = defaultPorts;
    }

    @Override
    public String configName() {
        return configName;
    }

    /** True for services carried over UDP. */
    public boolean datagram() {
        return datagram;
    }

    /** The ports a service of this type listens on when {@code ports} is not given; empty when it must be. */
    public int[] defaultPorts() {
        return defaultPorts.clone();
    }

    public static ServiceType fromConfigName(String name) {
        return ConfigNamed.byConfigName(values(), name);
    }
}
