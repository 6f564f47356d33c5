package io.vpnlb.control.publish;

import io.vpnlb.config.Algorithm;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.MemberConfig;
import io.vpnlb.config.PoolConfig;
import io.vpnlb.config.PortMapping;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.ServiceType;
import io.vpnlb.config.validate.Addresses;
import io.vpnlb.control.pool.MemberState;
import io.vpnlb.dataplane.select.MaglevTable;
import io.vpnlb.dataplane.snapshot.DataPlaneSnapshot;
import io.vpnlb.dataplane.snapshot.ListenerSnapshot;
import io.vpnlb.dataplane.snapshot.MemberSnapshot;
import io.vpnlb.dataplane.snapshot.PoolSnapshot;
import io.vpnlb.dataplane.snapshot.ServiceSnapshot;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns a validated configuration into an immutable {@link DataPlaneSnapshot}. All costly work (address
 * parsing, priority groups, Maglev tables) happens here, never on the data path.
 *
 * <p>Member weight, eligibility and counters come from the live {@link MemberState}s, which outlive
 * snapshots. Each service keeps the slot (snapshot index) it got when it first appeared for as long as it is in
 * the configuration; a service added by a reload gets a new slot, never one a removed service had. Not thread
 * safe: control builds snapshots one at a time.
 */
public final class SnapshotBuilder {

    private long version;
    private final Map<String, Integer> slots = new HashMap<>();
    private int nextSlot;

    /** Where the builder finds the live state of a member. */
    @FunctionalInterface
    public interface MemberStates {
        /** The state of the member of {@code pool} with {@code key}. */
        MemberState member(String pool, String key);
    }

    /** Builds the next snapshot. The configuration must have passed validation. */
    public DataPlaneSnapshot build(LbConfig config, MemberStates states) {
        Map<String, PoolSnapshot> pools = new HashMap<>();
        for (PoolConfig pool : config.pools()) {
            pools.put(pool.name(), buildPool(pool, states));
        }
        List<ServiceSnapshot> services = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (ServiceConfig service : config.services()) {
            names.add(service.name());
        }
        slots.keySet().retainAll(names);
        for (ServiceConfig service : config.services()) {
            List<ListenerSnapshot> listeners = new ArrayList<>();
            for (int i = 0; i < service.ports().size(); i++) {
                PortMapping port = service.ports().get(i);
                listeners.add(new ListenerSnapshot(service.name() + "/" + port.listenPort(), port.listenPort(),
                        port.memberPort(), role(service, i)));
            }
            services.add(new ServiceSnapshot(
                    slots.computeIfAbsent(service.name(), name -> nextSlot++),
                    service.name(),
                    service.type(),
                    address(service.listen()),
                    listeners,
                    service.sourceNat(),
                    service.sessionIdleTimeout().toNanos(),
                    service.maxSessions(),
                    pools.get(service.pool()),
                    service.ike()));
        }
        return new DataPlaneSnapshot(++version, services);
    }

    private PoolSnapshot buildPool(PoolConfig pool, MemberStates states) {
        List<MemberSnapshot> members = new ArrayList<>();
        TreeSet<Integer> priorities = new TreeSet<>();
        for (MemberConfig member : pool.members()) {
            String key = memberKey(member);
            MemberState state = states.member(pool.name(), key);
            boolean eligible = state.eligible();
            MemberSnapshot snapshot = new MemberSnapshot(key, state.address(), member.port(),
                    state.weight(), member.priority(), eligible, state.serving(), state.stats());
            members.add(snapshot);
            priorities.add(member.priority());
        }
        // Priority group activation: the highest group, joined by the next ones down until enough can serve.
        List<MemberSnapshot> selectable = new ArrayList<>();
        for (int priority : priorities) {
            if (selectable.size() >= pool.minUpMembers()) {
                break;
            }
            for (MemberSnapshot member : members) {
                if (member.eligible() && member.priority() == priority) {
                    selectable.add(member);
                }
            }
        }
        MaglevTable maglev = null;
        if (pool.algorithm() == Algorithm.MAGLEV && !selectable.isEmpty()) {
            String[] keys = new String[selectable.size()];
            int[] weights = new int[selectable.size()];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = selectable.get(i).key();
                weights[i] = selectable.get(i).weight();
            }
            maglev = MaglevTable.build(keys, weights, pool.maglevTableSize());
        }
        return new PoolSnapshot(pool.name(), pool.algorithm(), members, selectable, maglev, pool.proxyProtocol());
    }

    /** For ikev2 services the first port is IKE (UDP 500) and the second NAT-T (UDP 4500). */
    private static ListenerSnapshot.Role role(ServiceConfig service, int portIndex) {
        if (service.type() != ServiceType.IKEV2) {
            return ListenerSnapshot.Role.PLAIN;
        }
        return portIndex == 0 ? ListenerSnapshot.Role.IKE : ListenerSnapshot.Role.NAT_T;
    }

    /** {@code address:port}, with port 0 when the port comes from the listener. */
    public static String memberKey(MemberConfig member) {
        return member.address() + ":" + member.port();
    }

    private static InetAddress address(String literal) {
        InetAddress address = Addresses.parseIp(literal);
        if (address == null) {
            throw new IllegalArgumentException("not an IP address: " + literal + " (validate the configuration first)");
        }
        return address;
    }
}
