package io.vpnlb.dataplane.snapshot;

import java.net.InetSocketAddress;

/**
 * Chooses the member for a new session. Control implements it (persistence first, then the pool's balancing
 * algorithm). It is called once per session creation, on the event loop that owns the session, never per
 * datagram; it may be called from several event loops at once.
 */
public interface SessionRouter {

    /**
     * @return the member the client's new session goes to, or {@code null} when no member is eligible
     */
    MemberSnapshot route(ServiceSnapshot service, ListenerSnapshot listener, InetSocketAddress client);
}
