package io.registry.bench.scenario;

import io.registry.api.Durations;
import io.registry.bench.CpuMeter;
import io.registry.bench.Latency;
import io.registry.bench.ScenarioResult;
import io.registry.bench.Table;
import io.registry.bench.load.HttpLoad;
import io.registry.bench.load.Request;
import io.registry.bench.load.Workload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** Setup steps and result building shared by the scenarios. */
final class Support {
    static final byte[] PLAIN_BODY = "{\"address\":\"10.0.0.1\",\"port\":80}".getBytes(StandardCharsets.US_ASCII);
    static final byte[] EMPTY = new byte[0];
    static final int SETUP_CONCURRENCY = 64;
    private static final int SETUP_PASSES = 10;
    private static final Duration SETUP_PAUSE = Duration.ofMillis(200);
    private static final Duration CONVERGE_TIMEOUT = Duration.ofSeconds(120);

    private Support() {
    }

    static byte[] ttlBody(Duration ttl) {
        return ("{\"address\":\"10.0.0.1\",\"port\":80,\"check\":{\"type\":\"ttl\",\"ttl\":\"" + ttl.toMillis() + "ms\"}}")
                .getBytes(StandardCharsets.US_ASCII);
    }

    static String instancePath(String service, long n) {
        return "/v1/services/" + service + "/instances/i-" + n;
    }

