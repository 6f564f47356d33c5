package io.vpnlb.dataplane.tcp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.TlsMode;
import io.vpnlb.config.cert.CertificateBundle;
import io.vpnlb.config.cert.CertificateException;
import io.vpnlb.config.cert.CertificateImporter;
import io.vpnlb.dataplane.snapshot.ListenerSnapshot;
import io.vpnlb.dataplane.snapshot.ServiceSnapshot;
import io.vpnlb.dataplane.snapshot.SessionRouter;
import io.vpnlb.dataplane.snapshot.SnapshotSource;
import io.vpnlb.dataplane.transport.NetTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Binds the TCP listeners of every TCP service (types {@code tcp}, {@code sstp}, {@code ip-https}) and proxies
 * their connections: one member connection per client connection on the client's event loop, no auto-read, the
 * next chunk read only when the previous one was written (Netty's HexDumpProxy pattern), half-close both ways,
 * idle and connect timeouts, and a retry on another member when a connection fails before any byte was forwarded.
 *
 * <p>TLS services pass TLS through (peeking at the ClientHello for SNI and the session ID), or terminate it with
 * the configured certificate and, for SSTP, follow the SSTP handshake to diagnose crypto-binding failures.
 */
public final class TcpDataPlane implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TcpDataPlane.class);

    private final NetTransport transport;
    private final EventLoopGroup group;
    private final SnapshotSource snapshots;
    private final SessionRouter router;
    /** Copy on write, replaced together: readers (metrics, admin API, eviction) see one consistent view. */
    private volatile List<TcpListenerGroup> listeners = List.of();
    private volatile List<CertificateBundle> certificates = List.of();

    private TcpDataPlane(NetTransport transport, EventLoopGroup group, SnapshotSource snapshots,
                         SessionRouter router) {
        this.transport = transport;
        this.group = group;
        this.snapshots = snapshots;
        this.router = router;
    }

    public List<TcpListenerGroup> listeners() {
        return listeners;
    }

    /** The certificates the TLS-terminating services present, one per such service. */
    public List<CertificateBundle> certificates() {
        return certificates;
    }

    /**
     * The certificate service {@code service} presents to clients (terminate, reencrypt); {@code null} for a
     * service that presents none or is not a TCP service. Health checks compare reencrypt members' certificates
     * with it.
     */
    public CertificateBundle certificate(String service) {
        for (TcpListenerGroup listener : listeners) {
            if (listener.serviceName().equals(service)) {
                return listener.service().certificate();
            }
        }
        return null;
    }

    /**
     * Binds every TCP listener of {@code snapshot}: all bind or none stays bound.
     *
     * @param services the configuration's services, for their TLS settings (matched by name)
     * @throws TcpStartException naming the service and the listener, certificate or TLS provider that failed
     */
    public static TcpDataPlane start(NetTransport transport, EventLoopGroup group, SnapshotSource snapshots,
                                     SessionRouter router, List<ServiceConfig> services) {
        Map<String, ServiceConfig> configs = new HashMap<>();
        for (ServiceConfig service : services) {
            configs.put(service.name(), service);
        }
        applyProcessSettings(services);
        TcpDataPlane plane = new TcpDataPlane(transport, group, snapshots, router);
        try {
            for (ServiceSnapshot service : snapshots.current().services()) {
                if (!service.type().datagram()) {
                    plane.bind(service, configs.get(service.name()));
                }
            }
        } catch (RuntimeException e) {
            plane.close();
            throw e;
        }
        return plane;
    }

    /**
     * Binds the listeners of {@code service}, a TCP service of the current snapshot, with the TLS settings of
     * {@code config}: all of them or none.
     *
     * @throws TcpStartException naming the service and the listener, certificate or TLS provider that failed
     */
    public synchronized void bind(ServiceSnapshot service, ServiceConfig config) {
        if (config != null) {
            // A service a reload adds: the settings take effect if no TLS context was made before them.
            applyProcessSettings(List.of(config));
        }
        TcpService runtime = runtime(transport, snapshots, router, service, config);
        List<TcpListenerGroup> bound = new ArrayList<>();
        try {
            for (int li = 0; li < service.listeners().size(); li++) {
                bound.add(bind(group, runtime, service, li));
            }
        } catch (RuntimeException e) {
            for (TcpListenerGroup listener : bound) {
                listener.channel().close().awaitUninterruptibly();
            }
            throw e;
        }
        List<TcpListenerGroup> next = new ArrayList<>(listeners);
        next.addAll(bound);
        listeners = List.copyOf(next);
        if (runtime.certificate() != null) {
            List<CertificateBundle> bundles = new ArrayList<>(certificates);
            bundles.add(runtime.certificate());
            certificates = List.copyOf(bundles);
        }
    }

    /**
     * Closes the listeners of the service called {@code name} and every connection they accepted; returns when
     * the listening sockets are closed (the connections close on their loops right after). Nothing happens when
     * it has none.
     */
    public synchronized void unbind(String name) {
        List<TcpListenerGroup> kept = new ArrayList<>();
        List<CertificateBundle> bundles = new ArrayList<>(certificates);
        for (TcpListenerGroup listener : listeners) {
            if (!listener.serviceName().equals(name)) {
                kept.add(listener);
                continue;
            }
            listener.channel().close().awaitUninterruptibly();
            for (Map.Entry<EventExecutor, TcpLoop> entry : listener.loops().entrySet()) {
                TcpLoop loop = entry.getValue();
                entry.getKey().execute(() -> loop.closeAll(TcpDropReason.SERVICE_REMOVED));
            }
            bundles.removeIf(bundle -> bundle == listener.service().certificate());
        }
        listeners = List.copyOf(kept);
        certificates = List.copyOf(bundles);
    }

    /**
     * The process-wide TLS settings the services need ({@link TlsProcessSettings}); they take effect only if nothing
     * in the process used TLS before, so vpnlb's start-up applies them first thing too.
     */
    public static void applyProcessSettings(List<ServiceConfig> services) {
        for (ServiceConfig service : services) {
            TlsConfig tls = service.tls();
            if (tls == null || service.type().datagram()) {
                continue;
            }
            if (!tls.effectiveSessionPersistence().isZero()) {
                TlsProcessSettings.resumeBySessionId();
            }
            if (tls.mode() == TlsMode.REENCRYPT && tls.effectiveMemberNullEncryption(service.type())) {
                TlsProcessSettings.allowNullEncryption();
            }
        }
    }

    private static TcpService runtime(NetTransport transport, SnapshotSource snapshots, SessionRouter router,
                                      ServiceSnapshot service, ServiceConfig config) {
        TlsConfig tls = config == null ? null : config.tls();
        TcpService.Mode mode;
        if (tls == null) {
            mode = TcpService.Mode.TCP;
        } else if (tls.mode() == TlsMode.PASSTHROUGH) {
            mode = TcpService.Mode.PASSTHROUGH;
        } else if (tls.mode() == TlsMode.TERMINATE) {
            mode = TcpService.Mode.TERMINATE;
        } else {
            mode = TcpService.Mode.REENCRYPT;
        }
        TcpService.ServerTls serverTls = null;
        SslContext memberFacing = null;
        if (mode == TcpService.Mode.TERMINATE || mode == TcpService.Mode.REENCRYPT) {
            serverTls = serverTls(service.name(), service.type(), tls, CertificateFiles.fingerprint(tls));
            log.info("service {}: TLS {} with {} ({}), SHA-256 {}", service.name(),
                    mode.name().toLowerCase(Locale.ROOT), serverTls.certificate().subject(),
                    TlsContexts.provider() == io.netty.handler.ssl.SslProvider.OPENSSL
                            ? "BoringSSL" : "JDK TLS provider: " + TlsContexts.openSslUnavailabilityCause(),
                    CertificateBundle.hex(serverTls.sha256()));
            if (mode == TcpService.Mode.REENCRYPT) {
                memberFacing = memberContext(service, tls);
            }
        }
        TcpService runtime = new TcpService(service.name(), service.index(), service.type(), mode, transport,
                snapshots, router, serverTls, memberFacing,
                tls == null ? Duration.ZERO : tls.effectiveSessionPersistence());
        runtime.clientAuth = tls == null ? io.vpnlb.config.ClientAuth.NONE : tls.effectiveClientAuth(service.type());
        return runtime;
    }

    /**
     * Imports the certificate (and the client CA and CRL) of a terminating service and builds the context clients
     * handshake with.
     *
     * @throws TcpStartException naming the service, the file and what is wrong with it
     */
    private static TcpService.ServerTls serverTls(String name, io.vpnlb.config.ServiceType type, TlsConfig tls,
                                                  String fingerprint) {
        CertificateBundle certificate;
        try {
            certificate = CertificateImporter.load(Path.of(tls.certificate()),
                    tls.passwordFile() == null ? null : Path.of(tls.passwordFile()),
                    CertificateImporter.Options.forTls());
        } catch (CertificateException e) {
            throw new TcpStartException("service " + name + ": tls.certificate: " + e.getMessage(), e);
        }
        for (String warning : certificate.warnings()) {
            log.warn("service {}: certificate {}: {}", name, certificate.source(), warning);
        }
        io.vpnlb.config.ClientAuth clientAuth = tls.effectiveClientAuth(type);
        javax.net.ssl.TrustManagerFactory clientTrust = null;
        if (clientAuth != io.vpnlb.config.ClientAuth.NONE) {
            try {
                clientTrust = ClientCertificates.trust(Path.of(tls.clientCa()),
                        tls.crl() == null ? null : Path.of(tls.crl()));
            } catch (CertificateException e) {
                throw new TcpStartException("service " + name + ": tls.client-ca: " + e.getMessage(), e);
            }
            log.info("service {}: client certificates {} (CA {}{})", name, clientAuth.configName(),
                    tls.clientCa(), tls.crl() == null ? ", no CRL" : ", CRL " + tls.crl());
        }
        try {
            SslContext context = TlsContexts.server(certificate, clientAuth, clientTrust,
                    tls.effectiveSessionPersistence());
            return TcpService.ServerTls.of(context, certificate, fingerprint);
        } catch (SSLException | RuntimeException e) {
            throw new TcpStartException("service " + name + ": TLS provider "
                    + TlsContexts.provider().name().toLowerCase(Locale.ROOT) + " cannot use "
                    + certificate.source() + ": " + e.getMessage(), e);
        }
    }

    /**
     * What {@link #reloadCertificates} did: one line per reloaded certificate, and per service whose files failed to
     * import, why.
     */
    public record CertificateReload(List<String> changes, Map<String, String> problems) {

        public static final CertificateReload NONE = new CertificateReload(List.of(), Map.of());
    }

    /**
     * Imports again the certificate files (certificate, password, client CA, CRL) of every terminating service whose
     * files changed since they were loaded, and swaps in the new certificate: connections that begin from now on
     * get it, established ones keep theirs. A file that does not import leaves the running certificate in place and
     * is reported once per content (not on every check) unless {@code again}.
     *
     * @param services the running configuration's services (their tls settings, by name)
     * @param again    report files that already failed with the same content (an operator asked for a reload)
     */
    public synchronized CertificateReload reloadCertificates(List<ServiceConfig> services, boolean again) {
        List<String> changes = new ArrayList<>();
        Map<String, String> problems = new java.util.LinkedHashMap<>();
        Map<TcpService, Boolean> seen = new IdentityHashMap<>();
        List<CertificateBundle> bundles = new ArrayList<>(certificates);
        for (TcpListenerGroup listener : listeners) {
            TcpService runtime = listener.service();
            TcpService.ServerTls running = runtime.serverTls;
            if (running == null || seen.put(runtime, Boolean.TRUE) != null) {
                continue;
            }
            ServiceConfig config = null;
            for (ServiceConfig candidate : services) {
                if (candidate.name().equals(runtime.name)) {
                    config = candidate;
                }
            }
            if (config == null || config.tls() == null) {
                continue;
            }
            String fingerprint = CertificateFiles.fingerprint(config.tls());
            if (fingerprint.equals(running.fingerprint())
                    || (!again && fingerprint.equals(runtime.failedFingerprint))) {
                continue;
            }
            TcpService.ServerTls next;
            try {
                next = serverTls(runtime.name, runtime.type, config.tls(), fingerprint);
            } catch (TcpStartException e) {
                runtime.failedFingerprint = fingerprint;
                problems.put(runtime.name, e.getMessage());
                continue;
            }
            runtime.failedFingerprint = null;
            runtime.serverTls = next;
            bundles.replaceAll(bundle -> bundle == running.certificate() ? next.certificate() : bundle);
            changes.add("service " + runtime.name + ": certificate reloaded: " + next.certificate().subject()
                    + ", SHA-256 " + CertificateBundle.hex(next.sha256()) + " (was " + running.certificate().subject()
                    + ", SHA-256 " + CertificateBundle.hex(running.sha256()) + ")");
        }
        certificates = List.copyOf(bundles);
        return new CertificateReload(changes, problems);
    }

    /** Reencrypt: the context toward members, with NULL-encryption suites first where the service wants them. */
    private static SslContext memberContext(ServiceSnapshot service, TlsConfig tls) {
        boolean nullEncryption = tls.effectiveMemberNullEncryption(service.type());
        SslContext context;
        try {
            context = TlsContexts.member(nullEncryption);
        } catch (SSLException | RuntimeException e) {
            throw new TcpStartException("service " + service.name() + ": cannot build the TLS context toward "
                    + "members: " + e.getMessage(), e);
        }
        if (nullEncryption) {
            if (!NullEncryption.offersNull(context)) {
                throw new TcpStartException("service " + service.name() + ": tls.member-null-encryption: "
                        + NullEncryption.problem(NullEncryption.unavailableReason()), null);
            }
            log.info("service {}: members are offered TLS 1.2 with NULL-encryption suites first ({}), then strong "
                    + "suites", service.name(), String.join(", ", NullEncryption.CIPHERS));
        }
        return context;
    }

    private static TcpListenerGroup bind(EventLoopGroup group, TcpService runtime, ServiceSnapshot service,
                                         int listenerIndex) {
        ListenerSnapshot listener = service.listeners().get(listenerIndex);
        InetSocketAddress address = new InetSocketAddress(service.listenAddress(), listener.listenPort());
        Map<EventExecutor, TcpLoop> loops = new IdentityHashMap<>();
        for (EventExecutor executor : group) {
            loops.put(executor, new TcpLoop());
        }
        TcpListenerGroup[] self = new TcpListenerGroup[1];
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channelFactory(runtime.transport.serverChannelFactory())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        initClient(channel, runtime, self[0]);
                    }
                });
        ChannelFuture bindFuture = bootstrap.bind(address).awaitUninterruptibly();
        if (!bindFuture.isSuccess()) {
            throw new TcpStartException(bindMessage(service.name(), address, bindFuture.cause()), bindFuture.cause());
        }
        Channel channel = bindFuture.channel();
        InetSocketAddress actual = (InetSocketAddress) channel.localAddress();
        self[0] = new TcpListenerGroup(runtime, listenerIndex, listener, actual, channel, loops);
        return self[0];
    }

    private static void initClient(SocketChannel channel, TcpService runtime, TcpListenerGroup listener) {
        ChannelPipeline pipeline = channel.pipeline();
        ServiceSnapshot service = runtime.snapshots.current().service(runtime.index);
        pipeline.addLast("idle", new IdleStateHandler(0, 0, service.idleTimeoutNanos(), TimeUnit.NANOSECONDS));
        TcpProxyHandler proxy = new TcpProxyHandler(runtime, listener);
        if (proxy.serverTls() != null && proxy.serverTls().context() != null) {
            SslHandler ssl = proxy.serverTls().context().newHandler(channel.alloc());
            ssl.setHandshakeTimeout(TcpService.HELLO_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
            pipeline.addLast("tls", ssl);
        }
        if (runtime.inspectsSstp()) {
            pipeline.addLast("sstp", new SstpInspectionHandler(runtime, proxy));
        }
        pipeline.addLast("proxy", proxy);
    }

    private static String bindMessage(String service, InetSocketAddress address, Throwable cause) {
        String reason = cause == null ? "unknown error" : String.valueOf(cause.getMessage());
        String lower = reason.toLowerCase(Locale.ROOT);
        String hint = "";
        if (lower.contains("denied") || lower.contains("permission")) {
            hint = " (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
        } else if (lower.contains("in use")) {
            hint = " (another process holds this port)";
        } else if (lower.contains("assign")) {
            hint = " (the address is not configured on this host)";
        }
        return "service " + service + ": cannot bind TCP " + address.getAddress().getHostAddress() + ":"
                + address.getPort() + ": " + reason + hint;
    }

    /** Closes, on each event loop, the connections to a member that stopped serving. Returns at once. */
    public void evictMember(String pool, String memberKey) {
        for (TcpListenerGroup listener : listeners) {
            for (Map.Entry<EventExecutor, TcpLoop> entry : listener.loops().entrySet()) {
                TcpLoop loop = entry.getValue();
                entry.getKey().execute(() -> loop.evictMember(pool, memberKey));
            }
        }
    }

    /** Closes the listening sockets; established connections end when their client or member closes them. */
    @Override
    public synchronized void close() {
        for (TcpListenerGroup listener : listeners) {
            listener.channel().close().awaitUninterruptibly();
        }
        listeners = List.of();
        certificates = List.of();
    }

    /** A TCP service that cannot start; the message is one line for the operator. */
    public static final class TcpStartException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        TcpStartException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
