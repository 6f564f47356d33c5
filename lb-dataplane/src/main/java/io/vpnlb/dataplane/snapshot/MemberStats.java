package io.vpnlb.dataplane.snapshot;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live per-member counters shared by every event loop. They are touched when a session opens or closes, never
 * per datagram.
 */
public final class MemberStats {

    private final AtomicInteger activeSessions = new AtomicInteger();
    private final LongAdder selections = new LongAdder();

    public int activeSessions() {
        return activeSessions.get();
    }

    public long selections() {
        return selections.sum();
    }

    public void sessionOpened() {
        activeSessions.incrementAndGet();
        selections.increment();
    }

    public void sessionClosed() {
        activeSessions.decrementAndGet();
    }
}
