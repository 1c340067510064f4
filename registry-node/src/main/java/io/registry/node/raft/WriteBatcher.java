package io.registry.node.raft;

import io.registry.api.ApiException;
import io.registry.statemachine.codec.EntryCodec;
import io.registry.statemachine.command.Batch;
import io.registry.statemachine.command.Command;
import io.registry.statemachine.command.Register;
import io.registry.statemachine.core.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftClientReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesces concurrent writes into one {@link Batch} log entry. One entry per command cannot reach the
 * throughput targets on two cores; while {@code maxInFlight} batches are out, new writes queue and
 * leave together in the next one. Each caller still gets its own result, once this node has applied it.
 */
public final class WriteBatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WriteBatcher.class);

    public record Limits(int maxQueued, int maxBatchCommands, int maxBatchBytes, int maxInFlight) {
        public static final Limits DEFAULT = new Limits(20_000, 1_000, 1 << 20, 2);
    }

    /** A write's outcome: the log index that committed it and what apply answered. */
    public record Applied(long index, Result result) {
    }

    private record Pending(Command command, int bytes, CompletableFuture<Applied> future) {
    }

    private final RaftNode raft;
    private final AppliedIndex applied;
    private final Limits limits;
    private final BlockingQueue<Pending> queue;
    /** Batches in flight on the current Ratis client; a new client (new leader) starts with fresh permits. */
    private volatile Semaphore inFlight;
    private long inFlightGeneration;
    private final Thread flusher;
    private volatile boolean running = true;
    private final java.util.concurrent.atomic.LongAdder committedCommands = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder committedBatches = new java.util.concurrent.atomic.LongAdder();

    public WriteBatcher(RaftNode raft, AppliedIndex applied, Limits limits) {
        this.raft = raft;
        this.applied = applied;
        this.limits = limits;
        this.queue = new ArrayBlockingQueue<>(limits.maxQueued());
        this.inFlight = new Semaphore(limits.maxInFlight());
        this.inFlightGeneration = raft.clientGeneration();
        this.flusher = new Thread(this::run, "write-batcher-" + raft.id());
        this.flusher.setDaemon(true);
        this.flusher.start();
    }

    /** Completes with the applied result, or exceptionally with an {@link ApiException} (429, 503). */
    public CompletableFuture<Applied> submit(Command command) {
        CompletableFuture<Applied> future = new CompletableFuture<>();
        if (!running) {
            future.completeExceptionally(ApiException.unavailable("shutting_down", "this node is shutting down; "
                    + "send the request to another node"));
        } else if (!queue.offer(new Pending(command, estimateBytes(command), future))) {
            future.completeExceptionally(new ApiException(429, "too_many_requests", "this node has "
                    + limits.maxQueued() + " writes waiting; retry after a short pause or use another node"));
        }
        return future;
    }

    private void run() {
        while (running) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                Semaphore permits = acquirePermit();
                if (permits == null) {
                    return;
                }
                send(drainAfter(first), permits);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("write batcher loop failed; continuing", e);
            }
        }
    }

    /**
     * Waits for room on the current client. Batches stuck on a client aimed at a dead leader keep their
     * permits; they must not hold back the writes that can already go to the new leader.
     */
    private Semaphore acquirePermit() throws InterruptedException {
        while (running) {
            long generation = raft.clientGeneration();
            if (generation != inFlightGeneration) {
                inFlightGeneration = generation;
                inFlight = new Semaphore(limits.maxInFlight());
            }
            Semaphore permits = inFlight;
            if (permits.tryAcquire(20, TimeUnit.MILLISECONDS)) {
                return permits;
            }
        }
        return null;
    }

    private List<Pending> drainAfter(Pending first) {
        List<Pending> batch = new ArrayList<>();
        batch.add(first);
        int bytes = first.bytes();
        while (batch.size() < limits.maxBatchCommands()) {
            Pending next = queue.peek();
            if (next == null || bytes + next.bytes() > limits.maxBatchBytes()) {
                break;
            }
            batch.add(queue.poll());
            bytes += next.bytes();
        }
        return batch;
    }

    private void send(List<Pending> batch, Semaphore permits) {
        Command command = batch.size() == 1 ? batch.get(0).command()
                : new Batch(batch.stream().map(Pending::command).toList());
        CompletableFuture<RaftClientReply> reply;
        try {
            reply = raft.submit(EntryCodec.encodeCommand(command));
        } catch (RuntimeException e) {
            permits.release();
            fail(batch, e);
            return;
        }
        reply.whenComplete((r, error) -> {
            permits.release();
            if (error != null || !r.isSuccess()) {
                fail(batch, error != null ? error : r.getException());
                return;
            }
            Result result = EntryCodec.decodeResult(r.getMessage().getContent().toByteArray());
            long index = r.getLogIndex();
            committedCommands.add(batch.size());
            committedBatches.increment();
            applied.await(index).whenComplete((ignored, e) -> deliver(batch, index, result));
        });
    }

    private static void deliver(List<Pending> batch, long index, Result result) {
        if (batch.size() == 1) {
            batch.get(0).future().complete(new Applied(index, result));
            return;
        }
        List<Result> results = result instanceof Result.Batched b ? b.results() : null;
        for (int i = 0; i < batch.size(); i++) {
            Result own = results != null && i < results.size() ? results.get(i) : result;
            batch.get(i).future().complete(new Applied(index, own));
        }
    }

    private static void fail(List<Pending> batch, Throwable cause) {
        LOG.warn("write of {} command(s) failed: {}", batch.size(), String.valueOf(cause));
        ApiException error = ApiException.unavailable("no_leader", "the cluster could not commit the write "
                + "(no leader reachable within the retry budget: " + rootMessage(cause) + "); retry shortly, "
                + "and check `registry status` if it persists");
        batch.forEach(p -> p.future().completeExceptionally(error));
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == null ? "unknown" : root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    /** Commands committed through this node, and the log entries they took. */
    public long[] stats() {
        return new long[] {committedCommands.sum(), committedBatches.sum()};
    }

    /** A cheap upper bound on the encoded size, so a batch stays under the byte limit without encoding twice. */
    static int estimateBytes(Command command) {
        if (command instanceof Register r) {
            var i = r.instance();
            int size = 128 + i.service().length() + i.id().length() + i.address().length();
            for (String tag : i.tags()) {
                size += 4 + tag.length() * 3;
            }
            for (var e : i.metadata().entrySet()) {
                size += 8 + (e.getKey().length() + e.getValue().length()) * 3;
            }
            return size + (i.check().url() == null ? 0 : i.check().url().length() * 3);
        }
        return 300;
    }

    @Override
    public void close() {
        running = false;
        flusher.interrupt();
        Pending p;
        while ((p = queue.poll()) != null) {
            p.future().completeExceptionally(ApiException.unavailable("shutting_down", "this node is shutting down"));
        }
    }
}
