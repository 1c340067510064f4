package io.registry.node.testing;

import io.registry.node.RegistryNode;
import io.registry.node.config.NodeConfig;
import io.registry.node.config.Peer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Real registry nodes (Ratis over gRPC, Netty HTTP) in this JVM on free loopback ports, each with its
 * own data dir. Stopping a node closes its replica and listeners; restarting it reopens the same data.
 * The one harness every cluster test shares.
 */
public final class LocalCluster implements AutoCloseable {
    public static final Duration STARTUP = Duration.ofSeconds(60);
    private static final int PORT_FLOOR = 20_000;
    private static final int PORT_SPAN = 12_000;
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_PORT =
            new java.util.concurrent.atomic.AtomicInteger(new java.util.Random().nextInt(PORT_SPAN));

    private final Path root;
    private final UnaryOperator<NodeConfig> tweak;
    private final Map<String, NodeConfig> configs = new LinkedHashMap<>();
    private final Map<String, RegistryNode> running = new LinkedHashMap<>();
    private final Map<String, Integer> unexpectedShutdowns = new LinkedHashMap<>();
    private final Map<String, TcpRelay> relays = new LinkedHashMap<>();

    private LocalCluster(Path root, UnaryOperator<NodeConfig> tweak) {
        this.root = root;
        this.tweak = tweak;
    }

    public static LocalCluster start(int size) {
        return start(size, UnaryOperator.identity());
    }

    /** @param tweak adjusts each node's configuration (e.g. a lower snapshot threshold) */
    public static LocalCluster start(int size, UnaryOperator<NodeConfig> tweak) {
        return start(size, tweak, false);
    }

    /**
     * A cluster whose Raft traffic to each node passes through a {@link TcpRelay} ({@link #relay}), so that a
     * test can kill connections between the nodes silently. Each node listens on its own port and dials
     * the others at their relays.
     */
    public static LocalCluster startRelayed(int size) {
        return start(size, UnaryOperator.identity(), true);
    }

