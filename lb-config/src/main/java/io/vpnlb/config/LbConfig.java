package io.vpnlb.config;

import java.util.List;
import java.util.Objects;

/**
 * The whole balancer configuration: what {@code vpnlb run --config FILE} loads.
 *
 * <p>Records in this package are immutable and carry only shape invariants (non-null); every rule that an
 * operator can break is checked by {@code ConfigValidator}, which reports all violations at once.
 */
public record LbConfig(Transport transport, AdminConfig admin, List<ServiceConfig> services, List<PoolConfig> pools) {

    public static final Transport DEFAULT_TRANSPORT = Transport.AUTO;

    public LbConfig {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(admin, "admin");
        services = List.copyOf(services);
        pools = List.copyOf(pools);
    }

    /** The pool called {@code name}, or {@code null}. */
    public PoolConfig pool(String name) {
        for (PoolConfig pool : pools) {
            if (pool.name().equals(name)) {
                return pool;
            }
        }
        return null;
    }

    /** The service called {@code name}, or {@code null}. */
    public ServiceConfig service(String name) {
        for (ServiceConfig service : services) {
            if (service.name().equals(name)) {
                return service;
            }
        }
        return null;
    }
}
