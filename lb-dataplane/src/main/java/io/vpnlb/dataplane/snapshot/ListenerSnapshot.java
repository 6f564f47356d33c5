package io.vpnlb.dataplane.snapshot;

import java.util.Objects;

/**
 * One VIP port of a service and the member port it forwards to.
 *
 * @param name e.g. {@code ikev2/500}; used in logs and metrics
 * @param role what the port carries, which decides how its datagrams are inspected
 */
public record ListenerSnapshot(String name, int listenPort, int memberPort, Role role) {

    public ListenerSnapshot {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
    }

    /** What a listener port carries. */
    public enum Role {
        /** Plain UDP: forwarded without inspection. */
        PLAIN,
        /** IKE on UDP 500 (or the port playing it): IKE messages only. */
        IKE,
        /** NAT-T on UDP 4500: keepalives, IKE behind the non-ESP marker, ESP in UDP. */
        NAT_T;

        /** True when datagrams are classified. */
        public boolean inspected() {
            return this != PLAIN;
        }
    }
}
