package io.vpnlb.control.pool;

import io.vpnlb.config.Durations;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.PersistenceConfig;
import io.vpnlb.config.PersistenceScope;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.ServiceType;
import io.vpnlb.control.persistence.PersistenceTable;
import io.vpnlb.control.persistence.SaTable;
import io.vpnlb.dataplane.select.ClientHash;
import io.vpnlb.dataplane.select.LeastSessions;
import io.vpnlb.dataplane.select.WeightedRoundRobin;
import io.vpnlb.dataplane.snapshot.ListenerSnapshot;
import io.vpnlb.dataplane.snapshot.MemberSnapshot;
import io.vpnlb.dataplane.snapshot.PoolSnapshot;
import io.vpnlb.dataplane.snapshot.ServiceSnapshot;
import io.vpnlb.dataplane.snapshot.SessionRouter;
import io.vpnlb.dataplane.wire.DatagramClassifier;
import io.vpnlb.dataplane.wire.DatagramKind;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Chooses the member of a new session, in this order: the member that holds the SA of the first datagram's IKE
 * or ESP SPI (ikev2 services with {@code ike.spi-routing}); the client's persisted member while it still serves;
 * otherwise the pool's balancing algorithm, whose choice is then persisted.
 *
 * <p>Persistence is keyed by client IP only, never by port, and shared by every listener of the scope: with
 * {@code scope: vip} every service on the same VIP address shares one table (F5's "match across services",
 * Kemp's port following), so a client's UDP 500 and UDP 4500 sessions land on the same member, and so do its
 * sessions on other services of that VIP where the member address is in their pool too.
 *
 * <p>Runs on event loops, once per new session; it may run on several loops at once.
 */
public final class PoolRouter implements SessionRouter {

    /** SA tables keep entries at least this long after they were last learned (sessions refresh every minute). */
    static final Duration MIN_SA_TIMEOUT = Duration.ofMinutes(3);

    private final LongAdder saRoutes = new LongAdder();
    private final Map<String, RoundRobinState> roundRobin = new ConcurrentHashMap<>();
    private final LongAdder persistenceHits = new LongAdder();
    private final LongAdder persistenceMisses = new LongAdder();
    /** Replaced as a whole when a reload changes the services; read once per decision. */
    private volatile Tables tables;

    /** The persistence and SA tables of one set of services, by service name and as lists. */
    private record Tables(Map<String, PersistenceTable> byService, List<PersistenceTable> all,
                          Map<String, SaTable> saByService, List<SaTable> saAll, Map<String, SaTable> saByScope,
                          Map<String, PersistenceTable> byScope) {
    }

    public PoolRouter(LbConfig config) {
        this.tables = build(config, null, new ArrayList<>());
    }

    /**
     * Follows a reload: services that keep their persistence scope keep its table and what it learned (with the
     * longest timeout and largest bound of the services sharing it); scopes that appear get empty tables, scopes
     * no service uses any more are dropped.
     *
     * @return what changed, one line each
     */
    public synchronized List<String> apply(LbConfig next) {
        List<String> changes = new ArrayList<>();
        this.tables = build(next, tables, changes);
        return changes;
    }

    private static Tables build(LbConfig config, Tables running, List<String> changes) {
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
        Map<String, PersistenceTable> byScope = new LinkedHashMap<>();
        Map<String, PersistenceTable> byService = new HashMap<>();
        for (ServiceConfig service : config.services()) {
            String scope = scopeName(service);
            if (scope != null) {
                PersistenceTable table = byScope.computeIfAbsent(scope, s -> {
                    PersistenceTable kept = running == null ? null : running.byScope().get(s);
                    if (kept == null) {
                        if (running != null) {
                            changes.add("persistence " + s + " added");
                        }
                        return new PersistenceTable(s, timeouts.get(s), bounds.get(s));
                    }
                    tune(kept, timeouts.get(s), bounds.get(s), changes);
                    return kept;
                });
                byService.put(service.name(), table);
            }
        }
        if (running != null) {
            for (String scope : running.byScope().keySet()) {
                if (!byScope.containsKey(scope)) {
                    changes.add("persistence " + scope + " removed");
                }
            }
        }

        // SA tables follow the persistence scope: services sharing a VIP share what they learn.
        Map<String, SaTable> saByScope = new LinkedHashMap<>();
        Map<String, SaTable> saByService = new HashMap<>();
        for (ServiceConfig service : config.services()) {
            if (service.type() != ServiceType.IKEV2 || !service.ike().spiRouting()) {
                continue;
            }
            String scope = scopeName(service);
            String key = scope != null ? scope : "service " + service.name();
            Duration timeout = scope != null ? timeouts.get(scope) : service.persistence().timeout();
            long bound = scope != null ? bounds.get(scope) : service.persistence().maxEntries();
            Duration saTimeout = timeout.compareTo(MIN_SA_TIMEOUT) >= 0 ? timeout : MIN_SA_TIMEOUT;
            SaTable kept = running == null ? null : running.saByScope().get(key);
            saByService.put(service.name(), saByScope.computeIfAbsent(key,
                    k -> kept != null ? kept : new SaTable(saTimeout, bound)));
        }
        return new Tables(Map.copyOf(byService), List.copyOf(byScope.values()), Map.copyOf(saByService),
                List.copyOf(saByScope.values()), Map.copyOf(saByScope), Map.copyOf(byScope));
    }

    private static void tune(PersistenceTable table, Duration timeout, long bound, List<String> changes) {
        if (!table.timeout().equals(timeout)) {
            changes.add("persistence " + table.scope() + ": timeout " + Durations.format(table.timeout()) + " -> "
                    + Durations.format(timeout));
            table.timeout(timeout);
        }
        if (table.maxEntries() != bound) {
            changes.add("persistence " + table.scope() + ": max-entries " + table.maxEntries() + " -> " + bound);
            table.maxEntries(bound);
        }
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
    public MemberSnapshot route(ServiceSnapshot service, ListenerSnapshot listener, InetSocketAddress client,
                                DatagramClassifier first) {
        PoolSnapshot pool = service.pool();
        InetAddress clientAddress = client.getAddress();
        Tables tables = this.tables;
        PersistenceTable table = tables.byService().get(service.name());
        SaTable sa = tables.saByService().get(service.name());
        if (sa != null) {
            InetAddress holder = null;
            if (first.kind() == DatagramKind.IKE) {
                holder = sa.ikeHolder(first.ike().initiatorSpi(), first.ike().responderSpi());
            } else if (first.kind() == DatagramKind.ESP) {
                holder = sa.espHolder(first.espSpi());
            }
            MemberSnapshot member = holder == null ? null : servingByAddress(pool, holder);
            if (member != null) {
                // The SA's member wins over the address: the client moved (MOBIKE) or its NAT rebound.
                saRoutes.increment();
                if (table != null) {
                    table.put(clientAddress, member.address());
                }
                return member;
            }
        }
        if (pool.selectable().isEmpty()) {
            return null;
        }
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

    @Override
    public void learnIke(ServiceSnapshot service, MemberSnapshot member, long initiatorSpi, long responderSpi) {
        SaTable sa = tables.saByService().get(service.name());
        if (sa != null) {
            sa.learnIke(initiatorSpi, responderSpi, member.address());
        }
    }

    @Override
    public void learnEsp(ServiceSnapshot service, MemberSnapshot member, int spi) {
        SaTable sa = tables.saByService().get(service.name());
        if (sa != null) {
            sa.learnEsp(spi, member.address());
        }
    }

    /** Drops every persistence entry and SA that points at {@code member}, in every scope. */
    public void forgetMember(InetAddress member) {
        Tables tables = this.tables;
        for (PersistenceTable table : tables.all()) {
            table.removeMember(member);
        }
        for (SaTable sa : tables.saAll()) {
            sa.removeMember(member);
        }
    }

    /** The SA table a service uses, or {@code null} when SPI routing is off for it. */
    public SaTable saTable(String serviceName) {
        return tables.saByService().get(serviceName);
    }

    public Collection<SaTable> saTables() {
        return tables.saAll();
    }

    /** New sessions sent to a member because of a known IKE or ESP SPI. */
    public long saRoutes() {
        return saRoutes.sum();
    }

    /** The persistence table a service uses, or {@code null} when its scope is {@code none}. */
    public PersistenceTable table(String serviceName) {
        return tables.byService().get(serviceName);
    }

    public Collection<PersistenceTable> tables() {
        return tables.all();
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
