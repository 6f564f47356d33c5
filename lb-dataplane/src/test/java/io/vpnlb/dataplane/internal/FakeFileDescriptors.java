package io.vpnlb.dataplane.internal;

/** A process's open-files limit and open descriptors, as a test sets them; counts how often they are read. */
public final class FakeFileDescriptors implements FileDescriptorReserve.Source {

    public long limit;
    public long open;
    public int samples;

    public FakeFileDescriptors(long limit, long open) {
        this.limit = limit;
        this.open = open;
    }

    @Override
    public long limit() {
        return limit;
    }

    @Override
    public long open() {
        samples++;
        return open;
    }
}
