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
    /** Terminate and reencrypt: the context clients handshake with; else {@code null}. */
    final SslContext clientFacingTls;
    /** Reencrypt: the context vpnlb connects to members with; else {@code null}. */
    final SslContext memberFacingTls;
    /** Terminate and reencrypt: the certificate vpnlb presents; else {@code null}. */
    final CertificateBundle certificate;
    final byte[] presentedSha256;
    final byte[] presentedSha1;
    /** Passthrough with TLS-session persistence: the members by session ID; else {@code null}. */
    final TlsSessionTable sessions;
    /** Terminate and reencrypt with TLS-session persistence; else {@code null}. */
    final TlsSessionPersistence terminatedSessions;
    private final SessionLimit live = new SessionLimit();
    /** Client-certificate preauthentication in force (terminate, reencrypt); set once before the first client. */
    io.vpnlb.config.ClientAuth clientAuth = io.vpnlb.config.ClientAuth.NONE;

    TcpService(String name, int index, ServiceType type, Mode mode, NetTransport transport, SnapshotSource snapshots,
               SessionRouter router, SslContext clientFacingTls, SslContext memberFacingTls,
               CertificateBundle certificate, Duration sessionPersistence) {
        this.name = name;
        this.index = index;
        this.type = type;
        this.mode = mode;
        this.transport = transport;
        this.snapshots = snapshots;
        this.router = router;
        this.clientFacingTls = clientFacingTls;
        this.memberFacingTls = memberFacingTls;
        this.certificate = certificate;
        this.presentedSha256 = certificate == null ? null : certificate.sha256();
        this.presentedSha1 = certificate == null ? null : certificate.sha1();
        boolean persistent = !sessionPersistence.isZero();
        this.sessions = persistent && mode == Mode.PASSTHROUGH
                ? new TlsSessionTable(sessionPersistence, TlsSessionTable.DEFAULT_MAX_ENTRIES) : null;
        this.terminatedSessions = persistent && (mode == Mode.TERMINATE || mode == Mode.REENCRYPT)
                ? new TlsSessionPersistence(sessionPersistence) : null;
    }

    String name() {
        return name;
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
