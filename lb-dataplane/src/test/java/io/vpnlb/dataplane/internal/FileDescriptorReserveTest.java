package io.vpnlb.dataplane.internal;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class FileDescriptorReserveTest {

    private static final long PERIOD = TimeUnit.MILLISECONDS.toNanos(100);

    @Test
    void admitsUntilOnlyTheReserveIsLeftAndAgainWhenSessionsGiveTheirsBack() {
        FakeFileDescriptors fds = new FakeFileDescriptors(1000, 700);
        FileDescriptorReserve reserve = new FileDescriptorReserve(fds, 256, PERIOD, 0);

        int admitted = 0;
        while (reserve.tryAcquire(1) && admitted < 1000) {
            admitted++;
        }

        assertThat(admitted).isEqualTo(1000 - 256 - 700);
        assertThat(reserve.open()).isEqualTo(1000 - 256);
        assertThat(reserve.tryAcquire(2)).isFalse();
        reserve.release();
        assertThat(reserve.tryAcquire(3)).isTrue();
        assertThat(reserve.tryAcquire(4)).isFalse();
        assertThat(fds.samples).isEqualTo(1);
    }

    @Test
    void theKernelsCountIsReadAgainAtMostOncePerPeriod() {
        FakeFileDescriptors fds = new FakeFileDescriptors(1000, 744);
        FileDescriptorReserve reserve = new FileDescriptorReserve(fds, 256, PERIOD, 0);
        assertThat(reserve.tryAcquire(1)).isFalse();
        // Descriptors of other kinds were closed (admin connections, TCP sessions): seen at the next sample.
        fds.open = 600;

        assertThat(reserve.tryAcquire(PERIOD - 1)).isFalse();
        assertThat(fds.samples).isEqualTo(1);
        assertThat(reserve.tryAcquire(PERIOD)).isTrue();
        assertThat(fds.samples).isEqualTo(2);
        assertThat(reserve.open()).isEqualTo(601);
        for (int i = 0; i < 100; i++) {
            reserve.tryAcquire(PERIOD + i);
        }
        assertThat(fds.samples).isEqualTo(2);

        // Others opened descriptors: the next sample takes them into account.
        fds.open = 900;
        assertThat(reserve.tryAcquire(2 * PERIOD)).isFalse();
        assertThat(reserve.open()).isEqualTo(900);
    }

    @Test
    void aRaisedLimitIsSeenAtTheNextSample() {
        FakeFileDescriptors fds = new FakeFileDescriptors(1000, 744);
        FileDescriptorReserve reserve = new FileDescriptorReserve(fds, 256, PERIOD, 0);
        assertThat(reserve.tryAcquire(1)).isFalse();

        fds.limit = 2000;

        assertThat(reserve.tryAcquire(PERIOD)).isTrue();
        assertThat(reserve.limit()).isEqualTo(2000);
    }

    @Test
    void anUnknownLimitRefusesNothingAndReadsNothing() {
        FakeFileDescriptors fds = new FakeFileDescriptors(0, -1);
        FileDescriptorReserve reserve = new FileDescriptorReserve(fds, 256, PERIOD, 0);
        int samples = fds.samples;

        for (int i = 0; i < 10_000; i++) {
            assertThat(reserve.tryAcquire(i * PERIOD)).isTrue();
        }

        assertThat(fds.samples).isEqualTo(samples);
        assertThat(FileDescriptorReserve.UNLIMITED.tryAcquire(0)).isTrue();
    }

    @Test
    void thisProcessReportsItsLimitAndItsOpenDescriptors() throws Exception {
        FileDescriptorReserve.ProcessSource process = new FileDescriptorReserve.ProcessSource();
        Path fdDirectory = Path.of("/proc/self/fd");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(fdDirectory), "Linux /proc");
        String limits = Files.readString(Path.of("/proc/self/limits"));
        long soft = limits.lines().filter(line -> line.startsWith("Max open files"))
                .map(line -> line.substring("Max open files".length()).trim().split("\\s+")[0])
                .mapToLong(Long::parseLong).findFirst().orElseThrow();

        assertThat(process.limit()).isEqualTo(soft);
        long before = process.open();
        try (var first = new java.io.FileInputStream("/dev/null");
             var second = new java.io.FileInputStream("/dev/null")) {
            assertThat(process.open()).isEqualTo(before + 2);
        }
        assertThat(process.open()).isEqualTo(before);
    }
}
