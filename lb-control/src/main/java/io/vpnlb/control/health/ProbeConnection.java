package io.vpnlb.control.health;

import io.vpnlb.control.tls.ServerCertificateCheck;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One health-check connection to a member: a TCP connect and, for HTTPS and TLS checks, a TLS 1.3 or 1.2
 * handshake, all within the check's timeout. Probes use blocking JDK sockets on the health-check threads (never
 * on event loops); a watchdog closes the socket when the timeout ends, so a member that trickles bytes cannot
 * hold a probe past it.
 *
 * <p>Members present the public VPN certificate, whose name is not the member's address: the handshake checks
 * neither name nor trust, it records the chain the member sent. Each connection has an SSLContext of its own, so
 * every check is a full handshake in which the member presents its certificate (no session resumption).
 */
final class ProbeConnection implements AutoCloseable {

    static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final InetSocketAddress target;
    private final Duration timeout;
    private final long deadline;
    private final Socket tcp;
    private final ScheduledFuture<?> watchdog;
    private final RecordingTrustManager trust;
    private Socket socket;

    private ProbeConnection(InetSocketAddress target, Duration timeout, ScheduledExecutorService timer, boolean tls) {
        this.target = target;
        this.timeout = timeout;
        this.deadline = System.nanoTime() + timeout.toNanos();
        this.tcp = new Socket();
        this.socket = tcp;
        this.trust = tls ? new RecordingTrustManager() : null;
        this.watchdog = timer.schedule(this::closeTcp, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Connects to {@code target} and, when {@code tls}, completes a TLS handshake.
     *
     * @param timer runs the watchdog that closes the socket when {@code timeout} ends
     * @throws Failure with the result to report when the connect or the handshake fails or takes too long
     */
    static ProbeConnection open(InetSocketAddress target, Duration timeout, boolean tls,
                                ScheduledExecutorService timer) throws Failure {
        ProbeConnection connection = new ProbeConnection(target, timeout, timer, tls);
        try {
            connection.connect();
            if (tls) {
                connection.handshake();
            }
            return connection;
        } catch (Failure e) {
            connection.close();
            throw e;
        }
    }

    private void connect() throws Failure {
        try {
            tcp.connect(target, remainingMillis());
        } catch (IOException e) {
            throw failure(e, "TCP connect to " + Probes.format(target));
        }
    }

    private void handshake() throws Failure {
        SSLSocket ssl;
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trust}, null);
            ssl = (SSLSocket) context.getSocketFactory().createSocket(tcp, target.getAddress().getHostAddress(),
                    target.getPort(), true);
            ssl.setEnabledProtocols(TLS_PROTOCOLS);
            socket = ssl;
            ssl.setSoTimeout(remainingMillis());
            ssl.startHandshake();
        } catch (GeneralSecurityException e) {
            throw new Failure(new ProbeResult(false, "TLS unavailable: " + e.getMessage(), null));
        } catch (IOException e) {
            String hint = e instanceof SSLException && String.valueOf(e.getMessage()).contains("Unsupported or "
                    + "unrecognized SSL message") ? " (the member does not answer with TLS)" : "";
            throw failure(e, "TLS handshake with " + Probes.format(target), hint);
        }
    }

    /** The TLS session; only for connections opened with {@code tls}. */
    SSLSession session() {
        return ((SSLSocket) socket).getSession();
    }

    /** The leaf certificate the member presented, or {@code null} (plain connection, or none seen yet). */
    X509Certificate memberCertificate() {
        return trust == null ? null : trust.leaf;
    }

    void write(byte[] bytes) throws IOException {
        socket.setSoTimeout(remainingMillis());
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** Reads what is there, waiting at most until the timeout ends; -1 at the end of the stream. */
    int read(byte[] into) throws IOException {
        socket.setSoTimeout(remainingMillis());
        return socket.getInputStream().read(into);
    }

    /**
     * The result for an I/O failure while {@code doing}: "no ... within" when the timeout ended, else the
     * failure with the member certificate seen so far.
     */
    ProbeResult failed(IOException e, String doing, String waitingFor) {
        if (expired(e)) {
            return new ProbeResult(false, "no " + waitingFor + " within " + Probes.format(timeout),
                    memberCertificate());
        }
        return new ProbeResult(false, doing + " failed: " + e.getMessage(), memberCertificate());
    }

    private Failure failure(IOException e, String doing) {
        return failure(e, doing, "");
    }

    private Failure failure(IOException e, String doing, String hint) {
        if (expired(e)) {
            return new Failure(new ProbeResult(false, doing + ": no answer within " + Probes.format(timeout),
                    memberCertificate()));
        }
        return new Failure(new ProbeResult(false, doing + " failed: " + e.getMessage() + hint, memberCertificate()));
    }

    private boolean expired(IOException e) {
        return e instanceof SocketTimeoutException || System.nanoTime() - deadline >= 0;
    }

    /** Milliseconds left, at least 1 (0 would mean "no timeout" to the socket). */
    private int remainingMillis() {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, left));
    }

    private void closeTcp() {
        try {
            tcp.close();
        } catch (IOException ignored) {
            // closing to unblock the probe; nothing else to do
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // the check is over either way
        } finally {
            closeTcp();
            watchdog.cancel(false);
        }
    }

    /** The connection could not be made; {@link #result()} says why. */
    static final class Failure extends Exception {

        private static final long serialVersionUID = 1L;

        private final transient ProbeResult result;

        Failure(ProbeResult result) {
            super(result.detail(), null, false, false);
            this.result = result;
        }

        ProbeResult result() {
            return result;
        }
    }

    /** Accepts any chain and keeps its leaf: the probe compares certificates, it does not authenticate members. */
    private static final class RecordingTrustManager extends ServerCertificateCheck {

        volatile X509Certificate leaf;

        @Override
        protected void check(X509Certificate[] chain) {
            if (chain != null && chain.length > 0) {
                leaf = chain[0];
            }
        }
    }
}
