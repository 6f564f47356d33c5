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
    private final LongAdder ikeSaInitResponses = new LongAdder();
    private final LongAdder fragmentationOffers = new LongAdder();

    public int activeSessions() {
        return activeSessions.get();
    }

    public long selections() {
        return selections.sum();
    }

    /** IKE_SA_INIT responses this member sent through vpnlb. */
    public long ikeSaInitResponses() {
        return ikeSaInitResponses.sum();
    }

    /** IKE_SA_INIT responses that carried IKEV2_FRAGMENTATION_SUPPORTED (RFC 7383). */
    public long fragmentationOffers() {
        return fragmentationOffers.sum();
    }

    /** Counts an IKE_SA_INIT response of this member; touched once per IKE SA, not per datagram. */
    public void ikeSaInitResponse(boolean offersFragmentation) {
        ikeSaInitResponses.increment();
        if (offersFragmentation) {
            fragmentationOffers.increment();
        }
    }

    public void sessionOpened() {
        activeSessions.incrementAndGet();
        selections.increment();
    }

    public void sessionClosed() {
        activeSessions.decrementAndGet();
    }
}
