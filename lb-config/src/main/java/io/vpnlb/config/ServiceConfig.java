package io.vpnlb.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A named group of listeners on one VIP address that share a pool and a persistence scope.
 *
 * @param listen             VIP address (IP literal)
 * @param ports              listener ports and the member port each forwards to
 * @param sourceNat          true: members see vpnlb's address; false: transparent mode
 * @param sessionIdleTimeout a session with no datagram in either direction for this long is closed
 * @param maxSessions        bound on concurrent sessions of this service; beyond it new sessions are refused
 * @param tls                TLS settings, {@code null} for UDP services
 * @param ike                IKEv2 awareness; meaningful for {@code ikev2} services
 */
public record ServiceConfig(
        String name,
        ServiceType type,
        String listen,
        List<PortMapping> ports,
        String pool,
        boolean sourceNat,
        PersistenceConfig persistence,
        Duration sessionIdleTimeout,
        int maxSessions,
        TlsConfig tls,
        IkeConfig ike) {

    public static final String DEFAULT_LISTEN = "0.0.0.0";
    public static final boolean DEFAULT_SOURCE_NAT = true;
    public static final Duration DEFAULT_SESSION_IDLE_TIMEOUT = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_SESSIONS = 100_000;
    public static final int MAX_MAX_SESSIONS = 10_000_000;

    public ServiceConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(listen, "listen");
        ports = List.copyOf(ports);
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(persistence, "persistence");
        Objects.requireNonNull(sessionIdleTimeout, "sessionIdleTimeout");
        Objects.requireNonNull(ike, "ike");
    }

    /** A service with the default IKEv2 settings. */
    public ServiceConfig(String name, ServiceType type, String listen, List<PortMapping> ports, String pool,
                         boolean sourceNat, PersistenceConfig persistence, Duration sessionIdleTimeout,
                         int maxSessions, TlsConfig tls) {
        this(name, type, listen, ports, pool, sourceNat, persistence, sessionIdleTimeout, maxSessions, tls,
                IkeConfig.DEFAULT);
    }
}
