package io.registry.node.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.registry.node.RegistryNode;
import java.util.concurrent.ConcurrentHashMap;

/** The node's Prometheus metrics ({@code GET /metrics}): Raft progress, registry size, writes, HTTP, JVM. */
public final class NodeMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentHashMap<Integer, Counter> responses = new ConcurrentHashMap<>();
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Counter[] heartbeats = new Counter[Beat.values().length];

    /** How a heartbeat reaching this node was answered. */
    public enum Beat {
        /** by this node, the leader, from its lease table */
        LEADER,
        /** by a follower from its replica, the renewal relayed to the leader afterwards */
        AHEAD,
        /** by the leader, through this follower, which waited for the answer */
        RELAYED;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public NodeMetrics(RegistryNode node) {
        registry.config().commonTags("node", node.config().id());
        Gauge.builder("registry_applied_index", node, RegistryNode::appliedIndex)
                .description("Highest Raft log index applied on this node").register(registry);
        Gauge.builder("registry_commit_index", node, n -> n.raft().commitIndex())
                .description("Highest Raft log index this node knows to be committed").register(registry);
        Gauge.builder("registry_term", node, n -> n.raft().division().map(d -> d.getInfo().getCurrentTerm()).orElse(0L))
                .register(registry);
        Gauge.builder("registry_is_leader", node, n -> n.raft().isLeader() ? 1 : 0).register(registry);
        Gauge.builder("registry_leader_last_contact_ms", node, n -> {
            long ms = n.raft().lastLeaderContactMillis();
            return ms == Long.MAX_VALUE ? -1 : ms;
        }).description("Milliseconds since this node heard from the leader (-1: no leader)").register(registry);
        Gauge.builder("registry_protection", node, n -> n.protecting() ? 1 : 0)
                .description("1 while mass-expiry protection throttles expiry (leader only)").register(registry);
        Gauge.builder("registry_instances", node, n -> n.stateMachine().read(s -> s.size())).register(registry);
        Gauge.builder("registry_services", node, n -> n.stateMachine().read(s -> s.serviceNames().size()))
                .register(registry);
        FunctionCounter.builder("registry_write_commands", node, n -> n.writeStats()[0])
                .description("Write commands committed through this node").register(registry);
        FunctionCounter.builder("registry_write_batches", node, n -> n.writeStats()[1])
                .description("Raft entries those commands were batched into").register(registry);
        FunctionCounter.builder("registry_follower_reconnects", node, n -> n.raft().followerReconnects())
                .description("New Raft connections this node, as leader, opened to followers silent for 5 s")
                .register(registry);
        for (Beat beat : Beat.values()) {
            heartbeats[beat.ordinal()] = Counter.builder("registry_heartbeats").tag("answered", beat.tag())
                    .description("Heartbeats received by this node, by who answered them").register(registry);
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        gc.bindTo(registry);
    }

    public void response(int status) {
        responses.computeIfAbsent(status, s -> Counter.builder("registry_http_responses")
                .tag("status", String.valueOf(s)).register(registry)).increment();
    }

    public void heartbeat(Beat how) {
        heartbeats[how.ordinal()].increment();
    }

    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
