package io.registry.node.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything a node needs to start. Built by {@link ConfigLoader} from flags, environment and a file,
 * or directly by tests.
 */
public record NodeConfig(
        String id,
        List<Peer> peers,
        Path dataDir,
        String bind,
        Duration electionTimeoutMin,
        Duration electionTimeoutMax,
        int maxRequestBytes,
        Duration maxStale,
        boolean join,
        long snapshotThreshold,
        HealthSettings health,
        int httpThreads) {

    public static final Duration DEFAULT_ELECTION_MIN = Duration.ofMillis(250);
    public static final Duration DEFAULT_ELECTION_MAX = Duration.ofMillis(500);
    public static final int DEFAULT_MAX_REQUEST_BYTES = 64 * 1024;
    public static final Duration DEFAULT_MAX_STALE = Duration.ofSeconds(2);
    public static final long DEFAULT_SNAPSHOT_THRESHOLD = 100_000;

    /**
     * Event-loop threads by default, for HTTP and for Raft's gRPC: half the cores, at least one. An event
     * loop does little per request, and each extra one costs thread switches that the Raft and apply
     * threads pay for: on two cores, one HTTP loop instead of two took heartbeats from 48,600 to 58,400/s
     * (docs/BENCHMARKS.md).
     */
    public static int eventLoopsByDefault() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    public NodeConfig {
        peers = List.copyOf(peers);
        if (peers.stream().noneMatch(p -> p.id().equals(id))) {
            throw new ConfigException("node id '" + id + "' is not among the peers " + peers
                    + ": add it to --peers (ID=HOST:RAFT_PORT:HTTP_PORT) or fix --id");
        }
        if (peers.stream().map(Peer::id).distinct().count() != peers.size()) {
            throw new ConfigException("peer ids must be unique: " + peers);
        }
        if (electionTimeoutMin.compareTo(electionTimeoutMax) >= 0) {
            throw new ConfigException("--election-timeout-min (" + electionTimeoutMin.toMillis()
                    + "ms) must be below --election-timeout-max (" + electionTimeoutMax.toMillis() + "ms)");
        }
        if (httpThreads < 1) {
            throw new ConfigException("--http-threads must be at least 1");
        }
        if (maxRequestBytes < 1024) {
            throw new ConfigException("--max-request-bytes must be at least 1024");
        }
    }

    public Peer self() {
        return peers.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow();
    }

    /** Sensible defaults for everything but identity and membership. */
    public static NodeConfig of(String id, List<Peer> peers, Path dataDir) {
        return new NodeConfig(id, peers, dataDir, "0.0.0.0", DEFAULT_ELECTION_MIN, DEFAULT_ELECTION_MAX,
                DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_STALE, false, DEFAULT_SNAPSHOT_THRESHOLD, HealthSettings.DEFAULT, eventLoopsByDefault());
    }

    public NodeConfig withJoin(boolean joining) {
        return new NodeConfig(id, peers, dataDir, bind, electionTimeoutMin, electionTimeoutMax, maxRequestBytes,
                maxStale, joining, snapshotThreshold, health, httpThreads);
    }

    public NodeConfig withBind(String address) {
        return new NodeConfig(id, peers, dataDir, address, electionTimeoutMin, electionTimeoutMax, maxRequestBytes,
                maxStale, join, snapshotThreshold, health, httpThreads);
    }

    public NodeConfig withElectionTimeouts(Duration min, Duration max) {
        return new NodeConfig(id, peers, dataDir, bind, min, max, maxRequestBytes, maxStale, join, snapshotThreshold, health, httpThreads);
    }

    public NodeConfig withMaxRequestBytes(int bytes) {
        return new NodeConfig(id, peers, dataDir, bind, electionTimeoutMin, electionTimeoutMax, bytes, maxStale, join,
                snapshotThreshold, health, httpThreads);
    }

    public NodeConfig withMaxStale(Duration stale) {
        return new NodeConfig(id, peers, dataDir, bind, electionTimeoutMin, electionTimeoutMax, maxRequestBytes, stale,
                join, snapshotThreshold, health, httpThreads);
    }

    public NodeConfig withHealth(HealthSettings settings) {
        return new NodeConfig(id, peers, dataDir, bind, electionTimeoutMin, electionTimeoutMax, maxRequestBytes,
                maxStale, join, snapshotThreshold, settings, httpThreads);
    }

    public NodeConfig withSnapshotThreshold(long entries) {
        return new NodeConfig(id, peers, dataDir, bind, electionTimeoutMin, electionTimeoutMax, maxRequestBytes,
                maxStale, join, entries, health, httpThreads);
    }

    public NodeConfig withHttpThreads(int threads) {
        return new NodeConfig(id, peers, dataDir, bind, electionTimeoutMin, electionTimeoutMax, maxRequestBytes,
                maxStale, join, snapshotThreshold, health, threads);
    }
}
