package io.vpnlb.dataplane.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.UncheckedBooleanSupplier;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class DatagramBatchAllocatorTest {

    private static final int SLOT = 65_527;

    private long now = TimeUnit.SECONDS.toNanos(100);
    private final DatagramBatchAllocator allocator = new DatagramBatchAllocator(SLOT, 16, 16);
    private final DatagramBatchAllocator.BatchHandle handle = allocator.new BatchHandle(() -> now);
    private final DefaultChannelConfig config = new DefaultChannelConfig(new EmbeddedChannel());

    @Test
    void aQuietSocketReadsOneDatagramPerEvent() {
        event(TimeUnit.MILLISECONDS.toNanos(1));
        assertThat(handle.busy()).isFalse();
        assertThat(handle.guess()).isEqualTo(SLOT);
        handle.lastBytesRead(1_400);
        handle.incMessagesRead(1);
        // level-triggered polling reports the socket again if more is queued: no empty read now
        assertThat(handle.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER)).isFalse();
    }

    @Test
    void eventsInQuickSuccessionReadBatchesUntilOneComesBackShort() {
        event(TimeUnit.MILLISECONDS.toNanos(1));
        event(TimeUnit.MICROSECONDS.toNanos(10));
        assertThat(handle.busy()).isTrue();
        assertThat(handle.guess()).isEqualTo(16 * SLOT);
        handle.lastBytesRead(16 * SLOT);        // recvmmsg filled every slot: more may wait
        assertThat(handle.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER)).isTrue();
        assertThat(handle.guess()).isEqualTo(16 * SLOT);
        handle.lastBytesRead(5 * SLOT);         // a short batch: the queue is empty
        assertThat(handle.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER)).isFalse();

        // a batch of 5 keeps the next event busy even after a long gap; a single datagram does not
        event(TimeUnit.MILLISECONDS.toNanos(5));
        assertThat(handle.busy()).isTrue();
        handle.guess();
        handle.lastBytesRead(SLOT);
        event(TimeUnit.MILLISECONDS.toNanos(5));
        assertThat(handle.busy()).isFalse();
    }

    @Test
    void aBusySocketYieldsToOtherSocketsAfterTheReadQuantum() {
        event(TimeUnit.MILLISECONDS.toNanos(1));
        event(TimeUnit.MICROSECONDS.toNanos(10));
        handle.guess();
        handle.lastBytesRead(16 * SLOT);
        handle.incMessagesRead(16);
        assertThat(handle.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER)).isFalse();
    }

    private void event(long afterNanos) {
        now += afterNanos;
        handle.reset(config);
    }
}
