package io.vpnlb.control.pool;

import io.vpnlb.config.LbConfig;
import io.vpnlb.config.PersistenceConfig;
import io.vpnlb.config.PersistenceScope;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.control.persistence.PersistenceTable;
import io.vpnlb.dataplane.select.ClientHash;
import io.vpnlb.dataplane.select.LeastSessions;
import io.vpnlb.dataplane.select.WeightedRoundRobin;
import io.vpnlb.dataplane.snapshot.ListenerSnapshot;
import io.vpnlb.dataplane.snapshot.MemberSnapshot;
import io.vpnlb.dataplane.snapshot.PoolSnapshot;
import io.vpnlb.dataplane.snapshot.ServiceSnapshot;
import io.vpnlb.dataplane.snapshot.SessionRouter;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Chooses the member of a new session: the client's persisted member when it is still selectable, otherwise
 * the pool's balancing algorithm, whose choice is then persisted.
 *
 * <p>Persistence is keyed by client IP only, never by port, and shared by every listener of the scope: with
 * {@code scope: vip} every service on the same VIP address shares one table (F5's "match across services",
 * Kemp's port following), so a client's UDP 500 and UDP 4500 sessions land on the same member, and so do its
 * sessions on other services of that VIP where the member address is in their pool too.
 *
 * <p>Runs on event loops, once per new session; it may run on several loops at once.
 */
public final class PoolRouter implements SessionRouter {

    private final Map<String, PersistenceTable> tableByService;
    private final List<PersistenceTable> tables;
    private final Map<String, RoundRobinState> roundRobin = new ConcurrentHashMap<>();
    private final LongAdder persistenceHits = new LongAdder();
    private final LongAdder persistenceMisses = new LongAdder();

    public PoolRouter(LbConfig config) {
        Map<String, PersistenceTable> byScope = new HashMap<>();
        Map<String, PersistenceTable> byService = new HashMap<>();
        Map<String, Duration> timeouts = new HashMap<>();
        Map<String, Long> bounds = new HashMap<>();
        for (ServiceConfig service : config.services()) {
            String scope = scopeName(service);
            if (scope != null) {
                // Services sharing a scope share one table: the longest timeout and largest bound win.
                timeouts.merge(scope, service.persistence().timeout(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
                bounds.merge(scope, service.persistence().maxEntries(), Math::max);
            }
        }
        for (ServiceConfig service : config.services()) {
            String scope = scopeName(service);
            if (scope != null) {
                PersistenceTable table = byScope.computeIfAbsent(
                        scope, s -> new PersistenceTable(s, timeouts.get(s), bounds.get(s)));
                byService.put(service.name(), table);
            }
        }
        this.tableByService = Map.copyOf(byService);
        this.tables = List.copyOf(byScope.values());
    }

    private static String scopeName(ServiceConfig service) {
        PersistenceConfig persistence = service.persistence();
        if (persistence.scope() == PersistenceScope.VIP) {
            return "vip " + service.listen();
        }
        if (persistence.scope() == PersistenceScope.SERVICE) {
            return "service " + service.name();
        }
        return null;
    }

    @Override
    public MemberSnapshot route(ServiceSnapshot service, ListenerSnapshot listener, InetSocketAddress client) {
        PoolSnapshot pool = service.pool();
        if (pool.selectable().isEmpty()) {
            return null;
        }
        InetAddress clientAddress = client.getAddress();
        PersistenceTable table = tableByService.get(service.name());
        if (table != null) {
            InetAddress remembered = table.get(clientAddress);
            if (remembered != null) {
                MemberSnapshot member = servingByAddress(pool, remembered);
                if (member != null) {
                    persistenceHits.increment();
                    return member;
                }
            }
            persistenceMisses.increment();
        }
        MemberSnapshot chosen = select(pool, clientAddress);
        if (table != null && chosen != null) {
            table.put(clientAddress, chosen.address());
        }
        return chosen;
    }

    /** The balancing algorithm alone, without persistence. */
    MemberSnapshot select(PoolSnapshot pool, InetAddress client) {
        List<MemberSnapshot> selectable = pool.selectable();
        switch (pool.algorithm()) {
            case MAGLEV:
                return selectable.get(pool.maglev().lookup(ClientHash.hash(client.getAddress())));
            case LEAST_SESSIONS: {
                int n = selectable.size();
                int[] sessions = new int[n];
                int[] weights = new int[n];
                boolean[] eligible = new boolean[n];
                for (int i = 0; i < n; i++) {
                    MemberSnapshot member = selectable.get(i);
                    sessions[i] = member.stats().activeSessions();
                    weights[i] = member.weight();
                    eligible[i] = true;
                }
                int index = LeastSessions.pick(sessions, weights, eligible);
                return index < 0 ? null : selectable.get(index);
            }
            case ROUND_ROBIN: {
                RoundRobinState state = roundRobin.compute(pool.name(),
                        (name, old) -> old != null && old.pool == pool ? old : new RoundRobinState(pool));
                return state.next();
            }
            default:
                throw new IllegalStateException("algorithm " + pool.algorithm());
        }
    }

    /**
     * The member at {@code address} that still serves its clients: eligible for new clients, or draining (a
     * drained member keeps its persisted clients until their entries expire).
     */
    private static MemberSnapshot servingByAddress(PoolSnapshot pool, InetAddress address) {
        List<MemberSnapshot> members = pool.members();
        for (int i = 0, n = members.size(); i < n; i++) {
            MemberSnapshot member = members.get(i);
            if (member.serving() && member.address().equals(address)) {
                return member;
            }
        }
        return null;
    }

    /** Drops every persistence entry that points at {@code member}, in every scope. */
    public void forgetMember(InetAddress member) {
        for (PersistenceTable table : tables) {
            table.removeMember(member);
        }
    }

    /** The persistence table a service uses, or {@code null} when its scope is {@code none}. */
    public PersistenceTable table(String serviceName) {
        return tableByService.get(serviceName);
    }

    public Collection<PersistenceTable> tables() {
        return tables;
    }

    public long persistenceHits() {
        return persistenceHits.sum();
    }

    public long persistenceMisses() {
        return persistenceMisses.sum();
    }

    /** Weighted round-robin over one pool snapshot's selectable members; replaced when the snapshot changes. */
    private static final class RoundRobinState {

        final PoolSnapshot pool;
        private final WeightedRoundRobin wrr;

        RoundRobinState(PoolSnapshot pool) {
            this.pool = pool;
            int[] weights = new int[pool.selectable().size()];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = pool.selectable().get(i).weight();
            }
            this.wrr = new WeightedRoundRobin(weights);
        }

        synchronized MemberSnapshot next() {
            int index = wrr.next();
            return index < 0 ? null : pool.selectable().get(index);
        }
    }

}