    /**
     * Registers instances {@code i-0 .. i-(count-1)}, instance n in {@code services[n % size]}, from every node,
     * retrying refusals (429, 503) in later passes. Returns the first pass's outcome (its throughput and
     * latency describe registration at this scale).
     */
    static HttpLoad.Outcome registerAll(Context ctx, List<String> services, int count, byte[] body)
            throws IOException, InterruptedException {
        List<Integer> todo = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            todo.add(i);
        }
        HttpLoad.Outcome first = null;
        for (int pass = 0; pass < SETUP_PASSES && !todo.isEmpty(); pass++) {
            Queue<Integer> failed = new ConcurrentLinkedQueue<>();
            List<Integer> ids = todo;
            AtomicInteger cursor = new AtomicInteger();
            Workload w = new Workload() {
                @Override
                public Request next(int conn, String host) {
                    int k = cursor.getAndIncrement();
                    if (k >= ids.size()) {
                        return null;
                    }
                    int n = ids.get(k);
                    return Request.put(host, instancePath(services.get(n % services.size()), n), body, n);
                }

                @Override
                public void done(int conn, Request r, int status, long index, long sent, long end) {
                    if (status != 200) {
                        failed.add((int) r.tag());
                    }
                }
            };
            HttpLoad.Outcome o = ctx.load().run(ctx.nodes(),
                    w, HttpLoad.Settings.untilDone(Math.min(SETUP_CONCURRENCY, ids.size()), ctx.timeout()));
            if (first == null) {
                first = o;
            }
            todo = new ArrayList<>(failed);
            if (!todo.isEmpty()) {
                ctx.log().printf("  setup: %d registrations refused (%s), retrying%n", todo.size(), o.errors());
                Thread.sleep(SETUP_PAUSE.toMillis());
            }
        }
        if (!todo.isEmpty()) {
            throw new IOException(todo.size() + " of " + count + " setup registrations failed after " + SETUP_PASSES
                    + " passes");
        }
        return first;
    }

    /** Waits until every node lists {@code count} instances of {@code service} (stale reads). */
    static void awaitInstances(Context ctx, String service, int count) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + CONVERGE_TIMEOUT.toNanos();
        for (String node : ctx.nodes()) {
            int seen = -1;
            while (System.nanoTime() < deadline) {
                seen = ctx.control().instanceIds(node, service, false).map(List::size).orElse(-1);
                if (seen == count) {
                    break;
                }
                Thread.sleep(50);
            }
            if (seen != count) {
                throw new IOException(node + " lists " + seen + " instances of " + service + ", expected " + count);
            }
        }
    }

    /** A measured closed-loop run: what a timed scenario measured, and the CPU it took meanwhile. */
    record Timed(HttpLoad.Outcome outcome, Map<String, Double> cpu, Map<String, Object> observed) {
    }

    /** Something read off the cluster at the start and the end of the measured part. */
    interface Probe {
        Probe NONE = new Probe() {
            @Override
            public void start() {
            }

            @Override
            public Map<String, Object> stop() {
                return Map.of();
            }
        };

        void start() throws IOException, InterruptedException;

        Map<String, Object> stop() throws IOException, InterruptedException;
    }

    /**
     * How many writes the leader's log entries carried in the measured part (its write batcher's counters in
     * {@code /metrics}): with every node's writes joining the leader's entries, the entry count is what each
     * node's Raft work follows.
     */
    static Probe leaderEntries(Context ctx) {
        String commands = "registry_write_commands_total";
        String batches = "registry_write_batches_total";
        return new Probe() {
            private String leader;
            private Map<String, Double> atStart = Map.of();

            @Override
            public void start() throws InterruptedException {
                try {
                    leader = ctx.view().leaderAddress();
                } catch (IOException noLeader) {
                    return;   // a figure on the side; the run itself goes on without it
                }
                atStart = ctx.control().metrics(leader, commands, batches);
            }

            @Override
            public Map<String, Object> stop() {
                if (leader == null) {
                    return Map.of();
                }
                Map<String, Double> atEnd = ctx.control().metrics(leader, commands, batches);
                double c = atEnd.getOrDefault(commands, Double.NaN) - atStart.getOrDefault(commands, Double.NaN);
                double b = atEnd.getOrDefault(batches, Double.NaN) - atStart.getOrDefault(batches, Double.NaN);
                if (!(b > 0)) {
                    return Map.of();
                }
                Map<String, Object> seen = new LinkedHashMap<>();
                seen.put("leaderEntriesPerSecond", Math.round(b / ctx.duration().toMillis() * 1000));
                seen.put("writesPerLeaderEntry", round(c / b));
                return seen;
            }
        };
    }

    /**
     * Runs {@code workload} on {@code targets} at {@code concurrency} connections: warm-up first (not
     * recorded), then the measured duration, with CPU metered over the measured part only.
     */
    static Timed timed(Context ctx, String name, List<String> targets, Workload workload, int concurrency, int rate)
            throws IOException, InterruptedException {
        return timed(ctx, name, targets, workload, concurrency, rate, Probe.NONE);
    }

    static Timed timed(Context ctx, String name, List<String> targets, Workload workload, int concurrency, int rate,
                       Probe probe) throws IOException, InterruptedException {
        ctx.log().printf("%s: %d connections to %s for %s after %s warm-up%n", name, concurrency, targets,
                Durations.format(ctx.duration()), Durations.format(ctx.warmup()));
        HttpLoad.Run run = ctx.load().start(targets, workload, HttpLoad.Settings.timed(concurrency, ctx.warmup(),
                ctx.duration(), rate, ctx.timeout()));
        Thread.sleep(ctx.warmup().toMillis());
        CpuMeter cpu = ctx.cpu().start();
        probe.start();
        HttpLoad.Outcome o = run.await();
        Map<String, Object> observed = probe.stop();
        return new Timed(o, cpu.stop(), observed);
    }

    /**
     * Also records CPU per successful operation (node processes together, and the bench): unlike ops/s it
     * hardly depends on what else runs on the machine, so runs on a busy machine still compare.
     */
    static ScenarioResult result(String scenario, Map<String, Object> params, HttpLoad.Outcome o,
                                 Map<String, Double> cpu, Map<String, Object> extra) {
        extra = new LinkedHashMap<>(extra);
        Double nodes = Table.nodesCpu(cpu);
        if (o.ok() > 0 && o.seconds() > 0) {
            if (nodes != null) {
                extra.put("nodeCpuUsPerOp", Math.round(nodes / 100 * o.seconds() / o.ok() * 1e6));
            }
            if (nodes != null && cpu.containsKey(CpuMeter.JIT)) {
                extra.put("nodeJitCpuUsPerOp", Math.round(cpu.get(CpuMeter.JIT) / 100 * o.seconds() / o.ok() * 1e6));
            }
            if (cpu.containsKey("bench")) {
                extra.put("benchCpuUsPerOp", Math.round(cpu.get("bench") / 100 * o.seconds() / o.ok() * 1e6));
            }
        }
        return new ScenarioResult(scenario, 1, params, o.ok(), round(o.seconds()), round(o.opsPerSecond()),
                Latency.of(o.latency()), o.errorCount(), o.errors(), cpu, extra);
    }

    static double round(double d) {
        return Math.round(d * 10) / 10.0;
    }
}
