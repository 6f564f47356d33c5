package io.vpnlb.dataplane.snapshot;

import java.util.List;

/**
 * Everything the data plane needs to make a decision, published by control in one reference swap and never
 * changed afterwards. The data plane reads it into a local once per decision.
 *
 * <p>A service keeps its {@linkplain ServiceSnapshot#index() index} (its slot) for as long as it exists, across
 * reloads that add or remove other services; the listeners of a service look it up by that slot.
 */
public final class DataPlaneSnapshot {

    private final long version;
    private final List<ServiceSnapshot> services;
    private final ServiceSnapshot[] slots;

    public DataPlaneSnapshot(long version, List<ServiceSnapshot> services) {
        this.version = version;
        this.services = List.copyOf(services);
        int size = 0;
        for (ServiceSnapshot service : this.services) {
            size = Math.max(size, service.index() + 1);
        }
        this.slots = new ServiceSnapshot[size];
        for (ServiceSnapshot service : this.services) {
            if (slots[service.index()] != null) {
                throw new IllegalArgumentException("services " + slots[service.index()].name() + " and "
                        + service.name() + " share slot " + service.index());
            }
            slots[service.index()] = service;
        }
    }

    public long version() {
        return version;
    }

    /** The services in configuration order. */
    public List<ServiceSnapshot> services() {
        return services;
    }

    /** The service in slot {@code index}, or {@code null} when no service holds it (removed by a reload). */
    public ServiceSnapshot service(int index) {
        return index < slots.length ? slots[index] : null;
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

    @Override
    public String toString() {
        return "DataPlaneSnapshot[version=" + version + ", services=" + services + "]";
    }
}
