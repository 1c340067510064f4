package io.registry.node.raft;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This replica's applied index, and futures waiting for it to reach a given index. Waiters complete on
 * {@code completer}, never on the Ratis apply thread.
 *
 * <p>Read-your-writes on one node: a write is answered once it is committed and the leader has applied it,
 * which on a follower comes about a millisecond before this replica applies it. The node records every
 * index it answered ({@link #answered}) and a local read first waits until this replica has applied up to
 * the highest ({@link #awaitAnswered}), so a client still reads its own writes from the node it wrote to,
 * without each write waiting for the follower's apply.
 */
public final class AppliedIndex {
    private record Waiter(long index, CompletableFuture<Long> future) {
    }

    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>((a, b) -> Long.compare(a.index, b.index));
    private final Executor completer;
    private volatile long applied;
    private final AtomicLong answered = new AtomicLong();
    /** The reads waiting for {@link #answered} share one waiter per index, ended by its own timeout. */
    private CompletableFuture<Long> barrier = CompletableFuture.completedFuture(0L);
    private long barrierIndex;

    public AppliedIndex(Executor completer) {
        this.completer = completer;
    }

    public long current() {
        return applied;
    }

    public CompletableFuture<Long> await(long index) {
        if (applied >= index) {
            return CompletableFuture.completedFuture(applied);
        }
        CompletableFuture<Long> future = new CompletableFuture<>();
        synchronized (waiters) {
            if (applied >= index) {
                return CompletableFuture.completedFuture(applied);
            }
            waiters.add(new Waiter(index, future));
        }
        return future;
    }

    /** A write this node answered committed at {@code index}. */
    public void answered(long index) {
        answered.accumulateAndGet(index, Math::max);
    }

    /** The highest index this node has answered a write with. */
    public long answered() {
        return answered.get();
    }

    /**
     * Completes once this replica has applied every write this node has answered, or exceptionally with a
     * {@link java.util.concurrent.TimeoutException} after {@code timeout}. Until a newer write is answered,
     * a barrier that timed out stays failed: a replica cut off from the leader answers its reads at once
     * (stale, or 503) instead of holding each one for the whole timeout.
     */
    public CompletableFuture<Long> awaitAnswered(Duration timeout) {
        long target = answered.get();
        if (applied >= target) {
            return CompletableFuture.completedFuture(applied);
        }
        synchronized (this) {
            if (barrierIndex < target) {
                barrierIndex = target;
                barrier = await(target).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            return barrier;
        }
    }

    /**
     * As {@link #awaitAnswered}, and also until this replica has applied {@code index}: the highest index a
     * client has seen (its {@code X-Registry-Min-Index}), which may come from a write it made on another
     * node. A waiter of its own fails after {@code timeout}; at or below the answered index the shared one serves.
     */
    public CompletableFuture<Long> awaitAtLeast(long index, Duration timeout) {
        if (index <= applied || index <= answered.get()) {
            return awaitAnswered(timeout);
        }
        return await(index).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Called from the apply path; indices only grow (a snapshot reload may jump ahead). */
    public void advance(long index) {
        PriorityQueue<Waiter> ready = null;
        synchronized (waiters) {
            if (index <= applied) {
                return;
            }
            applied = index;
            while (!waiters.isEmpty() && waiters.peek().index <= index) {
                if (ready == null) {
                    ready = new PriorityQueue<>((a, b) -> Long.compare(a.index, b.index));
                }
                ready.add(waiters.poll());
            }
        }
        if (ready != null) {
            PriorityQueue<Waiter> batch = ready;
            completer.execute(() -> batch.forEach(w -> w.future.complete(index)));
        }
    }
}
