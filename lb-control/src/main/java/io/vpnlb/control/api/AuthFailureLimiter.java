package io.vpnlb.control.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Slows down token guessing: a source address that sent {@value #MAX_FAILURES} wrong or missing tokens within
 * {@link #WINDOW} is refused (HTTP 429) on every request that needs the token until the window since its first
 * failure has passed, even with the right token. Bounded to {@value #MAX_SOURCES} addresses; the oldest are
 * forgotten first.
 */
final class AuthFailureLimiter {

    private static final Logger log = LoggerFactory.getLogger(AuthFailureLimiter.class);

    static final int MAX_FAILURES = 20;
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final long MAX_SOURCES = 10_000;

    private final Cache<InetAddress, AtomicInteger> failures;
    private final LongAdder refused = new LongAdder();

    AuthFailureLimiter() {
        this(Ticker.systemTicker());
    }

    AuthFailureLimiter(Ticker ticker) {
        this.failures = Caffeine.newBuilder().expireAfterWrite(WINDOW).maximumSize(MAX_SOURCES).ticker(ticker)
                .build();
    }

    /** True when {@code source} is locked out now. {@code null} (no address) is never locked out. */
    boolean locked(InetAddress source) {
        if (source == null) {
            return false;
        }
        AtomicInteger count = failures.getIfPresent(source);
        if (count != null && count.get() >= MAX_FAILURES) {
            refused.increment();
            return true;
        }
        return false;
    }

    /** Counts a wrong or missing token from {@code source}. */
    void failed(InetAddress source) {
        if (source == null) {
            return;
        }
        int count = failures.asMap().computeIfAbsent(source, unused -> new AtomicInteger()).incrementAndGet();
        if (count == MAX_FAILURES) {
            log.warn("admin API: {} sent {} wrong or missing tokens within {}s; its requests are refused until the "
                    + "window passes", source.getHostAddress(), MAX_FAILURES, WINDOW.toSeconds());
        }
    }

    /** Requests refused because their source was locked out. */
    long refused() {
        return refused.sum();
    }
}
