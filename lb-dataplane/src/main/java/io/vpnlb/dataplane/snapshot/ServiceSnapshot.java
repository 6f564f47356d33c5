package io.vpnlb.dataplane.snapshot;

import io.vpnlb.config.IkeConfig;
import io.vpnlb.config.ServiceType;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * The data plane's immutable view of one service.
 *
 * @param index              position in {@link DataPlaneSnapshot#services()}; stable for the life of the listeners
 * @param idleTimeoutNanos   sessions idle for longer are closed
 * @param maxSessions        new sessions beyond this count are refused
 * @param ike                IKEv2 awareness and flood protection (ikev2 services)
 */
public record ServiceSnapshot(
        int index,
        String name,
        ServiceType type,
        InetAddress listenAddress,
        List<ListenerSnapshot> listeners,
        boolean sourceNat,
        long idleTimeoutNanos,
        int maxSessions,
        PoolSnapshot pool,
        IkeConfig ike) {

    public ServiceSnapshot {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(listenAddress, "listenAddress");
        listeners = List.copyOf(listeners);
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(ike, "ike");
    }
}
