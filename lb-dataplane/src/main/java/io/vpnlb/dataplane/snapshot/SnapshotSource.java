package io.vpnlb.dataplane.snapshot;

/** Where the data plane reads the current snapshot from; implemented by control with one volatile read. */
@FunctionalInterface
public interface SnapshotSource {

    DataPlaneSnapshot current();
}
