package io.registry.bench;

import io.registry.api.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line of {@code registry-bench}, parsed without side effects. Options a scenario leaves
 * unset stay null so each scenario can apply its own default ({@link #intOr}, {@link #durationOr}).
 */
public record BenchOptions(
        String scenario,
        List<String> nodes,
        String nodeJar,
        String nodeJavaOpts,
        List<String> nodeArgs,
        Integer concurrency,
        Duration duration,
        Duration warmup,
        Integer instances,
        Integer services,
        Duration ttl,
        Integer rate,
        Integer rounds,
        String target,
        Duration timeout,
        Integer threads,
        Integer repeat,
        String json,
        boolean keep,
        long seed) {

    public static final List<String> SCENARIOS = List.of("register", "heartbeat", "discover-stale",
            "discover-linearizable", "watch-latency", "failover", "expiry", "heap");
    public static final List<String> TARGETS = List.of("all", "leader", "followers");
    /**
     * Room for what a run creates: register adds every instance it writes (two million in two minutes), and
     * G1 marks the old generation over and over once the live set nears its heap. From 1 GB G1 did not grow
     * the heap (marking is not pause time), so two minutes in it ran back-to-back marking cycles. A fixed
     * 2 GB, touched at start: young collections copy each new instance into regions never used before, and
     * the page faults of that first touch were most of their system time (docs/BENCHMARKS.md, session 10).
     */
    public static final String DEFAULT_NODE_JAVA_OPTS = "-Xms2g -Xmx2g -XX:+UseG1GC -XX:+AlwaysPreTouch";

    static final Set<String> VALUED = Set.of("nodes", "node-jar", "node-java-opts", "node-arg", "concurrency",
            "duration", "warmup", "instances", "services", "ttl", "rate", "rounds", "target", "timeout", "threads",
            "repeat", "json", "seed");
    static final Set<String> SWITCHES = Set.of("keep", "help");

    public static final String USAGE = """
            Usage: registry-bench SCENARIO [options]
                   registry-bench jmh [JMH options]      e.g.  registry-bench jmh -f 1 -wi 2 -i 3 EntryCodec

            Load-tests a registry cluster and prints ops/s, latency percentiles (p50/p99/p999) and errors.
            Without --nodes it starts a local 3-node cluster (separate JVMs from the node jar, free
            loopback ports, temporary data) for every run and stops it afterwards.

            Scenarios:
              register               PUT unique instances                  (default --concurrency 64)
              heartbeat              PUT .../heartbeat on live TTL instances (--instances 10000, --ttl 30s)
              discover-stale         GET instances?consistency=stale        (--instances 100)
              discover-linearizable  GET instances?consistency=linearizable (--instances 100)
              watch-latency          write at one node, time until SSE watches on the others see it
                                     (--concurrency 1 writer, --rate 50 writes/s, --instances 10)
              failover               SIGKILL the leader, time until a write is accepted again (local only;
                                     --rounds 10, --concurrency 16 writers at --rate 400)
              expiry                 stop heartbeating one TTL instance, time until it leaves healthy
                                     results on every node (--instances 20, --ttl 2s, --rounds 5)
              heap                   register --instances 100000 in --services 100, then GC and read each
                                     node's heap with jcmd; time a snapshot and a restart (local only)

            Options:
              --nodes H:P,...        HTTP addresses of a running cluster instead of a local one
              --node-jar PATH        node jar for the local cluster (default: registry-node/target/registry-node.jar)
              --node-java-opts S     JVM flags of local nodes (default: "%s")
              --node-arg ARG         extra flag for every local node, repeatable: --node-arg=--election-timeout-min=150ms
              --concurrency N        concurrent connections (closed loop: one request in flight each)
              --duration D           measured time (default 10s)
              --warmup D             load before measuring, not recorded (default 5s)
              --instances N          instances the scenario registers first
              --services N           spread registrations over N services (default 1; heap: 100)
              --ttl D                TTL of registered instances (heartbeat 30s, expiry 2s)
              --rate N               cap on requests/s over all connections (default: as fast as answered)
              --rounds N             failover and expiry rounds
              --target T             which nodes take the load: all (default), leader (where
                                     registry-client sends writes), followers
              --timeout D            per-request timeout (default 5s)
              --threads N            client event-loop threads (default 1)
              --repeat N             run the scenario N times, each on a fresh local cluster (default 1)
              --json FILE            also write the results as JSON
              --keep                 keep the local cluster's data and logs
              --seed N               random seed (printed; default: time)
              --help                 this text
            Durations: 500ms, 10s, 2m.
            """.formatted(DEFAULT_NODE_JAVA_OPTS);

    /** Null when the caller asked for {@code --help}. */
    public static BenchOptions parse(String[] args, long defaultSeed) {
        Map<String, List<String>> flags = new LinkedHashMap<>();
        String scenario = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                if (scenario != null) {
                    throw new UsageException("unexpected argument '" + arg + "'; give one scenario, then options");
                }
                scenario = arg;
                continue;
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (SWITCHES.contains(name)) {
                flags.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
            } else if (VALUED.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = args[++i];
                }
                flags.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                throw new UsageException("unknown option --" + name + "; see --help");
            }
        }
        if (flags.containsKey("help")) {
            return null;
        }
        if (scenario == null) {
            throw new UsageException("name a scenario: " + String.join(", ", SCENARIOS));
        }
        if (!SCENARIOS.contains(scenario)) {
            throw new UsageException("unknown scenario '" + scenario + "'; choose one of " + String.join(", ", SCENARIOS));
        }
        String target = last(flags, "target");
        if (target != null && !TARGETS.contains(target)) {
            throw new UsageException("--target must be one of " + String.join(", ", TARGETS) + " (got '" + target + "')");
        }
        String nodeList = last(flags, "nodes");
        List<String> nodes = nodeList == null ? List.of() : hostPorts(nodeList);
        return new BenchOptions(scenario, nodes, last(flags, "node-jar"),
                orDefault(last(flags, "node-java-opts"), DEFAULT_NODE_JAVA_OPTS), flags.getOrDefault("node-arg", List.of()),
                positive(flags, "concurrency"), duration(flags, "duration"), duration(flags, "warmup"),
                positive(flags, "instances"), positive(flags, "services"), duration(flags, "ttl"),
                positive(flags, "rate"), positive(flags, "rounds"), target, duration(flags, "timeout"),
                positive(flags, "threads"), positive(flags, "repeat"), last(flags, "json"), flags.containsKey("keep"),
                flags.containsKey("seed") ? number(flags, "seed") : defaultSeed);
    }

    public int intOr(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    public Duration durationOr(Duration value, Duration fallback) {
        return value == null ? fallback : value;
    }

    public boolean local() {
        return nodes.isEmpty();
    }

    static List<String> hostPorts(String list) {
        List<String> out = new ArrayList<>();
        for (String part : list.split(",")) {
            String hp = part.trim();
            if (hp.isEmpty()) {
                continue;
            }
            int colon = hp.lastIndexOf(':');
            boolean ok = colon > 0 && colon < hp.length() - 1;
            if (ok) {
                try {
                    int port = Integer.parseInt(hp.substring(colon + 1));
                    ok = port > 0 && port < 65536;
                } catch (NumberFormatException e) {
                    ok = false;
                }
            }
            if (!ok) {
                throw new UsageException("--nodes takes HOST:PORT,... (HTTP addresses), got '" + hp + "'");
            }
            out.add(hp);
        }
        if (out.isEmpty()) {
            throw new UsageException("--nodes needs at least one HOST:PORT");
        }
        return List.copyOf(out);
    }

    private static String last(Map<String, List<String>> flags, String name) {
        List<String> values = flags.get(name);
        return values == null ? null : values.get(values.size() - 1);
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }

    private static Integer positive(Map<String, List<String>> flags, String name) {
        if (!flags.containsKey(name)) {
            return null;
        }
        long n = number(flags, name);
        if (n < 1 || n > Integer.MAX_VALUE) {
            throw new UsageException("--" + name + " must be a whole number ≥ 1 (got " + n + ")");
        }
        return (int) n;
    }

    private static long number(Map<String, List<String>> flags, String name) {
        String value = last(flags, name);
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number (got '" + value + "')");
        }
    }

    private static Duration duration(Map<String, List<String>> flags, String name) {
        String value = last(flags, name);
        if (value == null) {
            return null;
        }
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + name + ": " + e.getMessage());
        }
    }

    /** Bad command line: {@code main} prints the message and exits 2. */
    public static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }
}
