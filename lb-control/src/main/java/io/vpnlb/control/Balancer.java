package io.vpnlb.control;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.control.pool.PoolManager;
import io.vpnlb.dataplane.snapshot.MemberSnapshot;
import io.vpnlb.dataplane.snapshot.PoolSnapshot;
import io.vpnlb.dataplane.snapshot.ServiceSnapshot;
import io.vpnlb.dataplane.transport.NetTransport;
import io.vpnlb.dataplane.udp.UdpDataPlane;
import io.vpnlb.dataplane.udp.UdpListenerGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * A running balancer: event loops, the published snapshot, the router and the listeners of one validated
 * configuration.
 */
public final class Balancer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Balancer.class);

    private final NetTransport transport;
    private final MultiThreadIoEventLoopGroup group;
    private final PoolManager pools;
    private final UdpDataPlane udp;

    private Balancer(NetTransport transport, MultiThreadIoEventLoopGroup group, PoolManager pools, UdpDataPlane udp) {
        this.transport = transport;
        this.group = group;
        this.pools = pools;
        this.udp = udp;
    }

    /** Event loops: one per core. */
    public static int defaultLoops() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Starts the balancer on a configuration that passed validation.
     *
     * @throws StartException with one clear line when a transport, service type or listener cannot run here
     */
    public static Balancer start(LbConfig config, int loops) {
        for (ServiceConfig service : config.services()) {
            if (!service.type().datagram()) {
                throw new StartException("service " + service.name() + ": type " + service.type().configName()
                        + " is not served by this version of vpnlb yet (UDP services only: ikev2, udp)");
            }
        }
        NetTransport transport;
        try {
            transport = NetTransport.resolve(config.transport());
        } catch (RuntimeException e) {
            throw new StartException(e.getMessage(), e);
        }
        PoolManager pools = new PoolManager(config);
        MultiThreadIoEventLoopGroup group = transport.newEventLoopGroup(loops);
        UdpDataPlane udp;
        try {
            udp = UdpDataPlane.start(transport, group, loops, pools.publisher(), pools.router());
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            throw new StartException(e.getMessage(), e);
        }
        pools.evictor(udp::evictMember);
        Balancer balancer = new Balancer(transport, group, pools, udp);
        balancer.logStartup(loops);
        return balancer;
    }

    private void logStartup(int loops) {
        log.info("transport {} with {} event loop(s){}", transport.displayName(), loops,
                transport.supportsReusePort() ? ", one socket per loop and port (SO_REUSEPORT)" : "");
        for (UdpListenerGroup listener : udp.listeners()) {
            log.info("listener {} live on UDP {}:{} -> member port {} ({} socket(s))", listener.listener().name(),
                    listener.address().getAddress().getHostAddress(), listener.address().getPort(),
                    listener.listener().memberPort(), listener.channels().size());
        }
        for (ServiceSnapshot service : pools.snapshot().services()) {
            PoolSnapshot pool = service.pool();
            StringJoiner members = new StringJoiner(", ");
            for (MemberSnapshot member : pool.members()) {
                members.add(member.address().getHostAddress() + (member.port() == 0 ? "" : ":" + member.port())
                        + " w" + member.weight() + " p" + member.priority()
                        + (pool.selectable().contains(member) ? "" : " (standby)"));
            }
            log.info("service {} -> pool {} ({}, {} selectable): {}", service.name(), pool.name(),
                    pool.algorithm().configName(), pool.selectable().size(), members);
        }
    }

    public NetTransport transport() {
        return transport;
    }

    public PoolManager pools() {
        return pools;
    }

    public UdpDataPlane udp() {
        return udp;
    }

    public MultiThreadIoEventLoopGroup eventLoops() {
        return group;
    }

    /** Closes the listeners (and with them every session) and stops the event loops. */
    @Override
    public void close() {
        udp.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        log.info("stopped");
    }

    /** The balancer cannot start; the message is one line for the operator. */
    public static final class StartException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        public StartException(String message) {
            super(message);
        }

        public StartException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
