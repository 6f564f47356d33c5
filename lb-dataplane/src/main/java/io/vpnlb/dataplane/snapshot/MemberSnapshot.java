package io.vpnlb.dataplane.snapshot;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One member as a snapshot sees it: where it is and how much it weighs. The live counters behind it
 * ({@link MemberStats}) outlive snapshots, so a session opened under one snapshot and closed under the next is
 * counted against the same member.
 *
 * @param key      stable identity within its pool, {@code address:port} (port 0 = taken from the listener)
 * @param port     member port, or 0 to use the port mapped from the listener
 * @param eligible true when the member may receive new clients in this snapshot
 * @param serving  true when clients already bound to the member (sessions, persistence) may keep reaching it:
 *                 it is up and not in maintenance; a draining member is serving but not eligible
 */
public record MemberSnapshot(
        String key, InetAddress address, int port, int weight, int priority, boolean eligible, boolean serving,
        MemberStats stats) {

    public MemberSnapshot {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(stats, "stats");
    }

    /** The port to send to for a listener whose mapped member port is {@code mappedPort}. */
    public int targetPort(int mappedPort) {
        return port != 0 ? port : mappedPort;
    }
}
