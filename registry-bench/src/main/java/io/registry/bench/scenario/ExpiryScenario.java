package io.registry.bench.scenario;

import io.registry.api.Durations;
import io.registry.bench.CpuMeter;
import io.registry.bench.Latency;
import io.registry.bench.ScenarioResult;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * {@code --instances} TTL instances are kept alive by heartbeats every TTL/4; each round one of them stops
 * heartbeating, and every node is polled until it no longer lists it with {@code healthy=true}. The figure
 * is the time from the <em>sending</em> of its last successful heartbeat (an upper bound on when the lease
 * was renewed) to its disappearance, per node; the target is TTL + 1 s. One instance of many dies at a time,
 * so mass-expiry protection does not engage.
 */
final class ExpiryScenario implements Scenario {
    static final int DEFAULT_INSTANCES = 20;
    static final int DEFAULT_ROUNDS = 5;
    static final Duration DEFAULT_TTL = Duration.ofSeconds(2);
    static final long POLL_MILLIS = 10;
    static final Duration GONE_LIMIT = Duration.ofSeconds(30);

    @Override
    public ScenarioResult run(Context ctx) throws Exception {
        int instances = ctx.opts().intOr(ctx.opts().instances(), DEFAULT_INSTANCES);
        int rounds = Math.min(instances, ctx.opts().intOr(ctx.opts().rounds(), DEFAULT_ROUNDS));
        Duration ttl = ctx.opts().durationOr(ctx.opts().ttl(), DEFAULT_TTL);
        String service = ctx.service("exp");
        Support.registerAll(ctx, List.of(service), instances, Support.ttlBody(ttl));
        Support.awaitInstances(ctx, service, instances);
        String leader = ctx.view().leaderAddress();
        Set<Integer> alive = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < instances; i++) {
            alive.add(i);
        }
        long[] lastOkSent = new long[instances];
        Object sweepLock = new Object();
        ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();
        Histogram histogram = Latency.histogram();
        CpuMeter cpu = ctx.cpu().start();
        List<Long> worstPerRound = new ArrayList<>();
        Map<String, Long> errors = new TreeMap<>();
        try {
            long period = Math.max(50, ttl.toMillis() / 4);
            heartbeats.scheduleAtFixedRate(() -> sweep(ctx, leader, service, alive, lastOkSent, sweepLock, errors),
                    0, period, TimeUnit.MILLISECONDS);
            Thread.sleep(ttl.toMillis());
            for (int round = 0; round < rounds; round++) {
                long last;
                synchronized (sweepLock) {
                    alive.remove(round);
                    last = lastOkSent[round];
                }
                Map<String, Long> gone = awaitGone(ctx, service, "i-" + round,
                        last + ttl.toNanos() + GONE_LIMIT.toNanos());
                long worst = 0;
                for (long at : gone.values()) {
                    long nanos = at == Long.MAX_VALUE ? ttl.plus(GONE_LIMIT).toNanos() : at - last;
                    Latency.record(histogram, nanos);
                    worst = Math.max(worst, nanos);
                    if (at == Long.MAX_VALUE) {
                        errors.merge("never-gone", 1L, Long::sum);
                    }
                }
                worstPerRound.add(worst / 1_000_000);
                ctx.log().printf("expiry round %d/%d: i-%d gone from healthy results on every node %d ms after its "
                        + "last heartbeat (ttl %s)%n", round + 1, rounds, round, worst / 1_000_000, Durations.format(ttl));
            }
        } finally {
            heartbeats.shutdownNow();
            heartbeats.awaitTermination(5, TimeUnit.SECONDS);
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("instances", instances);
        params.put("ttl", Durations.format(ttl));
        params.put("rounds", rounds);
        Map<String, Object> extra = new LinkedHashMap<>();
        long worst = worstPerRound.stream().mapToLong(Long::longValue).max().orElse(0);
        extra.put("roundsWorstMs", worstPerRound);
        extra.put("worstOverTtlMs", worst - ttl.toMillis());
        long errorCount = errors.values().stream().mapToLong(Long::longValue).sum();
        return new ScenarioResult("expiry", 1, params, histogram.getTotalCount(), 0, 0, Latency.of(histogram),
                errorCount, errors, cpu.stop(), extra);
    }

    private static void sweep(Context ctx, String leader, String service, Set<Integer> alive, long[] lastOkSent,
                              Object lock, Map<String, Long> errors) {
        synchronized (lock) {
            for (int i : alive) {
                long sent = System.nanoTime();
                try {
                    var answer = ctx.control().put(leader, Support.instancePath(service, i) + "/heartbeat", "");
                    if (answer.ok()) {
                        lastOkSent[i] = sent;
                    } else {
                        synchronized (errors) {
                            errors.merge("heartbeat-http-" + answer.status(), 1L, Long::sum);
                        }
                    }
                } catch (IOException e) {
                    synchronized (errors) {
                        errors.merge("heartbeat-io", 1L, Long::sum);
                    }
                }
            }
        }
    }

    /**
     * Per node, the {@link System#nanoTime()} of the first answer without the instance (MAX_VALUE if none by
     * the deadline). All nodes are polled in each pass so none is timed late because another was slower.
     */
    private static Map<String, Long> awaitGone(Context ctx, String service, String id, long deadline)
            throws InterruptedException {
        Map<String, Long> gone = new LinkedHashMap<>();
        ctx.nodes().forEach(n -> gone.put(n, Long.MAX_VALUE));
        while (System.nanoTime() < deadline && gone.containsValue(Long.MAX_VALUE)) {
            for (String node : ctx.nodes()) {
                if (gone.get(node) != Long.MAX_VALUE) {
                    continue;
                }
                Optional<List<String>> ids = ctx.control().instanceIds(node, service, true);
                long now = System.nanoTime();
                if (ids.isPresent() && !ids.get().contains(id)) {
                    gone.put(node, now);
                }
            }
            Thread.sleep(POLL_MILLIS);
        }
        return gone;
    }
}
