package io.vpnlb.control.health;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/** The {@code tcp} check: UP when a TCP connect succeeds within the timeout. */
final class TcpProbe implements HealthProbe {

    private final ScheduledExecutorService timer;

    /** @param timer runs the watchdog that ends a probe at its timeout */
    TcpProbe(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    @Override
    public ProbeResult probe(InetSocketAddress target, Duration timeout) {
        try (ProbeConnection ignored = ProbeConnection.open(target, timeout, false, timer)) {
            return ProbeResult.up("TCP connect succeeded");
        } catch (ProbeConnection.Failure e) {
            return e.result();
        }
    }
}