    private static LocalCluster start(int size, UnaryOperator<NodeConfig> tweak, boolean relayed) {
        LocalCluster cluster;
        try {
            cluster = new LocalCluster(Files.createTempDirectory("registry-cluster-"), tweak);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Peer> peers = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            peers.add(new Peer("n" + i, "127.0.0.1", freePort(), freePort()));
        }
        if (relayed) {
            for (Peer peer : peers) {
                cluster.relays.put(peer.id(), new TcpRelay(freePort(), peer.raftPort()));
            }
        }
        for (Peer peer : peers) {
            cluster.configs.put(peer.id(), cluster.configFor(peer.id(), cluster.seenFrom(peer.id(), peers), false));
        }
        try {
            // Start in parallel: a lone first node would wait an election timeout for company.
            peers.parallelStream().forEach(p -> cluster.startNode(p.id()));
            cluster.awaitLeader();
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** The members as node {@code id} dials them: the others at their relays, if they have one. */
    private List<Peer> seenFrom(String id, List<Peer> peers) {
        return peers.stream().map(p -> p.id().equals(id) || !relays.containsKey(p.id()) ? p
                : new Peer(p.id(), p.host(), relays.get(p.id()).port(), p.httpPort())).toList();
    }

    /** The relay in front of node {@code id}'s Raft port; only in a cluster from {@link #startRelayed}. */
    public TcpRelay relay(String id) {
        TcpRelay relay = relays.get(id);
        if (relay == null) {
            throw new IllegalStateException("node " + id + " has no relay: start the cluster with startRelayed");
        }
        return relay;
    }

    private NodeConfig configFor(String id, List<Peer> peers, boolean join) {
        NodeConfig base = NodeConfig.of(id, peers, root.resolve(id))
                .withBind("127.0.0.1")
                .withElectionTimeouts(Duration.ofMillis(500), Duration.ofMillis(1000))
                .withJoin(join);
        return tweak.apply(base);
    }

    private void startNode(String id) {
        NodeConfig config = configs.get(id);
        RegistryNode node = new RegistryNode(config, System::currentTimeMillis,
                () -> unexpectedShutdowns.merge(id, 1, Integer::sum));
        try {
            node.start();
        } catch (IOException e) {
            node.close();
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            node.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        synchronized (running) {
            running.put(id, node);
        }
    }

    /** Waits until every running node knows the same leader and that leader is ready; returns its id. */
    public String awaitLeader() {
        return Await.value(STARTUP, "a ready leader known to every running node", () -> {
            List<RegistryNode> nodes = nodes();
            Optional<RegistryNode> leader = nodes.stream().filter(n -> n.raft().isLeaderReady()).findFirst();
            if (leader.isEmpty()) {
                return null;
            }
            String id = leader.get().config().id();
            boolean agreed = nodes.stream()
                    .allMatch(n -> n.raft().leaderId().map(id::equals).orElse(false));
            return agreed ? id : null;
        });
    }

    public String leaderId() {
        return awaitLeader();
    }

    public List<String> followerIds() {
        String leader = leaderId();
        return runningIds().stream().filter(id -> !id.equals(leader)).toList();
    }

    public List<String> nodeIds() {
        return List.copyOf(configs.keySet());
    }

    public List<String> runningIds() {
        synchronized (running) {
            return List.copyOf(running.keySet());
        }
    }

    public RegistryNode node(String id) {
        synchronized (running) {
            RegistryNode node = running.get(id);
            if (node == null) {
                throw new IllegalStateException("node " + id + " is not running");
            }
            return node;
        }
    }

    private List<RegistryNode> nodes() {
        synchronized (running) {
            return List.copyOf(running.values());
        }
    }

    public String httpAddress(String id) {
        return configs.get(id).self().httpAddress();
    }

    public List<String> httpAddresses() {
        return configs.keySet().stream().map(this::httpAddress).toList();
    }

    /** Comma-separated HTTP addresses of every node, the form --addr and REGISTRY_ADDR take. */
    public String addressList() {
        return String.join(",", httpAddresses());
    }

    public void stop(String id) {
        RegistryNode node;
        synchronized (running) {
            node = running.remove(id);
        }
        if (node != null) {
            node.close();
        }
    }

    public void restart(String id) {
        stop(id);
        startNode(id);
    }

    public void start(String id) {
        startNode(id);
    }

    /** Starts those of {@code ids} that are stopped, then waits for a leader: undoes a test's node losses. */
    public void restartStopped(java.util.Collection<String> ids) {
        for (String id : ids) {
            if (!runningIds().contains(id)) {
                start(id);
            }
        }
        awaitLeader();
    }

    /** The id of the node serving HTTP at {@code httpAddress}. */
    public String idServing(String httpAddress) {
        return nodeIds().stream().filter(id -> httpAddress(id).equals(httpAddress)).findFirst()
                .orElseThrow(() -> new AssertionError("no node serves " + httpAddress));
    }

    /**
     * Starts a new node outside the group (as {@code --join} does) and returns its peer entry; add it with
     * {@code POST /v1/cluster/members} to make it a member.
     */
    public Peer startJoining(String id) {
        Peer peer = new Peer(id, "127.0.0.1", freePort(), freePort());
        List<Peer> peers = new ArrayList<>(configs.values().iterator().next().peers());
        peers.add(peer);
        configs.put(id, configFor(id, peers, true));
        startNode(id);
        return peer;
    }

    /** Waits until every running node has applied at least the leader's applied index and digests agree. */
    public void awaitConverged() {
        Await.until(STARTUP, "every running replica applied the same state", () -> {
            List<RegistryNode> nodes = nodes();
            long target = nodes.stream().mapToLong(RegistryNode::appliedIndex).max().orElse(0);
            if (nodes.stream().anyMatch(n -> n.appliedIndex() < target)) {
                return false;
            }
            return nodes.stream().map(RegistryNode::digest).distinct().count() == 1;
        });
    }

    public int unexpectedShutdowns(String id) {
        return unexpectedShutdowns.getOrDefault(id, 0);
    }

    /** How many files in node {@code id}'s data directory have a name that {@code name} accepts. */
    public long filesOf(String id, java.util.function.Predicate<String> name) {
        try (Stream<Path> files = Files.walk(root.resolve(id))) {
            return files.filter(f -> name.test(f.getFileName().toString())).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        nodes().parallelStream().forEach(RegistryNode::close);
        synchronized (running) {
            running.clear();
        }
        relays.values().forEach(TcpRelay::close);
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: temp dirs are cleaned by the OS too
        }
    }

    /**
     * A port below the kernel's ephemeral range (32768+), where outgoing connections cannot take it
     * between this check and the node's bind. Each JVM starts at a random offset so parallel test JVMs
     * rarely probe the same ports.
     */
    static int freePort() {
        for (int attempt = 0; attempt < 2000; attempt++) {
            int port = PORT_FLOOR + Math.floorMod(NEXT_PORT.getAndIncrement(), PORT_SPAN);
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException taken) {
                // try the next one
            }
        }
        throw new IllegalStateException("no free port between " + PORT_FLOOR + " and " + (PORT_FLOOR + PORT_SPAN));
    }

    @Override
    public String toString() {
        return configs.values().stream().map(c -> c.self().toString()).collect(Collectors.joining(","));
    }
}
