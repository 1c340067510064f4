package io.registry.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one run of a scenario measured. {@code opsPerSec} is 0 for scenarios that time events rather than
 * throughput (failover, expiry, watch latency); {@code extra} holds scenario-specific figures (heap MB,
 * per-round times) and {@code cpuPercent} the CPU used during the measured window, in % of one core.
 */
public record ScenarioResult(
        String scenario,
        int run,
        Map<String, Object> params,
        long ops,
        double seconds,
        double opsPerSec,
        Latency latency,
        long errors,
        Map<String, Long> errorKinds,
        Map<String, Double> cpuPercent,
        Map<String, Object> extra) {

    public ScenarioResult {
        params = new LinkedHashMap<>(params);
        errorKinds = new LinkedHashMap<>(errorKinds);
        cpuPercent = new LinkedHashMap<>(cpuPercent);
        extra = new LinkedHashMap<>(extra);
    }

    public ScenarioResult withRun(int n) {
        return new ScenarioResult(scenario, n, params, ops, seconds, opsPerSec, latency, errors, errorKinds,
                cpuPercent, extra);
    }
}
