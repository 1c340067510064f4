package io.registry.bench.scenario;

import io.registry.bench.BenchOptions;
import io.registry.bench.CpuMeter;
import io.registry.bench.cluster.ClusterView;
import io.registry.bench.cluster.ControlClient;
import io.registry.bench.cluster.LocalCluster;
import io.registry.bench.load.HttpLoad;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** What a scenario works with: options, the nodes, the load generator, and the local cluster if any. */
public record Context(BenchOptions opts, List<String> nodes, LocalCluster local, ControlClient control, HttpLoad load,
                      Random random, String tag, PrintStream log) {
    static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);
    static final Duration DEFAULT_WARMUP = Duration.ofSeconds(5);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration LEADER_WAIT = Duration.ofSeconds(30);

    public ClusterView view() throws IOException, InterruptedException {
        return ClusterView.await(control, nodes, LEADER_WAIT);
    }

    /** The nodes that take the load, per {@code --target}. */
    public List<String> targets() throws IOException, InterruptedException {
        String target = opts.target() == null ? "all" : opts.target();
        return switch (target) {
            case "leader" -> List.of(view().leaderAddress());
            case "followers" -> view().followerAddresses();
            default -> nodes;
        };
    }

    public CpuMeter cpu() {
        return new CpuMeter(local == null ? Map.of() : local.pids());
    }

    public Duration duration() {
        return opts.durationOr(opts.duration(), DEFAULT_DURATION);
    }

    public Duration warmup() {
        return opts.durationOr(opts.warmup(), DEFAULT_WARMUP);
    }

    public Duration timeout() {
        return opts.durationOr(opts.timeout(), DEFAULT_TIMEOUT);
    }

    /** A service name unique to this run, so runs against a shared cluster do not collide. */
    public String service(String base) {
        return base + "-" + tag;
    }

    public LocalCluster requireLocal(String scenario) {
        if (local == null) {
            throw new BenchOptions.UsageException(scenario + " needs the local cluster (it kills or inspects node "
                    + "processes); run it without --nodes");
        }
        return local;
    }
}
