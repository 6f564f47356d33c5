package io.vpnlb.control;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.cert.CertificateBundle;
import io.vpnlb.config.cert.CertificateException;
import io.vpnlb.config.cert.CertificateImporter;
import io.vpnlb.config.Violation;
import io.vpnlb.config.validate.Addresses;
import io.vpnlb.control.api.AdminApi;
import io.vpnlb.control.api.AdminServer;
import io.vpnlb.control.api.AdminToken;
import io.vpnlb.control.metrics.VpnlbMetrics;
import io.vpnlb.control.health.HealthChecker;
import io.vpnlb.control.pool.PoolManager;
import io.vpnlb.control.reload.ConfigReloader;
import io.vpnlb.control.reload.ReloadResult;
import io.vpnlb.dataplane.snapshot.MemberSnapshot;
import io.vpnlb.dataplane.snapshot.PoolSnapshot;
import io.vpnlb.dataplane.snapshot.ServiceSnapshot;
import io.vpnlb.dataplane.tcp.TcpDataPlane;
import io.vpnlb.dataplane.tcp.TcpListenerGroup;
import io.vpnlb.dataplane.tcp.TlsContexts;
import io.vpnlb.dataplane.transport.NetTransport;
import io.vpnlb.dataplane.udp.UdpDataPlane;
import io.vpnlb.dataplane.udp.UdpListenerGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
    private final VpnlbMetrics metrics;
    private final ConfigReloader reloader;
    private volatile AdminServer admin;
    private volatile HealthChecker health;
    private volatile TcpDataPlane tcp;
    private ScheduledExecutorService certificateWatch;

    /** How often the certificate files of terminating services are compared with what was loaded. */
    static final long CERTIFICATE_CHECK_SECONDS = 10;

    private Balancer(NetTransport transport, MultiThreadIoEventLoopGroup group, PoolManager pools, UdpDataPlane udp,
                     Path configFile) {
        this.transport = transport;
        this.group = group;
        this.pools = pools;
        this.udp = udp;
        this.metrics = new VpnlbMetrics(pools, udp);
        this.reloader = new ConfigReloader(pools, configFile, new ConfigReloader.ServiceListeners() {
            @Override
            public void bind(ServiceConfig service) {
                bindService(service);
            }

            @Override
            public void unbind(String name) {
                udp.unbind(name);
                tcp.unbind(name);
            }

            @Override
            public TcpDataPlane.CertificateReload reloadCertificates(List<ServiceConfig> services) {
                return tcp.reloadCertificates(services, true);
            }
        }, result -> {
            if (result.outcome() == ReloadResult.Outcome.APPLIED
                    || result.outcome() == ReloadResult.Outcome.UNCHANGED) {
                metrics.reloaded(true);
                metrics.sync();
                if (result.outcome() == ReloadResult.Outcome.APPLIED) {
                    restartHealthChecks();
                    warnOpenFiles(pools.config().services(), udp);
                }
            } else {
                metrics.reloaded(false);
            }
        });
    }

    /**
     * Imports the certificate files of terminating services that changed on disk (a renewed certificate, a new
     * CRL) and swaps them in; a file that fails to import is logged once and the running certificate stays.
     */
    void checkCertificates() {
        try {
            TcpDataPlane.CertificateReload result = tcp.reloadCertificates(pools.config().services(), false);
            result.changes().forEach(change -> log.info("{}", change));
            result.problems().forEach((service, problem) -> log.error("{}; the running certificate of service {} "
                    + "stays until the files import", problem, service));
            if (!result.changes().isEmpty()) {
                metrics.sync();
            }
        } catch (RuntimeException e) {
            log.error("certificate check failed", e);
        }
    }

    /** Binds the listeners of a service a reload added or replaced; the current snapshot holds it. */
    private void bindService(ServiceConfig config) {
        ServiceSnapshot service = pools.snapshot().service(config.name());
        if (service == null) {
            throw new IllegalStateException("service " + config.name() + " is not in the published snapshot");
        }
        String problem = startProblem(config, transport);
        if (problem != null) {
            throw new StartException(problem);
        }
        if (service.type().datagram()) {
            udp.bind(service);
        } else {
            tcp.bind(service, config);
        }
        log.info("service {} bound on {} ports {}", config.name(), config.listen(), config.ports());
    }

    /**
     * Why {@code service} cannot run here with {@code transport}, or {@code null}: transparent mode needs UDP, a
     * transport with IP_TRANSPARENT and CAP_NET_ADMIN or CAP_NET_RAW.
     */
    private static String startProblem(ServiceConfig service, NetTransport transport) {
        if (service.sourceNat()) {
            return null;
        }
        if (!service.type().datagram()) {
            return "service " + service.name() + ": source-nat: false (transparent mode) is served for UDP services "
                    + "only; TCP services (" + service.type().configName() + ") need source-nat: true";
        }
        return Capabilities.transparentProblem(service.name(), transport.displayName(),
                transport.ipTransparent() != null,
                Capabilities.effective(Capabilities.CAP_NET_ADMIN) || Capabilities.effective(Capabilities.CAP_NET_RAW));
    }

    /**
     * How to start beyond the configuration itself.
     *
     * @param configFile the file the configuration came from, read again on reload; {@code null} for the
     *                   embedded default (reload then says there is nothing to reload)
     * @param adminApi   true to serve the admin API, metrics and status page on {@code admin.listen}
     */
    public record Options(Path configFile, boolean adminApi) {

        /** The data plane only: no admin API, nothing to reload (demo, tests). */
        public static final Options DATA_PLANE_ONLY = new Options(null, false);
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
        return start(config, loops, Options.DATA_PLANE_ONLY);
    }

    /**
     * Starts the balancer on a configuration that passed validation, with the admin API when
     * {@code options.adminApi()}.
     *
     * @throws StartException with one clear line when a transport, service type, listener, the admin address or
     *                        the admin token cannot be had
     */
    public static Balancer start(LbConfig config, int loops, Options options) {
        // Before anything in the process uses TLS: the JDK and Netty read these settings once.
        TcpDataPlane.applyProcessSettings(config.services());
        List<Violation> tlsProblems = Capabilities.memberNullEncryptionProblems(config);
        if (!tlsProblems.isEmpty()) {
            throw new StartException(tlsProblems.get(0).toString());
        }
        for (ServiceConfig service : config.services()) {
            if (!service.type().datagram() && !service.sourceNat()) {
                throw new StartException(startProblem(service, null));
            }
        }
        NetTransport transport;
        try {
            transport = NetTransport.resolve(config.transport());
        } catch (RuntimeException e) {
            throw new StartException(e.getMessage(), e);
        }
        for (ServiceConfig service : config.services()) {
            String problem = startProblem(service, transport);
            if (problem != null) {
                throw new StartException(problem);
            }
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
        TcpDataPlane tcp;
        try {
            tcp = TcpDataPlane.start(transport, group, pools.publisher(), pools.router(), config.services());
        } catch (RuntimeException e) {
            udp.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            throw new StartException(e.getMessage(), e);
        }
        udp.warmUp();
        warnOpenFiles(config.services(), udp);
        pools.evictor((pool, member) -> {
            udp.evictMember(pool, member);
            tcp.evictMember(pool, member);
        });
        HealthChecker health = HealthChecker.start(pools, udp, tcp::certificate);
        Balancer balancer = new Balancer(transport, group, pools, udp, options.configFile());
        balancer.tcp = tcp;
        balancer.metrics.bindTcp(tcp);
        balancer.health = health;
        balancer.certificateWatch = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "vpnlb-certificate-watch");
            thread.setDaemon(true);
            return thread;
        });
        balancer.certificateWatch.scheduleWithFixedDelay(balancer::checkCertificates, CERTIFICATE_CHECK_SECONDS,
                CERTIFICATE_CHECK_SECONDS, TimeUnit.SECONDS);
        if (options.adminApi()) {
            try {
                balancer.startAdmin(config);
            } catch (RuntimeException e) {
                balancer.close();
                throw new StartException(e.getMessage(), e);
            }
        }
        balancer.logStartup(loops);
        return balancer;
    }

    private void startAdmin(LbConfig config) {
        InetSocketAddress listen = Addresses.parseHostPort(config.admin().listen());
        if (listen == null) {
            throw new IllegalArgumentException("admin.listen " + config.admin().listen() + " is not IP:PORT "
                    + "(validate the configuration first)");
        }
        AdminToken token = AdminToken.loadOrCreate(Path.of(config.admin().tokenFile()));
        SslContext tls = null;
        TlsConfig adminTls = config.admin().tls();
        if (adminTls != null) {
            try {
                CertificateBundle bundle = CertificateImporter.load(Path.of(adminTls.certificate()),
                        adminTls.passwordFile() == null ? null : Path.of(adminTls.passwordFile()),
                        CertificateImporter.Options.forTls());
                for (String warning : bundle.warnings()) {
                    log.warn("admin.tls: certificate {}: {}", bundle.source(), warning);
                }
                tls = TlsContexts.server(bundle);
            } catch (CertificateException e) {
                throw new IllegalStateException("admin.tls.certificate: " + e.getMessage(), e);
            } catch (SSLException e) {
                throw new IllegalStateException("admin.tls: the TLS provider rejected the certificate: "
                        + e.getMessage(), e);
            }
        }
        admin = AdminServer.start(listen, new AdminApi(pools, udp, tcp, metrics, reloader, token), tls);
    }

    /**
     * Reads the configuration file again and applies it if it is valid and can be applied live (see
     * {@link io.vpnlb.control.reload.ReloadPlan}); otherwise keeps the running configuration. Never throws for
     * a bad file; the result carries every violation.
     */
    public ReloadResult reload() {
        return reloader.reload();
    }

    public VpnlbMetrics metrics() {
        return metrics;
    }

    private static void warnOpenFiles(List<ServiceConfig> services, UdpDataPlane udp) {
        String warning = OpenFilesCheck.warning(services, udp.openFilesLimit(), udp.openFilesReserve());
        if (warning != null) {
            log.warn("{}", warning);
        }
    }

    /** Probes the members of the configuration now in force: members a reload added get checked too. */
    private synchronized void restartHealthChecks() {
        HealthChecker old = health;
        if (old != null) {
            health = HealthChecker.start(pools, udp, tcp::certificate);
            old.close();
        }
    }

    /** The admin API's bound address, or {@code null} when it is not served. */
    public InetSocketAddress adminAddress() {
        AdminServer server = admin;
        return server == null ? null : server.address();
    }

    private void logStartup(int loops) {
        log.info("transport {} with {} event loop(s){}", transport.displayName(), loops,
                transport.supportsReusePort() ? ", one socket per loop and port (SO_REUSEPORT)" : "");
        for (UdpListenerGroup listener : udp.listeners()) {
            log.info("listener {} live on UDP {}:{} -> member port {} ({} socket(s))", listener.listener().name(),
                    listener.address().getAddress().getHostAddress(), listener.address().getPort(),
                    listener.listener().memberPort(), listener.channels().size());
        }
        for (TcpListenerGroup listener : tcp.listeners()) {
            log.info("listener {} live on TCP {}:{} -> member port {} ({})", listener.listener().name(),
                    listener.address().getAddress().getHostAddress(), listener.address().getPort(),
                    listener.listener().memberPort(), listener.mode());
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

    /** The TCP listeners (tcp, sstp, ip-https services) and the certificates they present. */
    public TcpDataPlane tcp() {
        return tcp;
    }

    public MultiThreadIoEventLoopGroup eventLoops() {
        return group;
    }

    /** Closes the listeners (and with them every session) and stops the event loops. */
    @Override
    public void close() {
        AdminServer server = admin;
        if (server != null) {
            server.close();
        }
        if (certificateWatch != null) {
            certificateWatch.shutdownNow();
        }
        metrics.close();
        HealthChecker checker = health;
        if (checker != null) {
            checker.close();
        }
        TcpDataPlane tcpPlane = tcp;
        if (tcpPlane != null) {
            tcpPlane.close();
        }
        udp.close();
        // A short quiet period lets the loops finish closing the sessions' upstream sockets.
        group.shutdownGracefully(100, 2000, TimeUnit.MILLISECONDS).syncUninterruptibly();
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
