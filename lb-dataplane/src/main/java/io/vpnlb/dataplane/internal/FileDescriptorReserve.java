package io.vpnlb.dataplane.internal;

import com.sun.management.UnixOperatingSystemMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps file descriptors in reserve for what must keep working when clients use up the process's open-files limit
 * ({@code RLIMIT_NOFILE}): the admin API and {@code /metrics} accepting connections, health-check sockets, reloads
 * reading files and binding listeners. Every UDP session holds one descriptor (its upstream socket); a new session
 * is refused while fewer than {@code reserve} descriptors would remain free.
 *
 * <p>The number of open descriptors is read from the kernel at most once per sample period (on Linux 6.2 and later
 * the size of {@code /proc/self/fd}, one {@code stat}; otherwise the JDK's count, which lists the directory and
 * so is sampled less often the longer it takes); between samples, sessions taken and given back move the count.
 * Touched only when a session opens or closes, from any event loop.
 */
public final class FileDescriptorReserve {

    /** Descriptors kept free by default. */
    public static final int DEFAULT_RESERVE = 256;
    /** The count is read from the kernel at most this often. */
    public static final long DEFAULT_SAMPLE_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** A sample may take at most this share of the time between samples (1/100). */
    private static final long SAMPLE_COST_FACTOR = 100;

    /** Where the limit and the open count come from. */
    public interface Source {

        /** The open-files limit, or a value {@code <= 0} when unknown. */
        long limit();

        /** The descriptors open now, or a negative value when unknown. */
        long open();
    }

    /** Refuses nothing: for a process whose limit is unknown, and for tests. */
    public static final FileDescriptorReserve UNLIMITED = new FileDescriptorReserve(new Source() {
        @Override
        public long limit() {
            return 0;
        }

        @Override
        public long open() {
            return -1;
        }
    }, DEFAULT_RESERVE, DEFAULT_SAMPLE_PERIOD_NANOS, 0);

    private final Source source;
    private final int reserve;
    private final long periodNanos;
    private volatile long limit;
    /** Open descriptors: the last sample, plus sessions taken, minus sessions given back since. */
    private final AtomicLong open = new AtomicLong();
    private final AtomicLong nextSampleNanos;

    /**
     * @param now the current {@link System#nanoTime()}; the first sample is taken here
     */
    public FileDescriptorReserve(Source source, int reserve, long periodNanos, long now) {
        this.source = source;
        this.reserve = reserve;
        this.periodNanos = periodNanos;
        this.limit = source.limit();
        this.nextSampleNanos = new AtomicLong(now + periodNanos);
        sample(now);
    }

    /** The reserve of this process: its open-files limit and open descriptors. */
    public static FileDescriptorReserve ofProcess() {
        return new FileDescriptorReserve(new ProcessSource(), DEFAULT_RESERVE, DEFAULT_SAMPLE_PERIOD_NANOS,
                System.nanoTime());
    }

    /**
     * Takes a descriptor for a new session if {@code reserve} remain free after it; {@link #release()} gives it
     * back when the session closes (or its socket could not be opened).
     *
     * @param now the current {@link System#nanoTime()}
     */
    public boolean tryAcquire(long now) {
        if (limit <= 0) {
            // No limit known (not a Unix JDK): nothing to keep in reserve.
            open.incrementAndGet();
            return true;
        }
        long next = nextSampleNanos.get();
        if (now - next >= 0 && nextSampleNanos.compareAndSet(next, now + periodNanos)) {
            sample(now);
        }
        long bound = limit - reserve;
        for (;;) {
            long current = open.get();
            if (current >= bound) {
                return false;
            }
            if (open.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    public void release() {
        open.decrementAndGet();
    }

    /** The open-files limit as last read, or {@code <= 0} when unknown. */
    public long limit() {
        return limit;
    }

    /** Open descriptors as last sampled and adjusted since. */
    public long open() {
        return open.get();
    }

    public int reserve() {
        return reserve;
    }

    private void sample(long now) {
        long started = System.nanoTime();
        long max = source.limit();
        long count = source.open();
        long cost = System.nanoTime() - started;
        if (max > 0) {
            limit = max;
        }
        if (count >= 0) {
            open.set(count);
        }
        if (cost * SAMPLE_COST_FACTOR > periodNanos) {
            nextSampleNanos.set(now + cost * SAMPLE_COST_FACTOR);
        }
    }

    /** This process: {@code RLIMIT_NOFILE} through the JDK, open descriptors from {@code /proc/self/fd}. */
    static final class ProcessSource implements Source {

        private static final Path FD_DIRECTORY = Path.of("/proc/self/fd");

        private final UnixOperatingSystemMXBean os;
        private volatile boolean directorySize = true;

        ProcessSource() {
            OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
            this.os = bean instanceof UnixOperatingSystemMXBean ? (UnixOperatingSystemMXBean) bean : null;
        }

        @Override
        public long limit() {
            return os == null ? 0 : os.getMaxFileDescriptorCount();
        }

        @Override
        public long open() {
            if (directorySize) {
                try {
                    // Linux 6.2+: the size of /proc/PID/fd is the number of open descriptors; 0 before.
                    long size = Files.size(FD_DIRECTORY);
                    if (size > 0) {
                        return size;
                    }
                } catch (IOException | RuntimeException e) {
                    // not Linux, or /proc is not mounted
                }
                directorySize = false;
            }
            return os == null ? -1 : os.getOpenFileDescriptorCount();
        }
    }
}
