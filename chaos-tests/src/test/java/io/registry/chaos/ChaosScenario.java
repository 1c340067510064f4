package io.registry.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.registry.api.Instance;
import io.registry.api.Responses;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One scenario's life: a fresh cluster, a running workload, faults marked as they are injected, and at
 * the end convergence, the history check, a summary row and the assertions. Scenarios only say what
 * fault to inject and when; everything else is here.
 */
final class ChaosScenario implements AutoCloseable {
    /** Every random choice derives from this; set -Dchaos.seed=N to replay a run's choices. */
    static final long SEED = Long.getLong("chaos.seed", System.currentTimeMillis());
    static final String SERVICE = "chaos";
    /**
     * One directory per run (about 2 MB), so that a later run in the same checkout does not overwrite the
     * logs of a failure before anyone has read them (session 5 lost the leader's side of one that way).
     */
    static final Path LOG_ROOT = Path.of(System.getProperty("chaos.logs", "target/chaos-logs/run-"
            + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now())
            + "-seed" + SEED));
    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    static final Duration LEADER_TIMEOUT = Duration.ofSeconds(30);
    static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(45);
    static final Duration CONVERGE_TIMEOUT = Duration.ofSeconds(30);
    static final Duration LINEARIZABLE_READ_TIMEOUT = Duration.ofSeconds(30);
    /** Acknowledged writes before the fault, and after recovery before the checks. */
    static final int WARMUP_ACKS = 100;
    static final int TAIL_ACKS = 100;
    /** Assert the design's availability targets instead of the looser bounds (for whoever works on failover). */
    static final boolean STRICT_TARGETS = Boolean.getBoolean("chaos.strictTargets");

    private final String name;
    private final NodeHttp http = new NodeHttp();
    private final ChaosCluster cluster;
    private final Workload workload;
    private final long startNanos = System.nanoTime();
    private final List<String> notes = new ArrayList<>();
    private long faultAtNanos = -1;
    private boolean finished;

    private ChaosScenario(String name, int nodes) {
        this.name = name;
        long seed = SEED ^ name.hashCode();
        ChaosLog.info("[%s] seed %d (run seed %d)", name, seed, SEED);
        this.cluster = new ChaosCluster(name, nodes, http, LOG_ROOT);
        this.workload = new Workload(cluster, http, SERVICE, seed);
    }

    /** Starts a fresh cluster of {@code nodes}, waits for it to serve, starts the load and lets it run a while. */
    static ChaosScenario begin(String name, int nodes) {
        ChaosEnvironment.require();
        ChaosScenario s = new ChaosScenario(name, nodes);
        try {
            s.cluster.startAll();
            s.cluster.awaitReady(s.cluster.ids(), READY_TIMEOUT);
            s.note("leader " + s.cluster.awaitLeader(LEADER_TIMEOUT));
            s.workload.start();
            s.awaitAcks(WARMUP_ACKS);
            return s;
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    ChaosCluster cluster() {
        return cluster;
    }

    NodeHttp http() {
        return http;
    }

    Workload workload() {
        return workload;
    }

    long faultAtNanos() {
        return faultAtNanos;
    }

    String leader() {
        return cluster.awaitLeader(LEADER_TIMEOUT);
    }

    /** Marks the moment the fault starts (unavailability is counted from here) and injects it. */
    void fault(String description, Runnable inject) {
        faultAtNanos = System.nanoTime();
        ChaosLog.info("[%s] fault at %d ms: %s", name, (faultAtNanos - startNanos) / 1_000_000, description);
        inject.run();
    }

    void note(String note) {
        notes.add(note);
        ChaosLog.info("[%s] %s", name, note);
    }

    /** Waits for {@code count} more writes to be acknowledged, i.e. for the cluster to make progress. */
    void awaitAcks(int count) {
        awaitAcks(count, PROGRESS_TIMEOUT);
    }

    void awaitAcks(int count, Duration timeout) {
        long base = workload.history().acknowledged();
        Waits.until(count + " more acknowledged writes in " + name, timeout,
                () -> workload.history().acknowledged() >= base + count);
    }

    /** Repeats an operator's request until it answers 200; the failure message carries the last answer. */
    NodeHttp.Reply awaitOk(String what, Duration timeout, Supplier<NodeHttp.Reply> request) {
        AtomicReference<NodeHttp.Reply> last = new AtomicReference<>();
        try {
            return Waits.until(what, timeout, () -> {
                NodeHttp.Reply reply = request.get();
                last.set(reply);
                return reply.ok() ? Optional.of(reply) : Optional.empty();
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last answer: "
                    + (last.get() == null ? "none" : last.get().describe()), e);
        }
    }

    void awaitReady() {
        cluster.awaitReady(cluster.healthyIds(), READY_TIMEOUT);
    }

    /**
     * Lets the load run on after recovery, stops it, waits until every healthy node holds identical state,
     * checks the history and records the summary row. Fails on any violation, or when writes were
     * unavailable for longer than {@code bound}; {@code target} (the design's number) is only reported,
     * unless -Dchaos.strictTargets=true makes it the bound. Either may be null (measured only).
     */
    HistoryChecker.Verdict finish(Duration target, Duration bound) {
        awaitAcks(TAIL_ACKS);
        long endNanos = System.nanoTime();
        workload.stop();
        workload.history().dump(cluster.logDir().resolve("history.csv"), startNanos);
        List<Instance> state = awaitConvergence(cluster.healthyIds());
        HistoryChecker.Verdict v = HistoryChecker.check(workload.history(), state, faultAtNanos, endNanos);
        List<String> unserved = linearizableReadsServed(cluster.healthyIds());
        if (!unserved.isEmpty()) {
            v.violations().put("a node served no linearizable read within " + LINEARIZABLE_READ_TIMEOUT.toSeconds()
                    + " s once the load had stopped", unserved);
        }
        finished = true;
        if (!v.unavailabilityByNode().isEmpty()) {
            notes.add("through each node (ms): " + v.unavailabilityByNode().entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue()).collect(java.util.stream.Collectors.joining(", ")));
        }
        Duration enforced = STRICT_TARGETS && target != null ? target : bound;
        boolean tooSlow = enforced != null && v.unavailabilityMillis() > enforced.toMillis();
        boolean missed = target != null && v.unavailabilityMillis() > target.toMillis();
        String result = !v.clean() || tooSlow ? "FAILED" : missed ? "passed, target missed" : "passed";
        ChaosSummary.add(new ChaosSummary.Row(name, result, v.acknowledged(), v.lost(), v.unavailabilityMillis(),
                target == null ? -1 : target.toMillis(), v.readsOk(), v.readsFailed(), seconds(),
                String.join("; ", notes)));
        ChaosLog.info("[%s] %s: %d acknowledged, %d lost, unavailable %d ms, reads %d ok / %d failed, %d instances at the end",
                name, result, v.acknowledged(), v.lost(), v.unavailabilityMillis(), v.readsOk(), v.readsFailed(), state.size());
        assertThat(v.clean()).as("history of %s (logs in %s):%n%s", name, cluster.logDir(), v.describe()).isTrue();
        if (enforced != null) {
            assertThat(v.unavailabilityMillis()).as("write unavailability in %s (logs in %s)", name, cluster.logDir())
                    .isLessThanOrEqualTo(enforced.toMillis());
        }
        return v;
    }

    /**
     * After recovery and with the load stopped, every node must answer a linearizable read again: a node
     * that keeps failing them would pass every other check while being useless to clients.
     */
    private List<String> linearizableReadsServed(List<String> ids) {
        List<String> unserved = new ArrayList<>();
        for (String id : ids) {
            AtomicReference<String> last = new AtomicReference<>("no answer");
            try {
                Waits.until("a linearizable read at " + id, LINEARIZABLE_READ_TIMEOUT, () -> {
                    NodeHttp.Reply reply = cluster.uri(id)
                            .map(u -> http.get(u, "v1/services/" + SERVICE + "/instances?consistency=linearizable"))
                            .orElse(new NodeHttp.Reply(NodeHttp.NO_STATUS, "", -1, "not running"));
                    last.set(reply.describe());
                    return reply.ok();
                });
            } catch (AssertionError e) {
                unserved.add(id + ", last answer: " + abbreviate(last.get()));
            }
        }
        return unserved;
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** Records a scenario that could not run (e.g. a feature that is not there yet) and stops its load. */
    void skipped(String why) {
        finished = true;
        workload.stop();
        ChaosSummary.add(new ChaosSummary.Row(name, "skipped", workload.history().acknowledged(), 0, -1, -1, 0, 0,
                seconds(), why));
    }

    /**
     * Waits until every node in {@code ids} answers a stale read of the service with the same index and
     * the same instances, and reports the same applied index; answers that state.
     */
    List<Instance> awaitConvergence(List<String> ids) {
        AtomicReference<String> lastDivergence = new AtomicReference<>("no answer from every node");
        try {
            return converged(ids, lastDivergence);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last seen: " + lastDivergence.get(), e);
        }
    }

    private List<Instance> converged(List<String> ids, AtomicReference<String> lastDivergence) {
        return Waits.until("identical state on " + ids + " in " + name, CONVERGE_TIMEOUT, () -> {
            Map<String, View> views = new LinkedHashMap<>();
            for (String id : ids) {
                Optional<View> view = view(id);
                if (view.isEmpty()) {
                    return Optional.empty();
                }
                views.put(id, view.get());
            }
            long distinct = views.values().stream().distinct().count();
            if (distinct != 1) {
                lastDivergence.set(summarize(views));
                return Optional.empty();
            }
            return Optional.of(views.values().iterator().next().instances());
        });
    }

    /** What one node holds: the service's index and instances, and the node's applied index. */
    record View(long index, long applied, List<Instance> instances) {
    }

    private Optional<View> view(String id) {
        Optional<Responses.Cluster> info = cluster.clusterInfo(id);
        Optional<NodeHttp.Reply> reply = cluster.uri(id)
                .map(u -> http.get(u, "v1/services/" + SERVICE + "/instances?consistency=stale"))
                .filter(NodeHttp.Reply::ok);
        if (info.isEmpty() || reply.isEmpty()) {
            return Optional.empty();
        }
        Responses.Instances r = reply.get().as(Responses.Instances.class);
        List<Instance> sorted = r.instances().stream().sorted(Comparator.comparing(Instance::id)).toList();
        return Optional.of(new View(r.index(), info.get().appliedIndex(), sorted));
    }

    private static String summarize(Map<String, View> views) {
        StringBuilder out = new StringBuilder();
        views.forEach((id, v) -> out.append(id).append("{index=").append(v.index()).append(", applied=")
                .append(v.applied()).append(", instances=").append(v.instances().size()).append("} "));
        return out.toString();
    }

    private long seconds() {
        return (System.nanoTime() - startNanos) / 1_000_000_000L;
    }

    @Override
    public void close() {
        workload.stop();
        if (!finished) {
            workload.history().dump(cluster.logDir().resolve("history.csv"), startNanos);
            ChaosSummary.add(new ChaosSummary.Row(name, "FAILED", workload.history().acknowledged(), 0, -1, -1, 0, 0,
                    seconds(), "did not finish; logs in " + cluster.logDir()));
            cluster.threadDumps("unfinished");
            ChaosLog.warn("[%s] did not finish; last node log lines:%n%s", name, cluster.logTails(40));
        }
        cluster.close();
    }
}
