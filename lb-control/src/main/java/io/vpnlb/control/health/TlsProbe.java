package io.vpnlb.control.health;

import javax.net.ssl.SSLSession;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The {@code tls} check: a TCP connect and a complete TLS 1.3 or 1.2 handshake. UP when the handshake completes;
 * the detail names the protocol and the cipher suite.
 */
final class TlsProbe implements HealthProbe {

    private final ScheduledExecutorService timer;

    /** @param timer runs the watchdog that ends a probe at its timeout */
    TlsProbe(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    @Override
    public ProbeResult probe(InetSocketAddress target, Duration timeout) {
        try (ProbeConnection connection = ProbeConnection.open(target, timeout, true, timer)) {
            SSLSession session = connection.session();
            return new ProbeResult(true, "TLS handshake completed: " + session.getProtocol() + ", "
                    + session.getCipherSuite(), connection.memberCertificate());
        } catch (ProbeConnection.Failure e) {
            return e.result();
        }
    }
}
