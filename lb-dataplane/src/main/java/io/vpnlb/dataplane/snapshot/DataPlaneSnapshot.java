package io.vpnlb.dataplane.snapshot;

import java.util.List;

/**
 * Everything the data plane needs to make a decision, published by control in one reference swap and never
 * changed afterwards. The data plane reads it into a local once per decision.
 */
public record DataPlaneSnapshot(long version, List<ServiceSnapshot> services) {

    public DataPlaneSnapshot {
        services = List.copyOf(services);
    }

    public ServiceSnapshot service(int index) {
        return services.get(index);
    }

    /** The service called {@code name}, or {@code null}. */
    public ServiceSnapshot service(String name) {
        for (ServiceSnapshot service : services) {
            if (service.name().equals(name)) {
                return service;
            }
        }
        return null;
    }
}
