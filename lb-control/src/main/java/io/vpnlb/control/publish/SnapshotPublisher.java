package io.vpnlb.control.publish;

import io.vpnlb.dataplane.snapshot.DataPlaneSnapshot;
import io.vpnlb.dataplane.snapshot.SnapshotSource;

import java.util.Objects;

/** Holds the current snapshot; a new one replaces it in one volatile write and is never changed after. */
public final class SnapshotPublisher implements SnapshotSource {

    private volatile DataPlaneSnapshot current;

    public SnapshotPublisher(DataPlaneSnapshot initial) {
        this.current = Objects.requireNonNull(initial, "initial");
    }

    @Override
    public DataPlaneSnapshot current() {
        return current;
    }

    public void publish(DataPlaneSnapshot snapshot) {
        current = Objects.requireNonNull(snapshot, "snapshot");
    }
}
