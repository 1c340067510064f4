package io.registry.node.config;

import io.registry.api.Durations;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the node configuration. Precedence: command-line flag, then environment variable
 * {@code REGISTRY_<FLAG>} (e.g. {@code REGISTRY_PEERS}), then the {@code --config} properties file,
 * then the default.
 */
public final class ConfigLoader {
    static final Set<String> VALUED = Set.of("id", "peers", "data-dir", "bind", "election-timeout-min",
            "election-timeout-max", "max-request-bytes", "max-stale", "snapshot-threshold", "config",
            "protection-share", "protection-min-instances", "protection-rate", "max-concurrent-probes",
            "http-threads");
    static final Set<String> SWITCHES = Set.of("join", "dev", "help");

    private static final String USAGE = """
            Usage: registry-node [--dev] [--id ID --peers ID=HOST:RAFT_PORT:HTTP_PORT,...] [options]

            Starts one node of a registry cluster. Every flag may also come from the environment as
            REGISTRY_<FLAG> (REGISTRY_PEERS, REGISTRY_DATA_DIR, ...) or from a properties file (--config).

              --id ID                     this node's id; must appear in --peers
              --peers LIST                every voting member, itself included:
                                          n1=10.0.0.1:7801:7701,n2=10.0.0.2:7801:7701,n3=10.0.0.3:7801:7701
              --data-dir DIR              Raft log and snapshots (default: data/<id>)
              --bind ADDR                 listen address for Raft and HTTP (default: 0.0.0.0)
              --election-timeout-min D    (default: 250ms)
              --election-timeout-max D    (default: 500ms)
              --max-request-bytes N       largest accepted request body (default: 65536)
              --max-stale D               how long a follower may go without hearing from the leader
                                          before consistency=default reads answer 503 (default: 2s)
              --snapshot-threshold N      log entries between automatic snapshots (default: 100000)
              --protection-share X        mass-expiry protection engages when more than this share of
                                          TTL instances would expire in one TTL window (default: 0.5)
              --protection-min-instances N  ... and at least this many TTL instances exist (default: 10)
              --protection-rate R         expiries per second while protection is on (default: 20)
              --max-concurrent-probes N   active health probes in flight at once (default: 256)
              --http-threads N            HTTP event-loop threads (default: half the cores, at least 1;
                                          here %d)
              --join                      start outside the group and wait to be added with
                                          POST /v1/cluster/members (or `registry members add`)
              --dev                       a single-node cluster on 127.0.0.1:7701 for laptops
              --config FILE               a properties file with the flags above as keys
              --help                      this text

            Example:
              registry-node --id n1 --peers n1=127.0.0.1:7801:7701,n2=127.0.0.1:7802:7702,n3=127.0.0.1:7803:7703
            """;

    private ConfigLoader() {
    }

