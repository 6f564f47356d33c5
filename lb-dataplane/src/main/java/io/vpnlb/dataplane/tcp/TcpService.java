package io.vpnlb.dataplane.tcp;

import io.netty.handler.ssl.SslContext;
import io.vpnlb.config.ServiceType;
import io.vpnlb.config.TlsMode;
import io.vpnlb.config.cert.CertificateBundle;
import io.vpnlb.dataplane.internal.SessionLimit;
import io.vpnlb.dataplane.snapshot.SessionRouter;
import io.vpnlb.dataplane.snapshot.SnapshotSource;
import io.vpnlb.dataplane.transport.NetTransport;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** What every connection of one TCP service shares: how it treats TLS, its certificate and its limits. */
final class TcpService {

    /** Member connections that do not complete within this time are retried on another member. */
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /** A client must complete its ClientHello (passthrough) or TLS handshake (terminate) within this time. */
    static final long HELLO_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    enum Mode { TCP, PASSTHROUGH, TERMINATE, REENCRYPT }

    final String name;
    final int index;
    final ServiceType type;
    final Mode mode;
    final NetTransport transport;
    final SnapshotSource snapshots;
    final SessionRouter router;
    /**
     * Terminate and reencrypt: the context clients handshake with and the certificate it presents; else
     * {@code null}. Replaced as a whole when the certificate files change; a connection keeps the one it began with.
     */
    volatile ServerTls serverTls;
    /** The file fingerprint of the last certificate reload that failed, so that it is reported once. */
    volatile String failedFingerprint;
    /** Reencrypt: the context vpnlb connects to members with; else {@code null}. */
    final SslContext memberFacingTls;
    /** Passthrough with TLS-session persistence: the members by session ID; else {@code null}. */
    final TlsSessionTable sessions;
    /** Terminate and reencrypt with TLS-session persistence; else {@code null}. */
    final TlsSessionPersistence terminatedSessions;
    private final SessionLimit live = new SessionLimit();
    /** Client-certificate preauthentication in force (terminate, reencrypt); set once before the first client. */
    io.vpnlb.config.ClientAuth clientAuth = io.vpnlb.config.ClientAuth.NONE;

    /**
     * What a client handshakes with: the server context, the certificate it presents with its hashes (SSTP crypto
     * binding compares them), and the fingerprint of the files it came from.
     */
    record ServerTls(SslContext context, CertificateBundle certificate, byte[] sha256, byte[] sha1,
                     String fingerprint) {

        static ServerTls of(SslContext context, CertificateBundle certificate, String fingerprint) {
            return new ServerTls(context, certificate, certificate.sha256(), certificate.sha1(), fingerprint);
        }
    }

    TcpService(String name, int index, ServiceType type, Mode mode, NetTransport transport, SnapshotSource snapshots,
               SessionRouter router, SslContext clientFacingTls, SslContext memberFacingTls,
               CertificateBundle certificate, Duration sessionPersistence) {
        this(name, index, type, mode, transport, snapshots, router,
                certificate == null ? null : ServerTls.of(clientFacingTls, certificate, null), memberFacingTls,
                sessionPersistence);
    }

    TcpService(String name, int index, ServiceType type, Mode mode, NetTransport transport, SnapshotSource snapshots,
               SessionRouter router, ServerTls serverTls, SslContext memberFacingTls, Duration sessionPersistence) {
        this.name = name;
        this.index = index;
        this.type = type;
        this.mode = mode;
        this.transport = transport;
        this.snapshots = snapshots;
        this.router = router;
        this.serverTls = serverTls;
        this.memberFacingTls = memberFacingTls;
        boolean persistent = !sessionPersistence.isZero();
        this.sessions = persistent && mode == Mode.PASSTHROUGH
                ? new TlsSessionTable(sessionPersistence, TlsSessionTable.DEFAULT_MAX_ENTRIES) : null;
        this.terminatedSessions = persistent && (mode == Mode.TERMINATE || mode == Mode.REENCRYPT)
                ? new TlsSessionPersistence(sessionPersistence) : null;
    }

    String name() {
        return name;
    }

    /** The certificate clients get now (terminate, reencrypt); else {@code null}. */
    CertificateBundle certificate() {
        ServerTls tls = serverTls;
        return tls == null ? null : tls.certificate();
    }

    String modeName() {
        switch (mode) {
            case PASSTHROUGH:
                return TlsMode.PASSTHROUGH.configName();
            case TERMINATE:
                return TlsMode.TERMINATE.configName();
            case REENCRYPT:
                return TlsMode.REENCRYPT.configName();
            default:
                return "tcp";
        }
    }

    /** True when the service carries SSTP and vpnlb sees its plaintext. */
    boolean inspectsSstp() {
        return type == ServiceType.SSTP && (mode == Mode.TERMINATE || mode == Mode.REENCRYPT);
    }

    boolean tryAcquire(int max) {
        return live.tryAcquire(max);
    }

    void release() {
        live.release();
    }

    int activeSessions() {
        return live.active();
    }
}
