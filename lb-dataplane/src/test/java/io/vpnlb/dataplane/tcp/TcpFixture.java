package io.vpnlb.dataplane.tcp;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.vpnlb.config.Algorithm;
import io.vpnlb.config.IkeConfig;
import io.vpnlb.config.PersistenceConfig;
import io.vpnlb.config.PortMapping;
import io.vpnlb.config.ProxyProtocol;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.ServiceType;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.dataplane.snapshot.DataPlaneSnapshot;
import io.vpnlb.dataplane.snapshot.ListenerSnapshot;
import io.vpnlb.dataplane.snapshot.MemberSnapshot;
import io.vpnlb.dataplane.snapshot.MemberStats;
import io.vpnlb.dataplane.snapshot.PoolSnapshot;
import io.vpnlb.dataplane.snapshot.ServiceSnapshot;
import io.vpnlb.dataplane.snapshot.SessionRouter;
import io.vpnlb.dataplane.transport.NetTransport;
import io.vpnlb.dataplane.wire.DatagramClassifier;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One TCP service on 127.0.0.1 port 0 in front of members on loopback, with a router that answers members in a
 * fixed order (round robin over {@code routeOrder}) so tests know where each connection goes.
 */
final class TcpFixture implements AutoCloseable {

    final MultiThreadIoEventLoopGroup group;
    final TcpDataPlane plane;
    final List<MemberSnapshot> members;
    final AtomicInteger routes = new AtomicInteger();

    TcpFixture(NetTransport transport, ServiceType type, TlsConfig tls, Duration idle, int[] memberPorts) {
        this(transport, type, tls, idle, memberPorts, 1000);
    }

    TcpFixture(NetTransport transport, ServiceType type, TlsConfig tls, Duration idle, int[] memberPorts,
               int maxSessions) {
        this(transport, type, tls, idle, memberPorts, maxSessions, ProxyProtocol.NONE);
    }

    TcpFixture(NetTransport transport, ServiceType type, TlsConfig tls, Duration idle, int[] memberPorts,
               int maxSessions, ProxyProtocol proxyProtocol) {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        List<MemberSnapshot> list = new ArrayList<>();
        for (int port : memberPorts) {
            list.add(new MemberSnapshot("127.0.0.1:" + port, loopback, port, 100, 1, true, true, new MemberStats()));
        }
        members = List.copyOf(list);
        PoolSnapshot pool = new PoolSnapshot("pool", Algorithm.ROUND_ROBIN, members, members, null, proxyProtocol);
        ServiceSnapshot service = new ServiceSnapshot(0, "svc", type, loopback,
                List.of(new ListenerSnapshot("svc/0", 0, 0, ListenerSnapshot.Role.PLAIN)), true, idle.toNanos(),
                maxSessions, pool, IkeConfig.DEFAULT);
        DataPlaneSnapshot snapshot = new DataPlaneSnapshot(1, List.of(service));
        SessionRouter router = new SessionRouter() {
            @Override
            public MemberSnapshot route(ServiceSnapshot s, ListenerSnapshot l, InetSocketAddress client,
                                        DatagramClassifier first) {
                List<MemberSnapshot> selectable = s.pool().selectable();
                return selectable.isEmpty() ? null
                        : selectable.get(Math.floorMod(routes.getAndIncrement(), selectable.size()));
            }
        };
        ServiceConfig config = new ServiceConfig("svc", type, "127.0.0.1", List.of(new PortMapping(0, 0)), "pool", true,
                PersistenceConfig.DEFAULT, idle, maxSessions, tls);
        group = transport.newEventLoopGroup(2);
        try {
            plane = TcpDataPlane.start(transport, group, () -> snapshot, router, List.of(config));
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            throw e;
        }
    }

    InetSocketAddress address() {
        return plane.listeners().get(0).address();
    }

    TcpCounters counters() {
        return plane.listeners().get(0).counters();
    }

    int activeSessions() {
        return plane.listeners().get(0).activeSessions();
    }

    @Override
    public void close() {
        plane.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
