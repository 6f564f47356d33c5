package io.vpnlb.dataplane.udp;

import io.netty.channel.ChannelConfig;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

import java.util.concurrent.TimeUnit;

/**
 * Receive buffers of a listener socket on epoll, which Netty 4.2 polls level-triggered: a socket with datagrams
 * left in its queue is reported again by the next {@code epoll_wait}, so a read may stop early without losing
 * anything. Two modes, chosen at each readiness event:
 * <ul>
 *   <li>quiet: one datagram slot, read with one {@code recvmsg}, then back to the event loop. Per datagram
 *       that is {@code recvmsg} + {@code epoll_wait}; reading on until the queue is empty would add a
 *       {@code recvmsg} that finds nothing.</li>
 *   <li>busy (the previous event was less than {@link #BUSY_GAP_NANOS} ago, or found a batch): a buffer of
 *       {@code maxSlots} slots filled by one {@code recvmmsg} (Netty's epoll channel reads
 *       {@code writableBytes / MAX_DATAGRAM_PAYLOAD_SIZE} datagrams per call; its {@code recvmmsg} also costs one
 *       {@code getsockopt}). A full batch is followed by another read; a short one means the queue is empty.</li>
 * </ul>
 * Each datagram is a slice of its buffer, forwarded as it is; a slot is as large as the largest datagram, so none
 * is ever truncated.
 */
final class DatagramBatchAllocator extends DefaultMaxMessagesRecvByteBufAllocator {

    /** Events closer than this (20,000 a second on one socket) mean datagrams are waiting: read them in batches. */
    static final long BUSY_GAP_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    /** A batch of at least this many datagrams keeps the socket busy whatever the gap. */
    static final int BUSY_BATCH = 4;

    private final int slotSize;
    private final int maxSlots;

    /**
     * @param slotSize           bytes per datagram slot: the largest datagram
     * @param maxSlots           the most datagrams one call reads
     * @param maxMessagesPerRead datagrams read per readiness event before the event loop serves other sockets
     */
    DatagramBatchAllocator(int slotSize, int maxSlots, int maxMessagesPerRead) {
        super(maxMessagesPerRead);
        if (slotSize <= 0 || maxSlots <= 1) {
            throw new IllegalArgumentException("slotSize " + slotSize + ", maxSlots " + maxSlots);
        }
        this.slotSize = slotSize;
        this.maxSlots = maxSlots;
    }

    @Override
    public Handle newHandle() {
        return new BatchHandle(System::nanoTime);
    }

    /** A monotonic clock in nanoseconds. */
    interface Clock {
        long nanoTime();
    }

    /** One per channel, used on its event loop only. */
    final class BatchHandle extends MaxMessageHandle {

        private final Clock clock;
        private long lastEventNanos;
        private boolean busy;
        /** Datagrams of the last read, and the slots it offered. */
        private int received;
        private int offered;

        BatchHandle(Clock clock) {
            this.clock = clock;
            this.lastEventNanos = clock.nanoTime() - TimeUnit.SECONDS.toNanos(1);
        }

        @Override
        public void reset(ChannelConfig config) {
            super.reset(config);
            long now = clock.nanoTime();
            busy = now - lastEventNanos < BUSY_GAP_NANOS || received >= BUSY_BATCH;
            lastEventNanos = now;
            received = 0;
        }

        boolean busy() {
            return busy;
        }

        @Override
        public int guess() {
            offered = busy ? maxSlots : 1;
            return offered * slotSize;
        }

        @Override
        public void lastBytesRead(int bytes) {
            super.lastBytesRead(bytes);
            // recvmmsg reports whole slots (datagrams x slot size); recvmsg the length of its one datagram
            received = bytes <= 0 ? 0 : Math.max(1, bytes / slotSize);
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return busy && received == offered && super.continueReading(maybeMoreDataSupplier);
        }
    }
}
