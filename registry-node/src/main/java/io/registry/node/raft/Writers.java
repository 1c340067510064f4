package io.registry.node.raft;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many clients write through this node: the most writes outstanding at once (queued, in a batch, or
 * committed and not yet answered) over the last quarter to half second. The batcher uses it for group
 * commit: while some of those clients are between an answer and their next write, a batch that left now
 * would carry only part of them, and every log entry costs each node a gRPC round and an fsync whatever it
 * carries. Closed-loop clients come back within a fraction of a millisecond, so waiting for them is cheap;
 * a lone writer is never held, and clients that went away stop counting after two windows.
 */
final class Writers {
    static final long WINDOW_NANOS = 250_000_000L;

    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicInteger windowPeak = new AtomicInteger();
    // Read and written by the batcher thread only.
    private int previousPeak;
    private long windowStart;

    Writers(long nanoNow) {
        this.windowStart = nanoNow;
    }

    void submitted(int writes) {
        int now = outstanding.addAndGet(writes);
        if (now > windowPeak.get()) {
            windowPeak.accumulateAndGet(now, Math::max);
        }
    }

    void answered(int writes) {
        outstanding.addAndGet(-writes);
    }

    /** The writers a batch leaving at {@code nanoNow} should wait for. Batcher thread only. */
    int expected(long nanoNow) {
        long age = nanoNow - windowStart;
        if (age >= WINDOW_NANOS) {
            int ended = windowPeak.getAndSet(outstanding.get());
            previousPeak = age < 2 * WINDOW_NANOS ? ended : 0;
            windowStart = nanoNow;
        }
        return Math.max(windowPeak.get(), previousPeak);
    }

    int outstanding() {
        return outstanding.get();
    }

    /** True while some of the {@code expected} writers have no write here yet. */
    boolean missing(int expected) {
        return outstanding.get() < expected;
    }
}
