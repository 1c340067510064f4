package io.registry.bench.scenario;

import io.registry.api.Durations;
import io.registry.bench.CpuMeter;
import io.registry.bench.Latency;
import io.registry.bench.ScenarioResult;
import io.registry.bench.cluster.ClusterView;
import io.registry.bench.cluster.LocalCluster;
import io.registry.bench.load.HttpLoad;
import io.registry.bench.load.Request;
import io.registry.bench.load.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Per round: writers send unique registrations to the followers at a steady rate; the leader is killed
 * with SIGKILL; the round's figure is the time from the kill to the first 200 for a write <em>sent after</em>
 * the kill (an earlier write may have been committed by the old leader). The killed node is then restarted
 * on its data and the cluster allowed to settle before the next round.
 */
final class FailoverScenario implements Scenario {
    static final int DEFAULT_ROUNDS = 10;
    static final int DEFAULT_CONCURRENCY = 16;
    static final int DEFAULT_RATE = 400;
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration DEFAULT_WARMUP = Duration.ofSeconds(2);
    static final Duration ROUND_LIMIT = Duration.ofSeconds(20);
    static final Duration READY_WAIT = Duration.ofSeconds(60);

    @Override
    public ScenarioResult run(Context ctx) throws Exception {
        LocalCluster local = ctx.requireLocal("failover");
        int rounds = ctx.opts().intOr(ctx.opts().rounds(), DEFAULT_ROUNDS);
        int concurrency = ctx.opts().intOr(ctx.opts().concurrency(), DEFAULT_CONCURRENCY);
        int rate = ctx.opts().intOr(ctx.opts().rate(), DEFAULT_RATE);
        Duration timeout = ctx.opts().durationOr(ctx.opts().timeout(), DEFAULT_TIMEOUT);
        Duration settle = ctx.opts().durationOr(ctx.opts().warmup(), DEFAULT_WARMUP);
        String service = ctx.service("fo");
        Histogram histogram = Latency.histogram();
        List<Long> perRound = new ArrayList<>();
        Map<String, Long> errors = new TreeMap<>();
        AtomicLong ids = new AtomicLong();
        CpuMeter cpu = ctx.cpu().start();
        for (int round = 1; round <= rounds; round++) {
            local.awaitReady(ctx.control(), READY_WAIT);
            ClusterView view = ctx.view();
            int leader = local.indexOfAddress(view.leaderAddress());
            AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
            AtomicLong firstOk = new AtomicLong(Long.MAX_VALUE);
            Workload w = new Workload() {
                @Override
                public Request next(int conn, String host) {
                    long n = ids.getAndIncrement();
                    return Request.put(host, Support.instancePath(service, n), Support.PLAIN_BODY, n);
                }

                @Override
                public void done(int conn, Request r, int status, long index, long sent, long end) {
                    if (status == 200 && sent >= killedAt.get()) {
                        firstOk.accumulateAndGet(end, Math::min);
                    }
                }
            };
            HttpLoad.Run run = ctx.load().start(view.followerAddresses(), w, HttpLoad.Settings.timed(concurrency,
                    Duration.ZERO, settle.plus(ROUND_LIMIT), rate, timeout));
            Thread.sleep(settle.toMillis());
            killedAt.set(System.nanoTime());
            local.kill(leader);
            long deadline = killedAt.get() + ROUND_LIMIT.toNanos();
            while (firstOk.get() == Long.MAX_VALUE && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            run.stop();
            HttpLoad.Outcome o = run.await();
            o.errors().forEach((k, v) -> errors.merge(k, v, Long::sum));
            long nanos = firstOk.get() == Long.MAX_VALUE ? ROUND_LIMIT.toNanos() : firstOk.get() - killedAt.get();
            Latency.record(histogram, nanos);
            perRound.add(nanos / 1_000_000);
            ctx.log().printf("failover round %d/%d: killed %s (leader), writes accepted again after %d ms%s%n",
                    round, rounds, view.leaderId(), nanos / 1_000_000,
                    firstOk.get() == Long.MAX_VALUE ? " (NONE within the limit)" : "");
            local.startNode(leader);
        }
        local.awaitReady(ctx.control(), READY_WAIT);
        // Per-node shares cover only nodes alive throughout; "other" (everything not ours) stays exact.
        Map<String, Double> usage = cpu.stop();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("concurrency", concurrency);
        params.put("rate", rate);
        params.put("rounds", rounds);
        params.put("timeout", Durations.format(timeout));
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("roundsMs", perRound);
        extra.put("worstMs", perRound.stream().mapToLong(Long::longValue).max().orElse(0));
        long errorCount = errors.values().stream().mapToLong(Long::longValue).sum();
        return new ScenarioResult("failover", 1, params, rounds, 0, 0, Latency.of(histogram), errorCount, errors,
                usage, extra);
    }
}
