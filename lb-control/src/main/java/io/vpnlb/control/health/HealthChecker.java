package io.vpnlb.control.health;

import io.vpnlb.config.HealthCheckConfig;
import io.vpnlb.config.HealthCheckType;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.MemberConfig;
import io.vpnlb.config.PoolConfig;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.TlsMode;
import io.vpnlb.config.cert.CertificateBundle;
import io.vpnlb.control.pool.AdminState;
import io.vpnlb.control.pool.MemberState;
import io.vpnlb.control.pool.PoolManager;
import io.vpnlb.control.pool.HealthTransitions;
import io.vpnlb.dataplane.udp.UdpDataPlane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Probes the members of every pool that has a {@code health-check}, every {@code interval}, and moves their
 * health by {@code rise} and {@code fall} (see {@link HealthTransitions}). Members in MAINT are not probed.
 * Probes run on their own threads with blocking sockets, never on event loops. Members of pools used by reencrypt
 * services have the certificate they present in each TLS check compared with vpnlb's ({@link CertificateWatch}).
 */
public final class HealthChecker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

    private final PoolManager pools;
    private final ScheduledExecutorService timer;
    private final ExecutorService probes;
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    /** Set by {@link #close()}: a check still running then (a reload replaced this checker) is not counted. */
    private volatile boolean closed;

    private HealthChecker(PoolManager pools, int probeThreads) {
        this.pools = pools;
        this.timer = Executors.newSingleThreadScheduledExecutor(threads("vpnlb-health-timer"));
        this.probes = Executors.newFixedThreadPool(probeThreads, threads("vpnlb-health"));
    }

    /** How often member IKE fragmentation support is compared with what clients send. */
    static final long FRAGMENTATION_WATCH_SECONDS = 30;

    /**
     * Starts checking every pool of {@code pools} that has a health check, and watching members' IKE fragmentation
     * support against the traffic of {@code udp}; returns at once.
     *
     * @param presented the certificate vpnlb presents on a TCP service, by service name ({@code null} if none):
     *                  members of pools used by reencrypt services are compared with it
     */
    public static HealthChecker start(PoolManager pools, UdpDataPlane udp,
                                      Function<String, CertificateBundle> presented) {
        LbConfig config = pools.config();
        int checked = 0;
        for (PoolConfig pool : config.pools()) {
            if (pool.healthCheck().type() != HealthCheckType.NONE) {
                checked += pool.members().size();
            }
        }
        HealthChecker checker = new HealthChecker(pools, Math.max(1, Math.min(16, checked)));
        for (PoolConfig pool : config.pools()) {
            HealthCheckConfig check = pool.healthCheck();
            List<ServiceConfig> users = users(config, pool.name());
            HealthProbe probe = check.type() == HealthCheckType.NONE ? null
                    : probe(check, https(check, users), checker.timer);
            CertificateWatch watch = certificateWatch(pool.name(), users, presented);
            if (watch == null || !seesCertificates(probe)) {
                for (MemberState member : pools.members(pool.name())) {
                    member.certificateMismatch(null);
                }
            }
            if (watch != null && !seesCertificates(probe)) {
                log.warn("pool {} is used by reencrypt service(s) {}, but its health check ({}) makes no TLS "
                                + "handshake, so member certificates are not compared with vpnlb's; use type sstp "
                                + "(over HTTPS) or tls", pool.name(), String.join(", ", watch.services()),
                        check.type().configName() + (probe instanceof SstpProbe ? " with https: false" : ""));
                watch = null;
            }
            if (probe == null) {
                continue;
            }
            for (MemberState member : pools.members(pool.name())) {
                InetSocketAddress target = new InetSocketAddress(member.address(),
                        probePort(config, pool, member.config(), check.type()));
                checker.schedule(member, probe, watch, target, check);
            }
            log.info("pool {}: {} health check{} every {} (timeout {}, rise {}, fall {}){}", pool.name(),
                    check.type().configName(), describe(probe, check), Probes.format(check.interval()),
                    Probes.format(check.timeout()), check.rise(), check.fall(),
                    watch == null ? "" : "; member certificates compared with service(s) "
                            + String.join(", ", watch.services()));
        }
        FragmentationWatch fragmentation = new FragmentationWatch(pools, udp);
        checker.tasks.add(checker.timer.scheduleWithFixedDelay(fragmentation::check, FRAGMENTATION_WATCH_SECONDS,
                FRAGMENTATION_WATCH_SECONDS, TimeUnit.SECONDS));
        return checker;
    }

    private static String describe(HealthProbe probe, HealthCheckConfig check) {
        if (probe instanceof SstpProbe sstp) {
            return " over " + (sstp.https() ? "HTTPS" : "HTTP")
                    + (check.https() == null ? " (auto)" : "") + ", expecting "
                    + SstpProbe.expected(check.expectStatus());
        }
        return "";
    }

    private static boolean seesCertificates(HealthProbe probe) {
        return probe instanceof TcpProbe tcp && tcp.tls() || probe instanceof SstpProbe sstp && sstp.https();
    }

    /** The services that use {@code pool}, in configuration order. */
    static List<ServiceConfig> users(LbConfig config, String pool) {
        List<ServiceConfig> users = new ArrayList<>();
        for (ServiceConfig service : config.services()) {
            if (service.pool().equals(pool)) {
                users.add(service);
            }
        }
        return users;
    }

    /**
     * Whether an {@code sstp} check speaks HTTPS: as configured, else plain HTTP only when every service using the
     * pool terminates TLS (members behind TLS offload listen on plain HTTP, RRAS with UseHttps=0), HTTPS when
     * any passes TLS through or reencrypts (or carries TCP as it comes).
     */
    static boolean https(HealthCheckConfig check, List<ServiceConfig> users) {
        if (check.https() != null) {
            return check.https();
        }
        if (users.isEmpty()) {
            return true;
        }
        for (ServiceConfig service : users) {
            if (service.tls() == null || service.tls().mode() != TlsMode.TERMINATE) {
                return true;
            }
        }
        return false;
    }

    /** The comparison for a pool used by reencrypt services, else {@code null}. */
    static CertificateWatch certificateWatch(String pool, List<ServiceConfig> users,
                                             Function<String, CertificateBundle> presented) {
        List<String> reencrypt = new ArrayList<>();
        for (ServiceConfig service : users) {
            if (service.tls() != null && service.tls().mode() == TlsMode.REENCRYPT) {
                reencrypt.add(service.name());
            }
        }
        return reencrypt.isEmpty() ? null : new CertificateWatch(pool, reencrypt, presented);
    }

    private void schedule(MemberState member, HealthProbe probe, CertificateWatch watch, InetSocketAddress target,
                          HealthCheckConfig check) {
        long interval = check.interval().toNanos();
        // Spread the first checks over one interval so that members are not probed in lockstep.
        long initialDelay = Math.floorMod((long) target.hashCode(), Math.max(1, interval / 4));
        tasks.add(timer.scheduleWithFixedDelay(() -> probes.execute(() -> check(member, probe, watch, target, check)),
                initialDelay, interval, TimeUnit.NANOSECONDS));
    }

    private void check(MemberState member, HealthProbe probe, CertificateWatch watch, InetSocketAddress target,
                       HealthCheckConfig check) {
        if (closed || member.adminState() == AdminState.MAINT) {
            return;
        }
        long start = System.nanoTime();
        ProbeResult result;
        try {
            result = probe.probe(target, check.timeout());
        } catch (RuntimeException e) {
            result = ProbeResult.down("probe error: " + e);
        }
        if (closed) {
            return;
        }
        // A reload may have replaced the member's state object (new weight or priority) since this check started.
        MemberState current = pools.member(member.pool(), member.key());
        if (current == null) {
            return;
        }
        String detail = result.detail();
        if (watch != null && result.memberCertificate() != null) {
            String mismatch = watch.compare(current, result.memberCertificate());
            if (mismatch != null) {
                detail += "; " + mismatch;
            }
        }
        HealthTransitions.apply(pools, member, result.up(), detail, System.nanoTime() - start,
                check.rise(), check.fall());
    }

    /**
     * The probe of a check type.
     *
     * @param https for {@code sstp}: over TLS
     * @param timer runs the watchdogs that end probes at their timeout
     */
    static HealthProbe probe(HealthCheckConfig check, boolean https, ScheduledExecutorService timer) {
        switch (check.type()) {
            case IKE:
                return new IkeProbe();
            case UDP:
                return new UdpProbe();
            case TCP:
                return new TcpProbe(false, timer);
            case SSTP:
                return new SstpProbe(https, check.expectStatus(), timer);
            case TLS:
                return new TcpProbe(true, timer);
            default:
                throw new IllegalArgumentException("health check " + check.type());
        }
    }

    /**
     * The member port a check probes: the member's own port, else the member port of the first listener of the
     * first service using the pool (for ikev2 that is the IKE port, UDP 500).
     */
    static int probePort(LbConfig config, PoolConfig pool, MemberConfig member, HealthCheckType type) {
        if (member.port() != MemberConfig.PORT_FROM_SERVICE) {
            return member.port();
        }
        for (ServiceConfig service : config.services()) {
            if (service.pool().equals(pool.name()) && !service.ports().isEmpty()) {
                return service.ports().get(0).memberPort();
            }
        }
        switch (type) {
            case IKE:
                return 500;
            case SSTP:
            case TLS:
                return 443;
            default:
                throw new IllegalStateException("pool " + pool.name() + " has no service and no member port");
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() {
        closed = true;
        for (ScheduledFuture<?> task : tasks) {
            task.cancel(false);
        }
        timer.shutdownNow();
        probes.shutdownNow();
    }
}
