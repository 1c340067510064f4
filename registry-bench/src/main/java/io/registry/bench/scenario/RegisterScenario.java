package io.registry.bench.scenario;

import io.registry.api.Durations;
import io.registry.bench.ScenarioResult;
import io.registry.bench.load.HttpLoad;
import io.registry.bench.load.Request;
import io.registry.bench.load.Workload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Registrations with unique ids, as fast as the cluster answers them. */
final class RegisterScenario implements Scenario {
    static final int DEFAULT_CONCURRENCY = 64;

    @Override
    public ScenarioResult run(Context ctx) throws Exception {
        int concurrency = ctx.opts().intOr(ctx.opts().concurrency(), DEFAULT_CONCURRENCY);
        int serviceCount = ctx.opts().intOr(ctx.opts().services(), 1);
        int rate = ctx.opts().intOr(ctx.opts().rate(), 0);
        List<String> services = new ArrayList<>();
        for (int i = 0; i < serviceCount; i++) {
            services.add(ctx.service("reg" + i));
        }
        List<String> targets = ctx.targets();
        AtomicLong next = new AtomicLong();
        Workload w = (conn, host) -> {
            long n = next.getAndIncrement();
            return Request.put(host, Support.instancePath(services.get((int) (n % serviceCount)), n),
                    Support.PLAIN_BODY, n);
        };
        Support.Timed timed = Support.timed(ctx, "register", targets, w, concurrency, rate, Support.leaderEntries(ctx));
        HttpLoad.Outcome o = timed.outcome();
        Map<String, Double> usage = timed.cpu();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("concurrency", concurrency);
        params.put("services", serviceCount);
        params.put("target", targets.size() == ctx.nodes().size() ? "all" : String.join(",", targets));
        params.put("duration", Durations.format(ctx.duration()));
        params.put("rate", rate == 0 ? "unpaced" : rate);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("sent", next.get());
        extra.putAll(timed.observed());
        return Support.result("register", params, o, usage, extra);
    }
}
