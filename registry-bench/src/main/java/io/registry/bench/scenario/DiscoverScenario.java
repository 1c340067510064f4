package io.registry.bench.scenario;

import io.registry.api.Durations;
import io.registry.bench.ScenarioResult;
import io.registry.bench.load.HttpLoad;
import io.registry.bench.load.Request;
import io.registry.bench.load.Workload;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Reads of one service's full instance list at a given consistency. */
final class DiscoverScenario implements Scenario {
    static final int DEFAULT_CONCURRENCY = 64;
    static final int DEFAULT_INSTANCES = 100;

    private final String consistency;

    DiscoverScenario(String consistency) {
        this.consistency = consistency;
    }

    @Override
    public ScenarioResult run(Context ctx) throws Exception {
        int concurrency = ctx.opts().intOr(ctx.opts().concurrency(), DEFAULT_CONCURRENCY);
        int instances = ctx.opts().intOr(ctx.opts().instances(), DEFAULT_INSTANCES);
        int rate = ctx.opts().intOr(ctx.opts().rate(), 0);
        String service = ctx.service("disc");
        Support.registerAll(ctx, List.of(service), instances, Support.PLAIN_BODY);
        Support.awaitInstances(ctx, service, instances);
        String path = "/v1/services/" + service + "/instances?consistency=" + consistency;
        Map<String, Request> byHost = new ConcurrentHashMap<>();
        Workload w = (conn, host) -> byHost.computeIfAbsent(host, h -> Request.get(h, path, 0));
        List<String> targets = ctx.targets();
        String name = "discover-" + consistency;
        Support.Timed timed = Support.timed(ctx, name, targets, w, concurrency, rate);
        HttpLoad.Outcome o = timed.outcome();
        Map<String, Double> usage = timed.cpu();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("concurrency", concurrency);
        params.put("instances", instances);
        params.put("target", ctx.opts().target() == null ? "all" : ctx.opts().target());
        params.put("duration", Durations.format(ctx.duration()));
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("avgResponseBytes", o.ok() == 0 ? 0 : o.responseBytes() / o.ok());
        return Support.result(name, params, o, usage, extra);
    }
}
