package io.vpnlb.control.health;

import javax.net.ssl.SSLSession;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The {@code tcp} check, UP when a TCP connect succeeds, and the {@code tls} check, UP when a TCP connect and a
 * complete TLS 1.3 or 1.2 handshake do; its detail names the protocol and the cipher suite.
 */
final class TcpProbe implements HealthProbe {

    private final boolean tls;
    private final ScheduledExecutorService timer;

    /**
     * @param tls   complete a TLS handshake after the connect
     * @param timer runs the watchdog that ends a probe at its timeout
     */
    TcpProbe(boolean tls, ScheduledExecutorService timer) {
        this.tls = tls;
        this.timer = timer;
    }

    /** Whether the check makes a TLS handshake (and so sees the member's certificate). */
    boolean tls() {
        return tls;
    }

    @Override
    public ProbeResult probe(InetSocketAddress target, Duration timeout) {
        try (ProbeConnection connection = ProbeConnection.open(target, timeout, tls, timer)) {
            if (!tls) {
                return ProbeResult.up("TCP connect succeeded");
            }
            SSLSession session = connection.session();
            return new ProbeResult(true, "TLS handshake completed: " + session.getProtocol() + ", "
                    + session.getCipherSuite(), connection.memberCertificate());
        } catch (ProbeConnection.Failure e) {
            return e.result();
        }
    }
}
