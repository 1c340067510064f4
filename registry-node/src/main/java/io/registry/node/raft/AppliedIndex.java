package io.registry.node.raft;

import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * This replica's applied index, and futures waiting for it to reach a given index. A write is answered
 * only once the receiving node has applied it, so the caller reads its own write from that node.
 * Waiters complete on {@code completer}, never on the Ratis apply thread.
 */
public final class AppliedIndex {
    private record Waiter(long index, CompletableFuture<Long> future) {
    }

    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>((a, b) -> Long.compare(a.index, b.index));
    private final Executor completer;
    private volatile long applied;

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
