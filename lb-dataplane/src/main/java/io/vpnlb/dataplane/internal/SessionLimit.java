package io.vpnlb.dataplane.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A count of live sessions with a bound checked when one is taken: the sessions of a service across all its
 * listeners and event loops, its half-open IKE sessions, or those of one client address. Touched only when a
 * session opens or closes, from any event loop.
 */
public final class SessionLimit {

    private final AtomicInteger active = new AtomicInteger();

    /** Takes a slot if fewer than {@code max} are taken. A refused session never evicts an active one. */
    public boolean tryAcquire(int max) {
        for (;;) {
            int current = active.get();
            if (current >= max) {
                return false;
            }
            if (active.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    public void release() {
        active.decrementAndGet();
    }

    public int active() {
        return active.get();
    }
}
