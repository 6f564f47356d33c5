package io.vpnlb.control.pool;

import io.vpnlb.config.MemberConfig;
import io.vpnlb.dataplane.snapshot.MemberStats;

import java.net.InetAddress;
import java.util.Objects;

/**
 * The live state of one member of one pool: its configuration, the weight an operator may have changed, its
 * health from checks and its admin state. Written by control threads (health checker, admin API); every change
 * is followed by a new snapshot.
 */
public final class MemberState {

    private final String pool;
    private final String key;
    private final MemberConfig config;
    private final InetAddress address;
    private final MemberStats stats;
    private volatile int weight;
    private volatile Health health;
    private volatile AdminState adminState = AdminState.READY;
    private volatile String lastCheck = "";
    private volatile long lastCheckNanos;
    private final java.util.concurrent.atomic.AtomicReference<String> certificateMismatch =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final java.util.concurrent.atomic.LongAdder checkFailures = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder checks = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder wentDown = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder cameUp = new java.util.concurrent.atomic.LongAdder();
    private volatile long healthSinceMillis = System.currentTimeMillis();
    /** Consecutive successes or failures of the current run; written only by the health checker's thread. */
    int consecutiveSuccesses;
    int consecutiveFailures;

    MemberState(String pool, String key, MemberConfig config, InetAddress address, MemberStats stats,
                Health initialHealth) {
        this.pool = Objects.requireNonNull(pool);
        this.key = Objects.requireNonNull(key);
        this.config = Objects.requireNonNull(config);
        this.address = Objects.requireNonNull(address);
        this.stats = Objects.requireNonNull(stats);
        this.weight = config.weight();
        this.health = initialHealth;
    }

    public String pool() {
        return pool;
    }

    /** {@code address:port}, port 0 when it comes from the listener. */
    public String key() {
        return key;
    }

    public MemberConfig config() {
        return config;
    }

    public InetAddress address() {
        return address;
    }

    public MemberStats stats() {
        return stats;
    }

    public int weight() {
        return weight;
    }

    void weight(int weight) {
        this.weight = weight;
    }

    public Health health() {
        return health;
    }

    /**
     * Sets a new health (a change: the caller compares), records when and counts the member's going out of or
     * back into service.
     */
    void health(Health health) {
        Health before = this.health;
        this.health = health;
        this.healthSinceMillis = System.currentTimeMillis();
        if (before.serving() && !health.serving()) {
            wentDown.increment();
        } else if (!before.serving() && health.serving()) {
            cameUp.increment();
        }
    }

    /** When the health last changed (epoch milliseconds), or when the member was added if it never did. */
    public long healthSinceMillis() {
        return healthSinceMillis;
    }

    /** Times health checks took the member out of service (UP or STOPPING to DOWN). */
    public long wentDown() {
        return wentDown.sum();
    }

    /** Times health checks put the member back into service (STARTING or DOWN to UP). */
    public long cameUp() {
        return cameUp.sum();
    }

    public AdminState adminState() {
        return adminState;
    }

    void adminState(AdminState adminState) {
        this.adminState = adminState;
    }

    /** The last health-check outcome in words, empty before the first check. */
    public String lastCheck() {
        return lastCheck;
    }

    /** How long the last health check took. */
    public long lastCheckNanos() {
        return lastCheckNanos;
    }

    /** Health checks run against this member. */
    public long checks() {
        return checks.sum();
    }

    /** Health checks this member failed. */
    public long checkFailures() {
        return checkFailures.sum();
    }

    /**
     * Takes over the history of {@code previous}, the state of this member before a reload changed its
     * configuration: counters continue (Prometheus sees no reset), the health keeps its time of change and its
     * run of successes or failures toward rise or fall, and the certificate comparison stays.
     */
    void continueFrom(MemberState previous) {
        checks.add(previous.checks());
        checkFailures.add(previous.checkFailures());
        wentDown.add(previous.wentDown());
        cameUp.add(previous.cameUp());
        healthSinceMillis = previous.healthSinceMillis;
        lastCheck = previous.lastCheck;
        lastCheckNanos = previous.lastCheckNanos;
        certificateMismatch.set(previous.certificateMismatch());
        consecutiveSuccesses = previous.consecutiveSuccesses;
        consecutiveFailures = previous.consecutiveFailures;
    }

    void recordCheck(boolean up, String detail, long nanos) {
        checks.increment();
        if (!up) {
            checkFailures.increment();
        }
        this.lastCheck = detail;
        this.lastCheckNanos = nanos;
    }

    /**
     * How the certificate the member presented in its last TLS health check differs from the one vpnlb presents on
     * a reencrypt service using its pool; {@code null} when they are the same or nothing was compared.
     */
    public String certificateMismatch() {
        return certificateMismatch.get();
    }

    /**
     * Records the outcome of a certificate comparison ({@code null}: the same certificate, or no comparison).
     *
     * @return the previous outcome
     */
    public String certificateMismatch(String mismatch) {
        return certificateMismatch.getAndSet(mismatch);
    }

    /** May take new clients. */
    public boolean eligible() {
        return weight > 0 && adminState == AdminState.READY && health.serving();
    }

    /** May keep carrying the clients it has. */
    public boolean serving() {
        return adminState != AdminState.MAINT && health.serving();
    }
}
