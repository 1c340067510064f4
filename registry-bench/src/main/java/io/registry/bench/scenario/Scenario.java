package io.registry.bench.scenario;

import io.registry.bench.ScenarioResult;

/** One benchmark: sets up what it needs on the cluster, measures, and reports. */
public interface Scenario {
    ScenarioResult run(Context ctx) throws Exception;

    static Scenario named(String name) {
        return switch (name) {
            case "register" -> new RegisterScenario();
            case "heartbeat" -> new HeartbeatScenario();
            case "discover-stale" -> new DiscoverScenario("stale");
            case "discover-linearizable" -> new DiscoverScenario("linearizable");
            case "watch-latency" -> new WatchLatencyScenario();
            case "failover" -> new FailoverScenario();
            case "expiry" -> new ExpiryScenario();
            case "heap" -> new HeapScenario();
            default -> throw new IllegalArgumentException("unknown scenario " + name);
        };
    }
}
