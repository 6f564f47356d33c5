package io.vpnlb.control.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.vpnlb.config.cert.CertificateBundle;
import io.vpnlb.control.persistence.PersistenceTable;
import io.vpnlb.control.persistence.SaTable;
import io.vpnlb.control.pool.AdminState;
import io.vpnlb.control.pool.Health;
import io.vpnlb.control.pool.MemberState;
import io.vpnlb.control.pool.PoolManager;
import io.vpnlb.dataplane.tcp.TcpCounters;
import io.vpnlb.dataplane.tcp.TcpDataPlane;
import io.vpnlb.dataplane.tcp.TcpDropReason;
import io.vpnlb.dataplane.tcp.TcpListenerGroup;
import io.vpnlb.dataplane.udp.DropReason;
import io.vpnlb.dataplane.udp.FloodGuard;
import io.vpnlb.dataplane.udp.ListenerCounters;
import io.vpnlb.dataplane.udp.UdpDataPlane;
import io.vpnlb.dataplane.udp.UdpListenerGroup;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The balancer's Prometheus metrics. Nothing here touches the data path: listener meters are functions that
 * sum the per-loop {@link ListenerCounters} when scraped, member meters read the live {@link MemberState}.
 *
 * <p>Series (all names start with {@code vpnlb_}):
 * <ul>
 *   <li>per listener ({@code service}, {@code listener}): {@code vpnlb_listener_rx_datagrams_total},
 *       {@code vpnlb_listener_rx_bytes_total}, {@code vpnlb_listener_tx_datagrams_total},
 *       {@code vpnlb_listener_tx_bytes_total}, {@code vpnlb_sessions_opened_total},
 *       {@code vpnlb_sessions_expired_total}, {@code vpnlb_sessions_closed_total}, {@code vpnlb_sessions_active},
 *       {@code vpnlb_upstream_errors_total}, {@code vpnlb_drops_total{reason}}</li>
 *   <li>per member ({@code pool}, {@code member}): {@code vpnlb_member_health{state}} and
 *       {@code vpnlb_member_admin_state{state}} (1 for the current state, 0 for the others),
 *       {@code vpnlb_member_eligible}, {@code vpnlb_member_weight}, {@code vpnlb_member_sessions_active},
 *       {@code vpnlb_member_selections_total}, {@code vpnlb_member_health_checks_total},
 *       {@code vpnlb_member_health_check_failures_total}, {@code vpnlb_member_health_check_duration_seconds}
 *       (the last check), {@code vpnlb_member_certificate_mismatch} (reencrypt pools: 1 while the member presents
 *       another certificate than vpnlb)</li>
 *   <li>persistence: {@code vpnlb_persistence_entries{scope}}, {@code vpnlb_persistence_hits_total},
 *       {@code vpnlb_persistence_misses_total}</li>
 *   <li>control: {@code vpnlb_snapshot_version}, {@code vpnlb_config_reloads_total{result}}</li>
 *   <li>JVM ({@code jvm_*}, {@code process_*}, {@code system_*}) and Netty's allocator
 *       ({@code netty_allocator_*})</li>
 * </ul>
 */
