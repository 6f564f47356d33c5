package io.vpnlb.control.health;

import io.vpnlb.config.HealthCheckConfig;
import io.vpnlb.config.HealthCheckType;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.MemberConfig;
import io.vpnlb.config.PoolConfig;
import io.vpnlb.config.ServiceConfig;
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

/**
 * Probes the members of every pool that has a {@code health-check}, every {@code interval}, and moves their
 * health by {@code rise} and {@code fall} (see {@link HealthTransitions}). Members in MAINT are not probed.
 * Probes run on their own threads, never on event loops.
 */
public final class HealthChecker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

    private final PoolManager pools;
    private final ScheduledExecutorService timer;
    private final ExecutorService probes;
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();

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
     */
    public static HealthChecker start(PoolManager pools, UdpDataPlane udp) {
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
            if (check.type() == HealthCheckType.NONE) {
                continue;
            }
            HealthProbe probe = probe(check.type());
            for (MemberState member : pools.members(pool.name())) {
                InetSocketAddress target = new InetSocketAddress(member.address(),
                        probePort(config, pool, member.config(), check.type()));
                checker.schedule(member, probe, target, check);
            }
            log.info("pool {}: {} health check every {} (timeout {}, rise {}, fall {})", pool.name(),
                    check.type().configName(), Probes.format(check.interval()), Probes.format(check.timeout()),
                    check.rise(), check.fall());
        }
        FragmentationWatch watch = new FragmentationWatch(pools, udp);
        checker.tasks.add(checker.timer.scheduleWithFixedDelay(watch::check, FRAGMENTATION_WATCH_SECONDS,
                FRAGMENTATION_WATCH_SECONDS, TimeUnit.SECONDS));
        return checker;
    }

    private void schedule(MemberState member, HealthProbe probe, InetSocketAddress target, HealthCheckConfig check) {
        long interval = check.interval().toNanos();
        // Spread the first checks over one interval so that members are not probed in lockstep.
        long initialDelay = Math.floorMod((long) target.hashCode(), Math.max(1, interval / 4));
        tasks.add(timer.scheduleWithFixedDelay(() -> probes.execute(() -> check(member, probe, target, check)),
                initialDelay, interval, TimeUnit.NANOSECONDS));
    }

    private void check(MemberState member, HealthProbe probe, InetSocketAddress target, HealthCheckConfig check) {
        if (member.adminState() == AdminState.MAINT) {
            return;
        }
        long start = System.nanoTime();
        ProbeResult result;
        try {
            result = probe.probe(target, check.timeout());
        } catch (RuntimeException e) {
            result = ProbeResult.down("probe error: " + e);
        }
        HealthTransitions.apply(pools, member, result.up(), result.detail(), System.nanoTime() - start,
                check.rise(), check.fall());
    }

    static HealthProbe probe(HealthCheckType type) {
        switch (type) {
            case IKE:
                return new IkeProbe();
            case UDP:
                return new UdpProbe();
            case TCP:
                return new TcpProbe(false);
            case SSTP:
                return new TcpProbe(true);
            default:
                throw new IllegalArgumentException("health check " + type);
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
        for (ScheduledFuture<?> task : tasks) {
            task.cancel(false);
        }
        timer.shutdownNow();
        probes.shutdownNow();
    }
}
