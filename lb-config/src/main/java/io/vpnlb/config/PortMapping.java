package io.vpnlb.config;

/**
 * One listener port of a service and the member port it forwards to. In YAML either {@code 500} (the same port
 * on the member) or {@code "10500:500"} (listen on 10500, forward to member port 500).
 */
public record PortMapping(int listenPort, int memberPort) {

    public static PortMapping same(int port) {
        return new PortMapping(port, port);
    }

    @Override
    public String toString() {
        return listenPort == memberPort ? Integer.toString(listenPort) : listenPort + ":" + memberPort;
    }
}
