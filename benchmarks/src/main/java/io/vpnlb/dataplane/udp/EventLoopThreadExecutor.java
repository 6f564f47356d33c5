package io.vpnlb.dataplane.udp;

import io.netty.util.concurrent.FastThreadLocalThread;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs JMH's benchmark threads as {@link FastThreadLocalThread}s, the kind of thread Netty's event loops are
 * (select it with {@code -Djmh.executor=CUSTOM -Djmh.executor.class=} this class, as Netty's own microbenchmarks
 * do). Netty 4.2 pools per-write objects such as {@code ChannelOutboundBuffer.Entry} through its {@code Recycler}
 * only on such threads; on a plain JMH thread every write would allocate one (64 B) that a running balancer never
 * allocates.
 */
public final class EventLoopThreadExecutor extends ThreadPoolExecutor {

    /** The constructor JMH calls for {@code jmh.executor=CUSTOM}. */
    public EventLoopThreadExecutor(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.DAYS, new LinkedBlockingQueue<>(), new Factory(prefix));
    }

    private static final class Factory implements java.util.concurrent.ThreadFactory {
        private final String prefix;
        private final AtomicInteger count = new AtomicInteger();

        Factory(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new FastThreadLocalThread(task, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
