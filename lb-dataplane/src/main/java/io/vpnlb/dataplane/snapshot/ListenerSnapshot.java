package io.vpnlb.dataplane.snapshot;

/**
 * One VIP port of a service and the member port it forwards to.
 *
 * @param name e.g. {@code ikev2/500}; used in logs and metrics
 */
public record ListenerSnapshot(String name, int listenPort, int memberPort) {
}