public final class VpnlbMetrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PoolManager pools;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final UdpDataPlane udp;
    private volatile TcpDataPlane tcp;
    private final Map<String, List<Meter>> memberMeters = new HashMap<>();
    private final Map<PersistenceTable, List<Meter>> persistenceMeters = new IdentityHashMap<>();
    /** Meters of listeners and flood guards, by the object they read. */
    private final Map<Object, List<Meter>> dataPlaneMeters = new IdentityHashMap<>();
    /** Certificate meters by subject and SHA-256: services may present the same certificate. */
    private final Map<String, List<Meter>> certificateMeters = new HashMap<>();
    /** SA-table gauges by service: one table may serve several services of a VIP. */
    private final Map<SaKey, List<Meter>> saMeters = new HashMap<>();
    private final Counter reloadsApplied;
    private final Counter reloadsRejected;
    private final Counter adminTokenRefused;
    private final Counter adminLockedOut;

    public VpnlbMetrics(PoolManager pools, UdpDataPlane udp) {
        this.pools = pools;
        this.udp = udp;
        FunctionCounter.builder("vpnlb.persistence.hits", pools.router(), r -> r.persistenceHits())
                .description("New sessions sent to the member their client was persisted to")
                .register(registry);
        FunctionCounter.builder("vpnlb.persistence.misses", pools.router(), r -> r.persistenceMisses())
                .description("New sessions whose client had no usable persistence entry")
                .register(registry);
        FunctionCounter.builder("vpnlb.sa.routes", pools.router(), r -> r.saRoutes())
                .description("New sessions sent to a member because of a known IKE or ESP SPI (MOBIKE, NAT rebinding)")
                .register(registry);
        FunctionCounter.builder("vpnlb.kernel.udp.receive.buffer.errors", KernelUdpCounters.class,
                        c -> KernelUdpCounters.receiveBufferErrors())
                .description("UDP datagrams the kernel dropped on a full socket receive buffer, in vpnlb's network"
                        + " namespace (every process of it): listener or member sockets that could not keep up")
                .register(registry);
        FunctionCounter.builder("vpnlb.kernel.udp.send.buffer.errors", KernelUdpCounters.class,
                        c -> KernelUdpCounters.sendBufferErrors())
                .description("UDP datagrams not sent because a socket send buffer was full, in vpnlb's network"
                        + " namespace (every process of it)")
                .register(registry);
        Gauge.builder("vpnlb.snapshot.version", pools, p -> p.snapshot().version())
                .description("Version of the data-plane snapshot in use; grows with every change")
                .strongReference(true).register(registry);
        reloadsApplied = Counter.builder("vpnlb.config.reloads").tag("result", "applied")
                .description("Configuration reloads (SIGHUP or POST /api/v1/reload) by result").register(registry);
        reloadsRejected = Counter.builder("vpnlb.config.reloads").tag("result", "rejected")
                .description("Configuration reloads (SIGHUP or POST /api/v1/reload) by result").register(registry);
        adminTokenRefused = Counter.builder("vpnlb.admin.auth.failures")
                .description("Admin API requests refused (401) for a wrong or missing token").register(registry);
        adminLockedOut = Counter.builder("vpnlb.admin.auth.locked.out")
                .description("Admin API requests refused (429) because their source sent too many wrong tokens")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            new NettyAllocatorMetrics(provider).bindTo(registry);
        }
        sync();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition format (version 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    /**
     * Registers the meters of the TCP listeners (tcp, sstp, ip-https) and their certificates. Per-loop counters
     * are summed when scraped, as for UDP.
     */
    public void bindTcp(TcpDataPlane tcp) {
        this.tcp = tcp;
        sync();
    }

    private List<Meter> bindTcpListener(TcpListenerGroup group) {
        List<Meter> meters = new ArrayList<>();
        Tags tags = Tags.of("service", group.serviceName(), "listener", group.listener().name());
        tcpCounter(meters, "vpnlb.tcp.connections.accepted", "Client connections accepted", group, tags,
                TcpCounters::accepted);
        tcpCounter(meters, "vpnlb.tcp.connections.opened", "Connections forwarded to a member", group, tags,
                TcpCounters::opened);
        tcpCounter(meters, "vpnlb.tcp.connections.closed", "Connections closed", group, tags, TcpCounters::closed);
        tcpCounter(meters, "vpnlb.tcp.rx.bytes", "Bytes received from clients", group, tags, TcpCounters::rxBytes);
        tcpCounter(meters, "vpnlb.tcp.tx.bytes", "Bytes sent to clients", group, tags, TcpCounters::txBytes);
        tcpCounter(meters, "vpnlb.tcp.connect.retries", "Member connects retried on another member", group, tags,
                TcpCounters::connectRetries);
        tcpCounter(meters, "vpnlb.tls.session.routes",
                "Connections routed to the member of the TLS session they resume (TLS-session persistence)", group,
                tags, TcpCounters::tlsSessionRoutes);
        tcpCounter(meters, "vpnlb.sstp.requests", "SSTP_DUPLEX_POST requests accepted", group, tags,
                TcpCounters::sstpRequests);
        tcpCounter(meters, "vpnlb.sstp.crypto.bindings.matched",
                "SSTP crypto bindings whose certificate hash matched the certificate vpnlb presented", group,
                tags, TcpCounters::cryptoBindingsMatched);
        tcpCounter(meters, "vpnlb.sstp.crypto.bindings.intercepted",
                "SSTP crypto bindings carrying the hash of another certificate (TLS inspection on the way)",
                group, tags, TcpCounters::cryptoBindingsIntercepted);
        tcpCounter(meters, "vpnlb.sstp.crypto.bindings.rejected",
                "SSTP sessions the member aborted after the crypto binding (wrong offload hash on the member)",
                group, tags, TcpCounters::cryptoBindingsRejectedByMember);
        tcpCounter(meters, "vpnlb.tls.reencrypt.certificate.mismatches",
                "Member certificates that differ from vpnlb's in reencrypt mode", group, tags,
                TcpCounters::reencryptCertificateMismatches);
        meters.add(Gauge.builder("vpnlb.tcp.connections.active", group, g -> g.counters().active())
                .description("Live client connections").tags(tags).strongReference(true).register(registry));
        for (TcpDropReason reason : TcpDropReason.values()) {
            meters.add(FunctionCounter.builder("vpnlb.tcp.drops", group, g -> g.counters().drops(reason))
                    .description("Connections refused or closed early, by reason")
                    .tags(tags).tag("reason", reason.metricName()).register(registry));
        }
        return meters;
    }

    private List<Meter> bindCertificate(CertificateBundle bundle) {
        return List.of(Gauge.builder("vpnlb.certificate.expiry.seconds", bundle,
                    b -> Duration.between(Instant.now(), b.notAfter()).getSeconds())
            .description("Seconds until the certificate expires (negative once expired)")
            .tag("subject", bundle.subject())
            .tag("sha256", CertificateBundle.hex(bundle.sha256()))
            .strongReference(true).register(registry));
    }

    private List<Meter> bindFloodGuard(String service, FloodGuard guard) {
        List<Meter> meters = new ArrayList<>();
        meters.add(Gauge.builder("vpnlb.ike.half.open", guard, g -> g.halfOpen())
            .description("Sessions opened by an IKE_SA_INIT that the member has not answered yet")
            .tag("service", service).strongReference(true).register(registry));
        meters.add(Gauge.builder("vpnlb.ike.sources", guard, g -> g.sources())
            .description("Client addresses tracked for new-session rates and half-open bounds")
            .tag("service", service).strongReference(true).register(registry));
        return meters;
    }

    private List<Meter> bindSaTable(String service, SaTable sa) {
        return List.of(
            Gauge.builder("vpnlb.sa.entries", sa, SaTable::ikeEntries)
                    .description("SAs whose member vpnlb knows, by kind")
                    .tags("service", service, "kind", "ike").strongReference(true).register(registry),
            Gauge.builder("vpnlb.sa.entries", sa, SaTable::espEntries)
                    .description("SAs whose member vpnlb knows, by kind")
                    .tags("service", service, "kind", "esp").strongReference(true).register(registry));
    }

    private void tcpCounter(List<Meter> meters, String name, String description, TcpListenerGroup group, Tags tags,
                            ToDoubleFunction<TcpCounters> reading) {
        meters.add(FunctionCounter.builder(name, group, g -> reading.applyAsDouble(g.counters()))
                .description(description).tags(tags).register(registry));
    }

    /** Counts an admin API request refused for its token (401) or its locked-out source (429). */
    public void adminRefused(boolean lockedOut) {
        (lockedOut ? adminLockedOut : adminTokenRefused).increment();
    }

    /** Counts a reload. */
    public void reloaded(boolean applied) {
        (applied ? reloadsApplied : reloadsRejected).increment();
    }

    /**
     * Registers the meters of members, persistence scopes, listeners and certificates that appeared and removes
     * those that left (a reload added or removed them).
     */
    public synchronized void sync() {
        Set<String> live = new HashSet<>();
        for (String pool : pools.poolNames()) {
            List<MemberState> members = pools.members(pool);
            if (members == null) {
                continue;
            }
            for (MemberState member : members) {
                String id = pool + "\u0000" + member.key();
                live.add(id);
                memberMeters.computeIfAbsent(id, unused -> bindMember(pool, member.key(), display(member)));
            }
        }
        memberMeters.entrySet().removeIf(entry -> {
            if (live.contains(entry.getKey())) {
                return false;
            }
            entry.getValue().forEach(registry::remove);
            return true;
        });
        Map<PersistenceTable, Boolean> tables = new IdentityHashMap<>();
        for (PersistenceTable table : pools.router().tables()) {
            tables.put(table, Boolean.TRUE);
            persistenceMeters.computeIfAbsent(table, t -> List.of(
                    Gauge.builder("vpnlb.persistence.entries", t, PersistenceTable::size)
                            .description("Clients remembered by a persistence table")
                            .tag("scope", t.scope()).strongReference(true).register(registry)));
        }
        retain(persistenceMeters, tables);
        syncDataPlane();
    }

    private void syncDataPlane() {
        Map<Object, Boolean> live = new IdentityHashMap<>();
        Map<SaKey, Boolean> liveSa = new HashMap<>();
        Map<String, Boolean> liveCertificates = new HashMap<>();
        Set<String> guarded = new HashSet<>();
        for (UdpListenerGroup group : udp.listeners()) {
            live.put(group, Boolean.TRUE);
            dataPlaneMeters.computeIfAbsent(group, g -> bindListener(group));
            if (group.floodGuard() != null && guarded.add(group.serviceName())) {
                live.put(group.floodGuard(), Boolean.TRUE);
                dataPlaneMeters.computeIfAbsent(group.floodGuard(),
                        g -> bindFloodGuard(group.serviceName(), group.floodGuard()));
                SaTable sa = pools.router().saTable(group.serviceName());
                if (sa != null) {
                    SaKey key = new SaKey(group.serviceName(), sa);
                    liveSa.put(key, Boolean.TRUE);
                    saMeters.computeIfAbsent(key, k -> bindSaTable(group.serviceName(), sa));
                }
            }
        }
        TcpDataPlane tcpPlane = tcp;
        if (tcpPlane != null) {
            for (TcpListenerGroup group : tcpPlane.listeners()) {
                live.put(group, Boolean.TRUE);
                dataPlaneMeters.computeIfAbsent(group, g -> bindTcpListener(group));
            }
            for (CertificateBundle bundle : tcpPlane.certificates()) {
                // Services presenting the same certificate share its series (one bundle each, same contents).
                String id = bundle.subject() + '\n' + CertificateBundle.hex(bundle.sha256());
                liveCertificates.put(id, Boolean.TRUE);
                certificateMeters.computeIfAbsent(id, k -> bindCertificate(bundle));
            }
        }
        retain(dataPlaneMeters, live);
        retain(certificateMeters, liveCertificates);
        retain(saMeters, liveSa);
    }

    /** An SA table as read for one service (SaTable has identity equality). */
    private record SaKey(String service, SaTable table) {
    }

    private <K> void retain(Map<K, List<Meter>> meters, Map<?, Boolean> live) {
        meters.entrySet().removeIf(entry -> {
            if (live.containsKey(entry.getKey())) {
                return false;
            }
            entry.getValue().forEach(registry::remove);
            return true;
        });
    }

    /** {@code address} for a member whose port comes from the listener, else {@code address:port}. */
    public static String display(MemberState member) {
        int port = member.config().port();
        String address = member.address().getHostAddress();
        if (port == 0) {
            return address;
        }
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }

    private List<Meter> bindMember(String pool, String key, String name) {
        Tags tags = Tags.of("pool", pool, "member", name);
        List<Meter> meters = new ArrayList<>();
        for (Health health : Health.values()) {
            meters.add(Gauge.builder("vpnlb.member.health",
                            () -> state(pool, key, m -> m.health() == health ? 1 : 0))
                    .description("Member health from checks: 1 for the current state")
                    .tags(tags).tag("state", health.name().toLowerCase(Locale.ROOT)).register(registry));
        }
        for (AdminState admin : AdminState.values()) {
            meters.add(Gauge.builder("vpnlb.member.admin.state",
                            () -> state(pool, key, m -> m.adminState() == admin ? 1 : 0))
                    .description("Member admin state set by operators: 1 for the current state")
                    .tags(tags).tag("state", admin.apiName()).register(registry));
        }
        meters.add(Gauge.builder("vpnlb.member.eligible", () -> state(pool, key, m -> m.eligible() ? 1 : 0))
                .description("1 when the member may take new clients (READY, healthy, weight above 0)")
                .tags(tags).register(registry));
        meters.add(Gauge.builder("vpnlb.member.weight", () -> state(pool, key, MemberState::weight))
                .description("Member weight in use").tags(tags).register(registry));
        meters.add(Gauge.builder("vpnlb.member.priority", () -> state(pool, key, m -> m.config().priority()))
                .description("Member priority group: 1 is served first, higher groups while lower ones lack "
                        + "members").tags(tags).register(registry));
        meters.add(Gauge.builder("vpnlb.member.sessions.active",
                        () -> state(pool, key, m -> m.stats().activeSessions()))
                .description("Live sessions bound to the member").tags(tags).register(registry));
        meters.add(FunctionCounter.builder("vpnlb.member.selections", pools,
                        p -> state(pool, key, m -> m.stats().selections()))
                .description("Sessions opened toward the member").tags(tags).register(registry));
        meters.add(FunctionCounter.builder("vpnlb.member.health.checks", pools,
                        p -> state(pool, key, MemberState::checks))
                .description("Health checks run against the member").tags(tags).register(registry));
        meters.add(FunctionCounter.builder("vpnlb.member.health.check.failures", pools,
                        p -> state(pool, key, MemberState::checkFailures))
                .description("Health checks the member failed").tags(tags).register(registry));
        Map<String, ToDoubleFunction<MemberState>> transitions =
                Map.of("down", MemberState::wentDown, "up", MemberState::cameUp);
        transitions.forEach((to, count) -> meters.add(FunctionCounter.builder("vpnlb.member.health.transitions",
                        pools, p -> state(pool, key, count))
                .description("Times health checks took the member out of service (to=down) or put it back (to=up)")
                .tags(tags).tag("to", to).register(registry)));
        meters.add(FunctionCounter.builder("vpnlb.member.ike.sa.init.responses", pools,
                        p -> state(pool, key, m -> m.stats().ikeSaInitResponses()))
                .description("IKE_SA_INIT answers the member sent through vpnlb").tags(tags).register(registry));
        meters.add(Gauge.builder("vpnlb.member.ike.fragmentation.offered", () -> state(pool, key,
                        m -> m.stats().ikeSaInitResponses() == 0 ? Double.NaN
                                : m.stats().fragmentationOffers() > 0 ? 1 : 0))
                .description("1 when the member's IKE_SA_INIT answers offer IKEv2 fragmentation (RFC 7383), 0 when "
                        + "they never did, NaN before its first answer").tags(tags).register(registry));
        meters.add(Gauge.builder("vpnlb.member.certificate.mismatch",
                        () -> state(pool, key, m -> m.certificateMismatch() == null ? 0 : 1))
                .description("1 when the member's TLS health check saw another certificate than the one vpnlb "
                        + "presents on a reencrypt service using the pool (SSTP crypto binding fails), else 0")
                .tags(tags).register(registry));
        meters.add(Gauge.builder("vpnlb.member.health.check.duration.seconds",
                        () -> state(pool, key, m -> m.lastCheckNanos() / 1e9))
                .description("Duration of the last health check").tags(tags).register(registry));
        return meters;
    }

    private double state(String pool, String key, ToDoubleFunction<MemberState> reading) {
        MemberState member = pools.member(pool, key);
        return member == null ? Double.NaN : reading.applyAsDouble(member);
    }

    private List<Meter> bindListener(UdpListenerGroup group) {
        List<Meter> meters = new ArrayList<>();
        Tags tags = Tags.of("service", group.serviceName(), "listener", group.listener().name());
        counter(meters, "vpnlb.listener.rx.datagrams", "Datagrams received from clients on the listener", group, tags,
                ListenerCounters::rxDatagrams);
        counter(meters, "vpnlb.listener.rx.bytes", "Bytes received from clients on the listener", group, tags,
                ListenerCounters::rxBytes);
        counter(meters, "vpnlb.listener.tx.datagrams", "Datagrams sent back to clients from the listener", group, tags,
                ListenerCounters::txDatagrams);
        counter(meters, "vpnlb.listener.tx.bytes", "Bytes sent back to clients from the listener", group, tags,
                ListenerCounters::txBytes);
        counter(meters, "vpnlb.sessions.opened", "Sessions opened on the listener (_created is a reserved suffix)",
                group, tags, ListenerCounters::sessionsCreated);
        counter(meters, "vpnlb.sessions.expired", "Sessions closed after session-idle-timeout", group, tags,
                ListenerCounters::sessionsExpired);
        counter(meters, "vpnlb.sessions.closed", "Sessions closed for any reason, expiry included", group, tags,
                ListenerCounters::sessionsClosed);
        counter(meters, "vpnlb.upstream.errors", "Errors on sockets toward members, such as ICMP port unreachable",
                group, tags, ListenerCounters::upstreamErrors);
        if (group.listener().role().inspected()) {
            counter(meters, "vpnlb.ike.messages", "IKE messages from clients", group, tags,
                    ListenerCounters::ikeMessages);
            counter(meters, "vpnlb.ike.fragments",
                    "IKE messages from clients carrying an Encrypted Fragment (RFC 7383)",
                    group, tags, ListenerCounters::ikeFragments);
            counter(meters, "vpnlb.ike.oversized",
                    "IKE messages from clients over 1280 bytes (IP-fragmented on the way)",
                    group, tags, ListenerCounters::ikeOversized);
            counter(meters, "vpnlb.esp.datagrams", "ESP-in-UDP datagrams from clients", group, tags,
                    ListenerCounters::espDatagrams);
            counter(meters, "vpnlb.nat.keepalives", "NAT-T keepalives from clients", group, tags,
                    ListenerCounters::keepalives);
            counter(meters, "vpnlb.ike.half.open.expired", "Half-open IKE sessions closed after ike.half-open-timeout",
                    group, tags, ListenerCounters::halfOpenExpired);
        }
        meters.add(Gauge.builder("vpnlb.sessions.active", group, g -> {
                    ListenerCounters sum = g.counters();
                    return sum.sessionsCreated() - sum.sessionsClosed();
                })
                .description("Live sessions on the listener").tags(tags).strongReference(true).register(registry));
        for (DropReason reason : DropReason.values()) {
            meters.add(FunctionCounter.builder("vpnlb.drops", group, g -> g.counters().drops(reason))
                    .description("Datagrams not forwarded, by reason")
                    .tags(tags).tag("reason", reason.metricName()).register(registry));
        }
        return meters;
    }

    private void counter(List<Meter> meters, String name, String description, UdpListenerGroup group, Tags tags,
                         ToDoubleFunction<ListenerCounters> reading) {
        meters.add(FunctionCounter.builder(name, group, g -> reading.applyAsDouble(g.counters()))
                .description(description).tags(tags).register(registry));
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
