package io.vpnlb.dataplane.udp;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The count of live sessions of one service across all its listeners and event loops. Touched only when a
 * session opens or closes.
 */
public final class SessionLimit {

    private final AtomicInteger active = new AtomicInteger();

    /** Takes a slot if fewer than {@code max} are taken. A refused session never evicts an active one. */
    boolean tryAcquire(int max) {
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

    void release() {
        active.decrementAndGet();
    }

    public int active() {
        return active.get();
    }
}