    /** Null when the caller asked for {@code --help}. */
    public static NodeConfig load(String[] args, Map<String, String> env) {
        Map<String, String> flags = parseFlags(args);
        if (flags.containsKey("help")) {
            return null;
        }
        Map<String, String> file = flags.containsKey("config") ? readFile(Path.of(flags.get("config")))
                : envOrNull(env, "config") != null ? readFile(Path.of(envOrNull(env, "config"))) : Map.of();
        Function<String, String> get = key -> {
            if (flags.containsKey(key)) {
                return flags.get(key);
            }
            String fromEnv = envOrNull(env, key);
            return fromEnv != null ? fromEnv : file.get(key);
        };
        boolean dev = isTrue(get.apply("dev"));
        String id = get.apply("id");
        if (id == null && dev) {
            id = "n1";
        }
        if (id == null || id.isBlank()) {
            throw new ConfigException("--id is required (or REGISTRY_ID); try --dev for a single local node");
        }
        String peerList = get.apply("peers");
        if (peerList == null && dev) {
            peerList = id + "=127.0.0.1:7801:7701";
        }
        if (peerList == null || peerList.isBlank()) {
            throw new ConfigException("--peers is required: ID=HOST:RAFT_PORT:HTTP_PORT for every member, "
                    + "comma-separated, e.g. n1=127.0.0.1:7801:7701,n2=127.0.0.1:7802:7702,n3=127.0.0.1:7803:7703");
        }
        List<Peer> peers = new ArrayList<>();
        for (String p : peerList.split(",")) {
            if (!p.isBlank()) {
                peers.add(Peer.parse(p));
            }
        }
        String dataDir = orDefault(get.apply("data-dir"), dev ? "data/dev" : "data/" + id);
        NodeConfig config = NodeConfig.of(id, peers, Path.of(dataDir))
                .withBind(orDefault(get.apply("bind"), dev ? "127.0.0.1" : "0.0.0.0"))
                .withElectionTimeouts(duration(get, "election-timeout-min", NodeConfig.DEFAULT_ELECTION_MIN),
                        duration(get, "election-timeout-max", NodeConfig.DEFAULT_ELECTION_MAX))
                .withMaxRequestBytes((int) number(get, "max-request-bytes", NodeConfig.DEFAULT_MAX_REQUEST_BYTES))
                .withMaxStale(duration(get, "max-stale", NodeConfig.DEFAULT_MAX_STALE))
                .withSnapshotThreshold(number(get, "snapshot-threshold", NodeConfig.DEFAULT_SNAPSHOT_THRESHOLD))
                .withHttpThreads((int) number(get, "http-threads", NodeConfig.eventLoopsByDefault()));
        HealthSettings health = new HealthSettings(
                decimal(get, "protection-share", HealthSettings.DEFAULT.protectionShare()),
                (int) number(get, "protection-min-instances", HealthSettings.DEFAULT.protectionMinInstances()),
                decimal(get, "protection-rate", HealthSettings.DEFAULT.protectionRatePerSecond()),
                (int) number(get, "max-concurrent-probes", HealthSettings.DEFAULT.maxConcurrentProbes()));
        return config.withJoin(isTrue(get.apply("join"))).withHealth(health);
    }

    /** The node's {@code --help}, with this machine's defaults filled in. */
    public static String usage() {
        return USAGE.formatted(NodeConfig.eventLoopsByDefault());
    }

    static Map<String, String> parseFlags(String[] args) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new ConfigException("unexpected argument '" + arg + "'; flags start with --, see --help");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (SWITCHES.contains(name)) {
                flags.put(name, value == null ? "true" : value);
            } else if (VALUED.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new ConfigException("--" + name + " needs a value, see --help");
                    }
                    value = args[++i];
                }
                flags.put(name, value);
            } else {
                throw new ConfigException("unknown flag --" + name + "; see --help for the list");
            }
        }
        return flags;
    }

    private static Map<String, String> readFile(Path path) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(path)) {
            props.load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + path + ": " + e.getMessage());
        }
        Map<String, String> map = new HashMap<>();
        for (String key : props.stringPropertyNames()) {
            if (!VALUED.contains(key) && !SWITCHES.contains(key)) {
                throw new ConfigException("unknown key '" + key + "' in " + path + "; keys are the flag names");
            }
            map.put(key, props.getProperty(key).trim());
        }
        return map;
    }

    private static String envOrNull(Map<String, String> env, String key) {
        String value = env.get("REGISTRY_" + key.toUpperCase(Locale.ROOT).replace('-', '_'));
        return value == null || value.isBlank() ? null : value;
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }

    private static boolean isTrue(String value) {
        return value != null && (value.equalsIgnoreCase("true") || value.equals("1") || value.equalsIgnoreCase("yes"));
    }

    private static Duration duration(Function<String, String> get, String key, Duration fallback) {
        String value = get.apply(key);
        try {
            return value == null ? fallback : Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--" + key + ": " + e.getMessage());
        }
    }

    private static double decimal(Function<String, String> get, String key, double fallback) {
        String value = get.apply(key);
        try {
            return value == null ? fallback : Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("--" + key + " must be a number (got '" + value + "')");
        }
    }

    private static long number(Function<String, String> get, String key, long fallback) {
        String value = get.apply(key);
        try {
            return value == null ? fallback : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("--" + key + " must be a whole number (got '" + value + "')");
        }
    }
}
