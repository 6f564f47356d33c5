package io.vpnlb.control.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The short soak of CI ({@code src/test/sh/soak.sh}, 270 s, warm-up 190 s: the SA table keeps routes at
 * least 3 minutes, so the heap grows with new clients until then): steady IKE-shaped traffic with 20 new
 * client addresses a second and short timers, so sessions, persistence entries and SA routes come and go; vpnlb's
 * RSS, heap after a forced collection and open files must stay within 10% of their value after warm-up, and
 * vpnlb must pass on what it receives. The 20-minute run and its figures are in RELIABILITY.md.
 * Logs and the CSV of the last run: {@code target/it-logs/soak/}.
 */
class SoakIT {

    @Test
    void memoryHeapAndOpenFilesStayFlatWhileSessionsChurn() throws Exception {
        List<String> lines = new NamespaceScenario("soak.sh", "soak", Duration.ofMinutes(8))
                .runAndExpectPass("270");
        String text = String.join("\n", lines);
        assertThat(text).contains("flat    : rss_kib", "flat    : heap_after_gc_bytes", "flat    : open_fds");
    }
}
