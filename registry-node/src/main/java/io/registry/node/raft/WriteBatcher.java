package io.registry.node.raft;

import io.registry.api.ApiException;
import io.registry.statemachine.codec.EntryCodec;
import io.registry.statemachine.command.Batch;
import io.registry.statemachine.command.Command;
import io.registry.statemachine.command.Register;
import io.registry.statemachine.core.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesces concurrent writes into one {@link Batch} log entry. One entry per command cannot reach the
 * throughput targets on two cores; while {@code maxInFlight} batches are out, new writes queue and
 * leave together in the next one. Each caller still gets its own result, once the entry is committed and
 * the leader has applied it; reads on this node then wait until it has applied the entry too.
 *
 * <p>Group commit: a batch may wait up to {@code linger} for the clients that were writing here a moment
 * ago and have just been answered ({@link Writers}), so that they share one entry instead of splitting
 * into two half-full ones. A batch's permit is returned once its callers are answered, not at commit: the
 * next batch then knows who is missing.
 */
public final class WriteBatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WriteBatcher.class);

    public record Limits(int maxQueued, int maxBatchCommands, int maxBatchBytes, int maxInFlight, Duration linger) {
        /**
         * A 1 ms linger: with Raft's appender sending at once (RaftNode), 2 ms held every write longer than the
         * entries it saved were worth (12,237-12,739/s against 14,761-14,921/s; 0.5 ms 10,895/s, none 9,792/s).
         */
        public static final Limits DEFAULT = new Limits(20_000, 1_000, 1 << 20, 2, Duration.ofMillis(1));
    }

    /** A write's outcome: the log index that committed it and what apply answered. */
    public record Applied(long index, Result result) {
    }

    /**
     * Hands a follower's batch to the leader's batcher, so that writes reaching every node share the leader's
     * log entries: each follower batch as its own entry made the cluster carry three streams of small
     * entries, at twice the CPU per write of clients that all write to the leader.
     */
    public interface Forward {
        /** Completes with where and how the leader applied it; fails with {@link Refused} if it was turned away unappended. */
        CompletableFuture<Applied> forward(byte[] command);

        /** The largest encoded batch the leader accepts. */
        int maxBytes();
    }

    /** The leader turned a forwarded batch away before appending it, so sending it again cannot apply it twice. */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** One write, or a follower's forwarded batch ({@link Batch}) that must share one entry and one answer. */
    private record Pending(Command command, int count, int bytes, CompletableFuture<Applied> future) {
    }

    private final RaftNode raft;
    private final AppliedIndex applied;
    private final Limits limits;
    private final Forward forward;
    private final BlockingQueue<Pending> queue;
    /** Batches in flight on the current Ratis client; a new client (new leader) starts with fresh permits. */
    private volatile Semaphore inFlight;
    private long inFlightGeneration;
    private final Writers writers = new Writers(System.nanoTime());
    private final Thread flusher;
    private volatile boolean running = true;
    /** How many writers the flusher waits for (0 when it is not waiting); the submit that brings the last wakes it. */
    private volatile int lingeringFor;
    private final java.util.concurrent.atomic.LongAdder committedCommands = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder committedBatches = new java.util.concurrent.atomic.LongAdder();

    public WriteBatcher(RaftNode raft, AppliedIndex applied, Limits limits) {
        this(raft, applied, limits, null);
    }

    /** With {@code forward} null a follower's batches go through the Ratis client, each its own entry. */
    public WriteBatcher(RaftNode raft, AppliedIndex applied, Limits limits, Forward forward) {
        this.raft = raft;
        this.applied = applied;
        this.limits = limits;
        this.forward = forward;
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
        } else if (!enqueue(new Pending(command, command instanceof Batch b ? b.commands().size() : 1,
                estimateBytes(command), future))) {
            future.completeExceptionally(new ApiException(429, "too_many_requests", "this node has "
                    + limits.maxQueued() + " writes waiting; retry after a short pause or use another node"));
        }
        return future;
    }

    private boolean enqueue(Pending pending) {
        writers.submitted(pending.count());
        if (!queue.offer(pending)) {
            writers.answered(pending.count());
            return false;
        }
        // Only the last awaited writer wakes the flusher: a wake-up per write cost each write a futex call
        // here and a context switch there, for the flusher to find some still missing and sleep again.
        int awaited = lingeringFor;
        if (awaited > 0 && !writers.missing(awaited)) {
            LockSupport.unpark(flusher);
        }
        return true;
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
                awaitWriters();
                boolean forwarding = forward != null && !raft.isLeaderReady();
                int maxBytes = forwarding ? Math.min(limits.maxBatchBytes(), forward.maxBytes()) : limits.maxBatchBytes();
                send(drainAfter(first, maxBytes), permits, forwarding);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("write batcher loop failed; continuing", e);
            }
        }
    }

    /** Group commit: waits, at most the linger, until the writers seen lately all have a write here. */
    private void awaitWriters() {
        long linger = limits.linger().toNanos();
        if (linger <= 0) {
            return;
        }
        long now = System.nanoTime();
        int expected = writers.expected(now);
        long deadline = now + linger;
        while (writers.missing(expected)) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !running) {
                return;
            }
            lingeringFor = expected;   // at least 1: missing(expected) held
            if (writers.missing(expected)) {
                LockSupport.parkNanos(this, left);
            }
            lingeringFor = 0;
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

    private List<Pending> drainAfter(Pending first, int maxBytes) {
        List<Pending> batch = new ArrayList<>();
        batch.add(first);
        int bytes = first.bytes();
        int commands = first.count();
        while (commands < limits.maxBatchCommands()) {
            Pending next = queue.peek();
            if (next == null || bytes + next.bytes() > maxBytes) {
                break;
            }
            batch.add(queue.poll());
            bytes += next.bytes();
            commands += next.count();
        }
        return batch;
    }

    private void send(List<Pending> batch, Semaphore permits, boolean forwarding) {
        Command command = batch.size() == 1 ? batch.get(0).command() : flatten(batch);
        int bytes = batch.stream().mapToInt(Pending::bytes).sum();
        CompletableFuture<Applied> committed;
        try {
            committed = commit(EntryCodec.encodeCommand(command), forwarding && bytes <= forward.maxBytes());
        } catch (RuntimeException e) {
            committed = CompletableFuture.failedFuture(e);
        }
        committed.whenComplete((c, error) -> {
            if (error != null) {
                permits.release();
                fail(batch, error);
                return;
            }
            committedCommands.add(batch.stream().mapToInt(Pending::count).sum());
            committedBatches.increment();
            // Answered at commit, not once this replica has applied the entry (a follower does ~1 ms later):
            // reads here wait for that instead (AppliedIndex.awaitAnswered). The permit comes back once the
            // callers are answered, so the next batch sees them as missing and waits for them.
            applied.answered(c.index());
            deliver(batch, c.index(), c.result());
            permits.release();
        });
    }

    /** A forwarded batch joins the entry command by command: the state machine applies no nested batches. */
    private static Batch flatten(List<Pending> batch) {
        List<Command> commands = new ArrayList<>();
        for (Pending p : batch) {
            if (p.command() instanceof Batch group) {
                commands.addAll(group.commands());
            } else {
                commands.add(p.command());
            }
        }
        return new Batch(commands);
    }

    /**
     * On the leader, straight into its Raft server. On a follower, to the leader's batcher when it fits
     * there; what the leader turned away unappended, and what is too big to forward, goes through the
     * Ratis client (which follows a leader change). A forward that failed otherwise (a timeout, a broken
     * connection) is not resent: the first copy may still commit, and the callers get 503. {@code forwarding}
     * is decided once per batch, when it was drained to the forwarding size.
     */
    private CompletableFuture<Applied> commit(byte[] command, boolean forwarding) {
        if (forwarding) {
            return forward.forward(command).handle((applied, error) -> {
                if (error == null) {
                    return CompletableFuture.completedFuture(applied);
                }
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                return cause instanceof Refused ? viaRaft(command) : CompletableFuture.<Applied>failedFuture(cause);
            }).thenCompose(f -> f);
        }
        return viaRaft(command);
    }

    private CompletableFuture<Applied> viaRaft(byte[] command) {
        return raft.submit(command).thenApply(r -> {
            if (!r.isSuccess()) {
                throw new CompletionException(r.getException());
            }
            return new Applied(r.getLogIndex(), EntryCodec.decodeResult(r.getMessage().getContent().toByteArray()));
        });
    }

    /** Each write gets its own result; a forwarded batch gets the results of its commands, in order. */
    private void deliver(List<Pending> batch, long index, Result result) {
        if (batch.size() == 1) {
            answer(batch.get(0), new Applied(index, result));
            return;
        }
        List<Result> results = result instanceof Result.Batched b ? b.results() : null;
        int at = 0;
        for (Pending p : batch) {
            Result own;
            if (results == null) {
                own = result;   // the entry as a whole was turned down
            } else if (p.command() instanceof Batch) {
                own = new Result.Batched(List.copyOf(results.subList(Math.min(at, results.size()),
                        Math.min(at + p.count(), results.size()))));
            } else {
                own = at < results.size() ? results.get(at) : result;
            }
            at += p.count();
            answer(p, new Applied(index, own));
        }
    }

    /**
     * Counts the writers as answered before their callers hear it. Counted after (in a callback of the
     * future, which runs after the caller's own), a client answered on another thread could write again
     * first; the peak then held writers who did not exist (65-69 with 64 clients, docs/BENCHMARKS.md session
     * 14), and every batch lingered its full time for them.
     */
    private void answer(Pending pending, Applied applied) {
        writers.answered(pending.count());
        pending.future().complete(applied);
    }

    private void refuse(Pending pending, Throwable error) {
        writers.answered(pending.count());
        pending.future().completeExceptionally(error);
    }

    /** Writes submitted and not yet answered; for tests. */
    int unanswered() {
        return writers.outstanding();
    }

    private void fail(List<Pending> batch, Throwable cause) {
        LOG.warn("write of {} command(s) failed: {}", batch.size(), String.valueOf(cause));
        ApiException error = ApiException.unavailable("no_leader", "the cluster could not commit the write "
                + "(no leader reachable within the retry budget: " + rootMessage(cause) + "); retry shortly, "
                + "and check `registry status` if it persists");
        batch.forEach(p -> refuse(p, error));
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
        if (command instanceof Batch b) {
            return b.commands().stream().mapToInt(WriteBatcher::estimateBytes).sum();
        }
        return 300;
    }

    @Override
    public void close() {
        running = false;
        flusher.interrupt();
        Pending p;
        while ((p = queue.poll()) != null) {
            refuse(p, ApiException.unavailable("shutting_down", "this node is shutting down"));
        }
    }
}
