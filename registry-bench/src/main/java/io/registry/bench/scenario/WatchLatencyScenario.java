package io.registry.bench.scenario;

import io.registry.api.Durations;
import io.registry.bench.CpuMeter;
import io.registry.bench.Latency;
import io.registry.bench.ScenarioResult;
import io.registry.bench.cluster.ClusterView;
import io.registry.bench.load.HttpLoad;
import io.registry.bench.load.Request;
import io.registry.bench.load.SseWatch;
import io.registry.bench.load.Workload;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Writers re-register a small set of instances at one node (the leader, or a follower with
 * {@code --target followers}); an SSE watch on every other node reports each event's index. A write's
 * latency at a node is the time from sending it to the first event there whose index covers the write's
 * index (events can arrive before the writer's own answer, so both are kept).
 */
final class WatchLatencyScenario implements Scenario {
    static final int DEFAULT_CONCURRENCY = 1;
    static final int DEFAULT_RATE = 50;
    static final int DEFAULT_INSTANCES = 10;
    private static final int MAX_EVENTS_KEPT = 100_000;
    private static final long SETTLE_MILLIS = 2000;

    /** Matches acknowledged writes to watch events per node. All calls on one event loop or synchronized. */
    static final class Tracker {
        private final Map<String, NavigableMap<Long, Long>> events = new HashMap<>();
        private final Map<String, TreeMap<Long, List<Long>>> pending = new HashMap<>();
        final Histogram sendToVisible = Latency.histogram();
        final Histogram ackToVisible = Latency.histogram();
        private final Map<Long, Long> ackTimes = new HashMap<>();
        long writes;

        Tracker(List<String> watchNodes) {
            for (String n : watchNodes) {
                events.put(n, new TreeMap<>());
                pending.put(n, new TreeMap<>());
            }
        }

        synchronized void acked(long index, long sentNanos, long ackNanos) {
            writes++;
            ackTimes.put(sentNanos, ackNanos);
            for (Map.Entry<String, NavigableMap<Long, Long>> e : events.entrySet()) {
                Map.Entry<Long, Long> seen = e.getValue().ceilingEntry(index);
                if (seen != null) {
                    record(sentNanos, seen.getValue());
                } else {
                    pending.get(e.getKey()).computeIfAbsent(index, k -> new ArrayList<>()).add(sentNanos);
                }
            }
        }

        synchronized void event(String node, long index, long nanos) {
            NavigableMap<Long, Long> seen = events.get(node);
            if (seen == null) {
                return;
            }
            seen.putIfAbsent(index, nanos);
            if (seen.size() > MAX_EVENTS_KEPT) {
                seen.pollFirstEntry();
            }
            NavigableMap<Long, List<Long>> covered = pending.get(node).headMap(index, true);
            covered.values().forEach(list -> list.forEach(sent -> record(sent, nanos)));
            covered.clear();
        }

        private void record(long sentNanos, long visibleNanos) {
            Latency.record(sendToVisible, visibleNanos - sentNanos);
            Long ack = ackTimes.get(sentNanos);
            Latency.record(ackToVisible, Math.max(0, visibleNanos - (ack == null ? visibleNanos : ack)));
        }

        synchronized long unresolved() {
            return pending.values().stream().mapToLong(m -> m.values().stream().mapToLong(List::size).sum()).sum();
        }
    }

    @Override
    public ScenarioResult run(Context ctx) throws Exception {
        int concurrency = ctx.opts().intOr(ctx.opts().concurrency(), DEFAULT_CONCURRENCY);
        int rate = ctx.opts().intOr(ctx.opts().rate(), DEFAULT_RATE);
        int instances = ctx.opts().intOr(ctx.opts().instances(), DEFAULT_INSTANCES);
        String service = ctx.service("watch");
        Support.registerAll(ctx, List.of(service), instances, Support.PLAIN_BODY);
        Support.awaitInstances(ctx, service, instances);
        ClusterView view = ctx.view();
        boolean toFollower = "followers".equals(ctx.opts().target());
        String writeNode = toFollower ? view.followerAddresses().get(0) : view.leaderAddress();
        List<String> watchNodes = new ArrayList<>(ctx.nodes());
        watchNodes.remove(writeNode);
        Tracker tracker = new Tracker(watchNodes);
        List<SseWatch> watches = new ArrayList<>();
        long measureFrom = System.nanoTime() + ctx.warmup().toNanos();
        try {
            for (String node : watchNodes) {
                watches.add(SseWatch.open(ctx.load(), node, service, tracker::event));
            }
            AtomicLong next = new AtomicLong();
            Workload w = new Workload() {
                @Override
                public Request next(int conn, String host) {
                    long n = next.getAndIncrement();
                    byte[] body = ("{\"address\":\"10.0.0.1\",\"port\":" + (1 + n % 60_000) + "}")
                            .getBytes(StandardCharsets.US_ASCII);
                    return Request.put(host, Support.instancePath(service, n % instances), body, n);
                }

                @Override
                public void done(int conn, Request r, int status, long index, long sent, long end) {
                    if (status == 200 && index > 0 && sent >= measureFrom) {
                        tracker.acked(index, sent, end);
                    }
                }
            };
            ctx.log().printf("watch-latency: %d writer(s) at %s (%d writes/s), watching on %s, for %s%n",
                    concurrency, writeNode, rate, watchNodes, Durations.format(ctx.duration()));
            HttpLoad.Run run = ctx.load().start(List.of(writeNode), w, HttpLoad.Settings.timed(concurrency,
                    ctx.warmup(), ctx.duration(), rate, ctx.timeout()));
            Thread.sleep(ctx.warmup().toMillis());
            CpuMeter cpu = ctx.cpu().start();
            HttpLoad.Outcome o = run.await();
            Map<String, Double> usage = cpu.stop();
            Thread.sleep(SETTLE_MILLIS);
            return result(ctx, concurrency, rate, instances, writeNode, watchNodes, tracker, o, usage, watches);
        } finally {
            watches.forEach(SseWatch::close);
        }
    }

    private static ScenarioResult result(Context ctx, int concurrency, int rate, int instances, String writeNode,
                                         List<String> watchNodes, Tracker tracker, HttpLoad.Outcome o,
                                         Map<String, Double> usage, List<SseWatch> watches) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("concurrency", concurrency);
        params.put("rate", rate);
        params.put("instances", instances);
        params.put("writeTo", writeNode);
        params.put("watchOn", String.join(",", watchNodes));
        params.put("duration", Durations.format(ctx.duration()));
        Map<String, Long> errors = new LinkedHashMap<>(o.errors());
        long unresolved;
        Latency sendLatency;
        Latency ackLatency;
        long writes;
        synchronized (tracker) {
            unresolved = tracker.unresolved();
            sendLatency = Latency.of(tracker.sendToVisible);
            ackLatency = Latency.of(tracker.ackToVisible);
            writes = tracker.writes;
        }
        if (unresolved > 0) {
            errors.put("not-seen", unresolved);
        }
        long closed = watches.stream().filter(s -> !s.open()).count();
        if (closed > 0) {
            errors.put("watch-closed", closed);
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("writes", writes);
        extra.put("writeP99Ms", Latency.of(o.latency()).p99());
        extra.put("ackToEventP50Ms", ackLatency.p50());
        extra.put("ackToEventP99Ms", ackLatency.p99());
        long errorCount = errors.values().stream().mapToLong(Long::longValue).sum();
        return new ScenarioResult("watch-latency", 1, params, sendLatency.count(), Support.round(o.seconds()), 0,
                sendLatency, errorCount, errors, usage, extra);
    }
}
