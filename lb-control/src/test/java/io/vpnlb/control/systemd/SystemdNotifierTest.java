package io.vpnlb.control.systemd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The notifications arrive on a real AF_UNIX datagram socket, as systemd's notify socket receives them. */
class SystemdNotifierTest {

    @Test
    void statesArriveOnAFileSystemSocket(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("notify");
        try (NotifySocket systemd = new NotifySocket(socket.toString())) {
            try (SystemdNotifier notifier = SystemdNotifier.forSocket(socket.toString())) {
                assertThat(notifier.enabled()).isTrue();
                notifier.ready("serving 2 listeners");
                notifier.reloading();
                notifier.ready("reloaded");
                notifier.status("draining");
                notifier.stopping();
            }
            assertThat(systemd.next()).isEqualTo("READY=1\nSTATUS=serving 2 listeners");
            assertThat(systemd.next()).startsWith("RELOADING=1\nMONOTONIC_USEC=")
                    .endsWith("\nSTATUS=reloading the configuration");
            assertThat(systemd.next()).isEqualTo("READY=1\nSTATUS=reloaded");
            assertThat(systemd.next()).isEqualTo("STATUS=draining");
            assertThat(systemd.next()).isEqualTo("STOPPING=1\nSTATUS=stopping");
            assertThat(systemd.isEmpty()).isTrue();
        }
    }

    @Test
    void abstractSocketNamesStartWithAt() throws Exception {
        String name = "vpnlb-test-" + UUID.randomUUID();
        try (NotifySocket systemd = new NotifySocket("\0" + name);
             SystemdNotifier notifier = SystemdNotifier.forSocket("@" + name)) {
            notifier.ready("a status\nsplit over lines");
            assertThat(systemd.next()).isEqualTo("READY=1\nSTATUS=a status split over lines");
        }
    }

    @Test
    void monotonicTimeIsTheKernelsClock() throws Exception {
        Path uptime = Path.of("/proc/uptime");
        assumeTrue(Files.isReadable(uptime), "needs /proc/uptime");
        String name = "vpnlb-test-" + UUID.randomUUID();
        try (NotifySocket systemd = new NotifySocket("\0" + name);
             SystemdNotifier notifier = SystemdNotifier.forSocket("@" + name)) {
            notifier.reloading();
            String message = systemd.next();
            double uptimeSeconds = Double.parseDouble(Files.readString(uptime).split(" ")[0]);
            long usec = Long.parseLong(message.lines().filter(l -> l.startsWith("MONOTONIC_USEC="))
                    .findFirst().orElseThrow().substring("MONOTONIC_USEC=".length()));
            // CLOCK_MONOTONIC counts from boot like /proc/uptime, which also counts suspended time: never less.
            assertThat(usec).isPositive().isLessThanOrEqualTo((long) ((uptimeSeconds + 1) * 1_000_000));
        }
    }

    @Test
    void withoutNotifySocketNothingIsSent() {
        try (SystemdNotifier notifier = SystemdNotifier.forSocket(null)) {
            assertThat(notifier.enabled()).isFalse();
            notifier.ready("ignored");
            notifier.stopping();
        }
        assertThat(SystemdNotifier.forSocket("").enabled()).isFalse();
    }

    @Test
    void aSocketThatIsNotThereYetIsLoggedNotThrown(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("notify");
        try (SystemdNotifier notifier = SystemdNotifier.forSocket(socket.toString())) {
            notifier.ready("nobody listens yet");
            try (NotifySocket systemd = new NotifySocket(socket.toString())) {
                notifier.stopping();
                assertThat(systemd.next()).isEqualTo("STOPPING=1\nSTATUS=stopping");
                assertThat(systemd.isEmpty()).isTrue();
            }
        }
    }
}
