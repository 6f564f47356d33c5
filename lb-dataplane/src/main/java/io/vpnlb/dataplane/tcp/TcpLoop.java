package io.vpnlb.dataplane.tcp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** What one event loop owns for one TCP listener: its counters and its live connections. Loop-confined. */
final class TcpLoop {

    final TcpCounters counters = new TcpCounters();
    private final Set<TcpProxyHandler> sessions = Collections.newSetFromMap(new IdentityHashMap<>());

    void add(TcpProxyHandler session) {
        sessions.add(session);
    }

    void remove(TcpProxyHandler session) {
        sessions.remove(session);
    }

    /** Closes the sessions bound to {@code memberKey} of {@code pool}; runs on the owning loop. */
    void evictMember(String pool, String memberKey) {
        List<TcpProxyHandler> doomed = new ArrayList<>();
        for (TcpProxyHandler session : sessions) {
            if (session.boundTo(pool, memberKey)) {
                doomed.add(session);
            }
        }
        for (TcpProxyHandler session : doomed) {
            session.drop(TcpDropReason.MEMBER_EVICTED);
        }
    }

    /** Closes every session; runs on the owning loop. */
    void closeAll(TcpDropReason reason) {
        for (TcpProxyHandler session : new ArrayList<>(sessions)) {
            session.drop(reason);
        }
    }

    int size() {
        return sessions.size();
    }
}
