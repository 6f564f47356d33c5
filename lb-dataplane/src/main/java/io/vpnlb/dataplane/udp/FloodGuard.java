package io.vpnlb.dataplane.udp;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vpnlb.config.IkeConfig;
import io.vpnlb.dataplane.internal.SessionLimit;

import java.net.InetAddress;
import java.time.Duration;

/**
 * Admission of new sessions for one IKEv2 service, shared by its listeners on every event loop: a per-source
 * rate of new sessions (token bucket, bursts of twice the rate), and bounds on half-open sessions (opened by an
 * IKE_SA_INIT request that the member has not answered yet) for the service and per source address. Refusing a
 * new session never touches an established one.
 *
 * <p>Touched only when a session is created, gets its first member datagram, or closes; never per datagram of an
 * established session. The per-source table is bounded and forgets idle sources, so a flood from many addresses
 * costs bounded memory.
 */
public final class FloodGuard {

    /** Sources remembered at most; the least recently seen go first. */
    static final long MAX_SOURCES = 1_000_000;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final SessionLimit halfOpen = new SessionLimit();
    private final Cache<InetAddress, Source> sources = Caffeine.newBuilder()
            .maximumSize(MAX_SOURCES)
            .expireAfterAccess(Duration.ofMinutes(2))
            .executor(Runnable::run)
            .build();

    /** Half-open sessions of the service now. */
    public int halfOpen() {
        return halfOpen.active();
    }

    /** Source addresses remembered now. */
    public long sources() {
        sources.cleanUp();
        return sources.estimatedSize();
    }

    /**
     * Decides whether {@code client} may open a new session now.
     *
     * @param ikeSaInit the session's first datagram is an IKE_SA_INIT request: it starts half-open
     * @return {@code null} when admitted (the half-open slot, if any, is taken: see {@link #release}), else why not
     */
    DropReason admit(InetAddress client, boolean ikeSaInit, IkeConfig limits, long nowNanos) {
        Source source = sources.get(client, address -> new Source(limits.newSessionsPerSource(), nowNanos));
        if (!source.tryTake(limits.newSessionsPerSource(), nowNanos)) {
            return DropReason.NEW_SESSION_RATE;
        }
        if (!ikeSaInit) {
            return null;
        }
        if (!halfOpen.tryAcquire(limits.maxHalfOpen())) {
            return DropReason.HALF_OPEN_LIMIT;
        }
        if (!source.halfOpen.tryAcquire(limits.maxHalfOpenPerSource())) {
            halfOpen.release();
            return DropReason.HALF_OPEN_SOURCE_LIMIT;
        }
        return null;
    }

    /** Gives back the half-open slot of {@code client}'s session: the member answered, or the session closed. */
    void release(InetAddress client) {
        halfOpen.release();
        Source source = sources.getIfPresent(client);
        if (source != null) {
            source.halfOpen.release();
        }
    }

    /** One client address: its token bucket and its half-open sessions. */
    private static final class Source {

        final SessionLimit halfOpen = new SessionLimit();
        private double tokens;
        private long refilledNanos;

        Source(int rate, long nowNanos) {
            this.tokens = 2.0 * rate;
            this.refilledNanos = nowNanos;
        }

        synchronized boolean tryTake(int rate, long nowNanos) {
            double burst = 2.0 * rate;
            long elapsed = nowNanos - refilledNanos;
            if (elapsed > 0) {
                tokens = Math.min(burst, tokens + (double) elapsed * rate / NANOS_PER_SECOND);
                refilledNanos = nowNanos;
            }
            if (tokens < 1.0) {
                return false;
            }
            tokens -= 1.0;
            return true;
        }
    }
}
