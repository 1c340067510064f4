package io.registry.bench.scenario;

import io.registry.api.Durations;
import io.registry.bench.ScenarioResult;
import io.registry.bench.load.HttpLoad;
import io.registry.bench.load.Request;
import io.registry.bench.load.Workload;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** TTL renewals spread round-robin over {@code --instances} live TTL instances. */
final class HeartbeatScenario implements Scenario {
    static final int DEFAULT_CONCURRENCY = 64;
    static final int DEFAULT_INSTANCES = 10_000;
    static final Duration DEFAULT_TTL = Duration.ofSeconds(30);

    @Override
    public ScenarioResult run(Context ctx) throws Exception {
        int concurrency = ctx.opts().intOr(ctx.opts().concurrency(), DEFAULT_CONCURRENCY);
        int instances = ctx.opts().intOr(ctx.opts().instances(), DEFAULT_INSTANCES);
        int rate = ctx.opts().intOr(ctx.opts().rate(), 0);
        Duration ttl = ctx.opts().durationOr(ctx.opts().ttl(), DEFAULT_TTL);
        String service = ctx.service("hb");
        ctx.log().printf("heartbeat: registering %d TTL instances (ttl %s)%n", instances, Durations.format(ttl));
        Support.registerAll(ctx, List.of(service), instances, Support.ttlBody(ttl));
        Support.awaitInstances(ctx, service, instances);
        String[] paths = new String[instances];
        for (int i = 0; i < instances; i++) {
            paths[i] = Support.instancePath(service, i) + "/heartbeat";
        }
        List<String> targets = ctx.targets();
        AtomicLong next = new AtomicLong();
        Workload w = (conn, host) -> {
            long n = next.getAndIncrement();
            return Request.put(host, paths[(int) (n % instances)], Support.EMPTY, n);
        };
        Support.Timed timed = Support.timed(ctx, "heartbeat", targets, w, concurrency, rate);
        HttpLoad.Outcome o = timed.outcome();
        Map<String, Double> usage = timed.cpu();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("concurrency", concurrency);
        params.put("instances", instances);
        params.put("ttl", Durations.format(ttl));
        params.put("target", ctx.opts().target() == null ? "all" : ctx.opts().target());
        params.put("duration", Durations.format(ctx.duration()));
        return Support.result("heartbeat", params, o, usage, Map.of());
    }
}
