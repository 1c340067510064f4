package io.registry.chaos;

import io.registry.api.Instance;
import io.registry.api.Responses;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * TTL instances kept alive by heartbeats sent to any node, and an observer that reads them from every
 * node: once a node has shown an instance passing, that node must keep showing it present and passing.
 * The rule is per node because default reads may lag the leader by up to max-stale: a follower that has
 * not yet applied a registration another node already shows is not an expiry.
 */
final class TtlFleet {
    static final String SERVICE = "chaos-ttl";
    static final int SIZE = 5;
    static final String TTL = "5s";
    static final long HEARTBEAT_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);
    static final long OBSERVE_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    static final Duration REGISTER_TIMEOUT = Duration.ofSeconds(20);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final ChaosCluster cluster;
    private final NodeHttp http;
    private final Random random;
    /** Per node, the instances it has shown passing. */
    private final Map<String, Set<String>> seenPassing = new ConcurrentHashMap<>();
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Long> heartbeatFailures = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    TtlFleet(ChaosCluster cluster, NodeHttp http, long seed) {
        this.cluster = cluster;
        this.http = http;
        this.random = new Random(seed);
    }

    static String id(int i) {
        return "ttl-" + i;
    }

    void registerAll() {
        for (int i = 0; i < SIZE; i++) {
            String id = id(i);
            Map<String, Object> body = Map.of("address", "10.1.0." + (i + 1), "port", 8080,
                    "check", Map.of("type", "ttl", "ttl", TTL));
            Waits.until("registration of " + id, REGISTER_TIMEOUT,
                    () -> target().map(u -> http.put(u, path(id), body).ok()).orElse(false));
        }
    }

    /** The first heartbeat's answer; 404/405 for a just-registered instance means heartbeats are not there yet. */
    NodeHttp.Reply probeHeartbeat() {
        URI any = target().orElseThrow();
        return http.put(any, path(id(0)) + "/heartbeat", "");
    }

    void start() {
        running = true;
        threads.add(Waits.daemon("ttl-heartbeats", this::heartbeat));
        threads.add(Waits.daemon("ttl-observer", this::observe));
        threads.forEach(Thread::start);
    }

    void stop() {
        running = false;
        Waits.joinAll(threads, Duration.ofSeconds(10));
    }

    /** The instances some node has shown passing. */
    Set<String> seenPassing() {
        Set<String> any = new HashSet<>();
        seenPassing.values().forEach(any::addAll);
        return any;
    }

    List<String> violations() {
        synchronized (violations) {
            return List.copyOf(violations);
        }
    }

    Map<String, Long> heartbeatFailures() {
        return Map.copyOf(heartbeatFailures);
    }

    /** Checks, through every healthy node once it is ready, that every instance is present and passing. */
    List<String> checkAllPassingEverywhere() {
        List<String> problems = new ArrayList<>();
        for (String node : cluster.healthyIds()) {
            Map<String, String> status = Waits.until("a ready node " + node + " answering for " + SERVICE,
                    READ_TIMEOUT, () -> Optional.ofNullable(statusAt(node)));
            for (int i = 0; i < SIZE; i++) {
                if (!"passing".equals(status.get(id(i)))) {
                    problems.add(id(i) + " is " + status.getOrDefault(id(i), "gone") + " at " + node);
                }
            }
        }
        return problems;
    }

    private void heartbeat() {
        long next = System.nanoTime();
        while (running) {
            Waits.parkUntil(next);
            next += HEARTBEAT_PERIOD_NANOS;
            for (int i = 0; i < SIZE && running; i++) {
                String id = id(i);
                // As the client library does: a heartbeat refused or lost by one node is sent to another at
                // once (a restarted node rightly answers 503 until it knows the leader).
                Optional<URI> first = target();
                if (!beat(first, id)) {
                    beat(targetOtherThan(first.orElse(null)), id);
                }
            }
        }
    }

    private void observe() {
        long next = System.nanoTime();
        while (running) {
            Waits.parkUntil(next);
            next += OBSERVE_PERIOD_NANOS;
            for (String node : cluster.healthyIds()) {
                Map<String, String> status = statusAt(node);
                if (status == null) {
                    continue;   // the node did not answer; availability is the workload's business
                }
                Set<String> seenHere = seenPassing.computeIfAbsent(node, n -> ConcurrentHashMap.newKeySet());
                for (int i = 0; i < SIZE; i++) {
                    String id = id(i);
                    String s = status.get(id);
                    if ("passing".equals(s)) {
                        seenHere.add(id);
                    } else if (seenHere.contains(id)) {
                        violations.add(id + " was " + (s == null ? "gone" : s) + " at " + node + " after passing");
                    }
                }
            }
        }
    }

    /**
     * Statuses as {@code node} serves them (consistency=default), or null if it is not ready (no leader,
     * still catching up) or did not answer. Only a ready node's answer counts: a replica that is still
     * replaying its log may rightly show an older state.
     */
    private Map<String, String> statusAt(String node) {
        if (!cluster.ready(node)) {
            return null;
        }
        NodeHttp.Reply reply = cluster.uri(node)
                .map(u -> http.get(u, "v1/services/" + SERVICE + "/instances?consistency=default", ChaosCluster.PROBE_TIMEOUT))
                .orElse(null);
        if (reply == null || !reply.ok()) {
            return null;
        }
        Map<String, String> out = new HashMap<>();
        for (Instance i : reply.as(Responses.Instances.class).instances()) {
            out.put(i.id(), i.status() == null ? "null" : i.status().wire());
        }
        return out;
    }

    /** One heartbeat; a failure is counted by kind. */
    private boolean beat(Optional<URI> target, String id) {
        NodeHttp.Reply reply = target.map(u -> http.put(u, path(id) + "/heartbeat", ""))
                .orElse(new NodeHttp.Reply(NodeHttp.NO_STATUS, "", -1, "no node"));
        if (!reply.ok()) {
            heartbeatFailures.merge(reply.status() == NodeHttp.NO_STATUS ? "io" : Integer.toString(reply.status()),
                    1L, Long::sum);
        }
        return reply.ok();
    }

    private Optional<URI> target() {
        return targetOtherThan(null);
    }

    private Optional<URI> targetOtherThan(URI excluded) {
        List<URI> targets = new ArrayList<>(cluster.targets().values());
        if (targets.size() > 1) {
            targets.remove(excluded);
        }
        synchronized (random) {
            return targets.isEmpty() ? Optional.empty()
                    : Optional.of(targets.get(random.nextInt(targets.size())));
        }
    }

    private static String path(String id) {
        return "v1/services/" + SERVICE + "/instances/" + id;
    }

}
