package io.vpnlb.dataplane.snapshot;

import io.vpnlb.dataplane.wire.DatagramClassifier;

import java.net.InetSocketAddress;

/**
 * Chooses the member for a new session and learns which member holds which IKE and ESP SAs. Control implements
 * it (SA tables, persistence, then the pool's balancing algorithm). Every method runs on an event loop, never
 * per datagram: at session creation, or when a session sees an SPI it has not seen before. It may be called
 * from several event loops at once.
 */
public interface SessionRouter {

    /**
     * @param first the classified first datagram of the session ({@code OPAQUE} on a plain UDP listener)
     * @return the member the client's new session goes to, or {@code null} when no member can take it
     */
    MemberSnapshot route(ServiceSnapshot service, ListenerSnapshot listener, InetSocketAddress client,
                         DatagramClassifier first);

    /** An IKE SA with these SPIs ({@code responderSpi} 0 before the member answered) lives on {@code member}. */
    default void learnIke(ServiceSnapshot service, MemberSnapshot member, long initiatorSpi, long responderSpi) {
    }

    /** An ESP SA with this SPI (either direction) lives on {@code member}. */
    default void learnEsp(ServiceSnapshot service, MemberSnapshot member, int spi) {
    }
}
