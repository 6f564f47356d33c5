package io.vpnlb.control.health;

import java.net.InetSocketAddress;
import java.time.Duration;

/** One kind of health check. Probes block for at most {@code timeout} and never throw. */
interface HealthProbe {

    ProbeResult probe(InetSocketAddress target, Duration timeout);
}
