package io.registry.chaos;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import io.registry.api.Responses;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * A registry cluster of node containers on one Docker network. Each node's data lives on a named volume
 * that outlives its container: a restart is a new container on the same volume. Faults: SIGKILL,
 * graceful stop, pause, and network isolation (iptables in the node's namespace).
 */
final class ChaosCluster implements AutoCloseable {
    static final int HTTP_PORT = 8080;
    static final int RAFT_PORT = 9000;
    static final String DATA_DIR = "/var/lib/registry";
    /** Small heaps and C1 only: four JVMs and the test share two cores. */
    static final String JVM_OPTIONS = "-XX:+UseSerialGC -Xms64m -Xmx256m -XX:TieredStopAtLevel=1 "
            + "-XX:+ExitOnOutOfMemoryError";
    static final int STOP_TIMEOUT_SECONDS = 15;
    static final Duration CONTAINER_START_TIMEOUT = Duration.ofSeconds(60);
    static final Duration PROBE_TIMEOUT = Duration.ofMillis(1000);

    enum State { RUNNING, PAUSED, KILLED, STOPPED }

    private final String name;
    private final Path logDir;
    private final NodeHttp http;
    private final DockerClient docker = DockerClientFactory.instance().client();
    private final Network network = Network.newNetwork();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Set<String> isolated = ConcurrentHashMap.newKeySet();
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final String initialPeers;
    private Partitioner partitioner;

    private final class Node {
        final String id;
        final String volume;
        final List<String> args;
        int incarnation;
        GenericContainer<?> container;
        volatile State state = State.STOPPED;
        volatile URI uri;

        Node(String id, List<String> args) {
            this.id = id;
            this.volume = "chaos-" + name + "-" + id + "-" + Long.toHexString(System.nanoTime() & 0xffffffL);
            this.args = args;
        }
    }

    /** The addresses a node is dialled at on the cluster network. */
    static String peer(String id) {
        return id + "=" + id + ":" + RAFT_PORT + ":" + HTTP_PORT;
    }

    ChaosCluster(String name, int size, NodeHttp http, Path logRoot) {
        sweepLeftovers(docker);
        this.name = name;
        this.http = http;
        this.logDir = logRoot.resolve(name);
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            ids.add("n" + i);
        }
        this.initialPeers = ids.stream().map(ChaosCluster::peer).collect(Collectors.joining(","));
        try {
            Files.createDirectories(logDir);
            try (var old = Files.list(logDir)) {   // a previous run's logs would mislead
                for (Path file : old.toList()) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String id : ids) {
            synchronized (this) {
                nodes.put(id, new Node(id, List.of("--id", id, "--peers", initialPeers)));
            }
        }
    }

    String name() {
        return name;
    }

    private static final java.util.concurrent.atomic.AtomicBoolean SWEPT = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * A run that was killed (Ctrl-C, CI timeout) cannot close its clusters; without Ryuk nothing else
     * removes them, and their names would collide with this run's. Once per JVM: remove every container
     * and volume named chaos-*, and every Testcontainers network left without containers.
     */
    private static void sweepLeftovers(DockerClient docker) {
        if (!SWEPT.compareAndSet(false, true)) {
            return;
        }
        for (var c : docker.listContainersCmd().withShowAll(true).withNameFilter(List.of("chaos-")).exec()) {
            if (Arrays.stream(c.getNames()).anyMatch(n -> n.startsWith("/chaos-"))) {
                ChaosLog.info("removing container %s left by an earlier run", String.join(",", c.getNames()));
                docker.removeContainerCmd(c.getId()).withForce(true).exec();
            }
        }
        var volumes = docker.listVolumesCmd().exec().getVolumes();
        for (var v : volumes == null ? List.<com.github.dockerjava.api.command.InspectVolumeResponse>of() : volumes) {
            if (v.getName().startsWith("chaos-")) {
                docker.removeVolumeCmd(v.getName()).exec();
            }
        }
        for (var net : docker.listNetworksCmd().exec()) {
            if ("true".equals(net.getLabels() == null ? null : net.getLabels().get("org.testcontainers"))
                    && (net.getContainers() == null || net.getContainers().isEmpty())) {
                try {
                    docker.removeNetworkCmd(net.getId()).exec();
                } catch (RuntimeException e) {
                    ChaosLog.warn("cannot remove network %s: %s", net.getName(), e);
                }
            }
        }
    }

    /** Starts every node that is not running, in parallel. */
    void startAll() {
        List<String> ids = ids().stream().filter(id -> state(id) != State.RUNNING).toList();
        ids.parallelStream().forEach(this::start);
    }

    /**
     * Starts a node with --join (no group configuration; it waits to be added as a member). Clients and
     * health checks ignore it until {@link #admit}, as an operator would before adding it to client lists.
     */
    void addJoiningNode(String id) {
        String peers = initialPeers + "," + peer(id);
        synchronized (this) {
            nodes.put(id, new Node(id, List.of("--id", id, "--peers", peers, "--join")));
            pending.add(id);
        }
        start(id);
    }

    void admit(String id) {
        pending.remove(id);
    }

    synchronized List<String> ids() {
        return List.copyOf(nodes.keySet());
    }

    synchronized State state(String id) {
        return node(id).state;
    }

    /** Nodes a client would still send requests to: the container runs, even if paused or cut off. */
    synchronized Map<String, URI> targets() {
        Map<String, URI> out = new LinkedHashMap<>();
        for (Node n : nodes.values()) {
            if (reachable(n) && !pending.contains(n.id)) {
                out.put(n.id, n.uri);
            }
        }
        return out;
    }

    private static boolean reachable(Node n) {
        return (n.state == State.RUNNING || n.state == State.PAUSED) && n.uri != null;
    }

    /** Running, unpaused and not isolated: the nodes that should form a healthy majority. */
    synchronized List<String> healthyIds() {
        return nodes.values().stream()
                .filter(n -> n.state == State.RUNNING && !isolated.contains(n.id) && !pending.contains(n.id))
                .map(n -> n.id).toList();
    }

    /** Where a running (or paused) node answers HTTP, admitted or not. */
    synchronized Optional<URI> uri(String id) {
        Node n = nodes.get(id);
        return n != null && reachable(n) ? Optional.of(n.uri) : Optional.empty();
    }

    void start(String id) {
        Node n = node(id);
        GenericContainer<?> container;
        synchronized (this) {
            if (n.container != null) {
                n.container.stop();   // removes the old, dead container; the named volume stays
            }
            n.incarnation++;
            container = newContainer(n);
            n.container = container;
        }
        container.start();
        synchronized (this) {
            n.uri = URI.create("http://" + container.getHost() + ":" + container.getMappedPort(HTTP_PORT) + "/");
            n.state = State.RUNNING;
        }
        ChaosLog.info("[%s] started %s (incarnation %d) at %s", name, id, n.incarnation, n.uri);
    }

    /** SIGKILL: the JVM gets no chance to flush or say goodbye. The container stays until restart. */
    void kill(String id) {
        Node n = node(id);
        docker.killContainerCmd(n.container.getContainerId()).withSignal("KILL").exec();
        mark(n, State.KILLED);
        ChaosLog.info("[%s] SIGKILL %s", name, id);
    }

    /**
     * Like docker stop: SIGTERM, then SIGKILL after {@link #STOP_TIMEOUT_SECONDS}; but before the SIGKILL
     * it saves a thread dump (jcmd) of the node that did not stop, next to its log. Answers the time taken.
     */
    long stop(String id) {
        Node n = node(id);
        String container = n.container.getContainerId();
        long start = System.nanoTime();
        docker.killContainerCmd(container).withSignal("TERM").exec();
        boolean stopped = awaitExit(container, Duration.ofSeconds(STOP_TIMEOUT_SECONDS));
        if (!stopped) {
            Path dump = logDir.resolve(id + "." + n.incarnation + ".stop-threads.txt");
            exec(container, dump, "jcmd", "1", "Thread.print");
            docker.killContainerCmd(container).withSignal("KILL").exec();
            awaitExit(container, Duration.ofSeconds(STOP_TIMEOUT_SECONDS));
            ChaosLog.warn("[%s] %s did not stop within %d s of SIGTERM; thread dump in %s", name, id,
                    STOP_TIMEOUT_SECONDS, dump);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        mark(n, State.STOPPED);
        ChaosLog.info("[%s] stopped %s in %d ms (exit code %s)", name, id, millis, exitCode(n));
        return stopped ? millis : -millis;
    }

    private boolean awaitExit(String container, Duration timeout) {
        try {
            Waits.until("exit of " + container, timeout, () -> !Boolean.TRUE.equals(
                    docker.inspectContainerCmd(container).exec().getState().getRunning()));
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    /** Runs a command in a container, its output to {@code out}; best effort (diagnostics only). */
    private void exec(String container, Path out, String... command) {
        try (OutputStream file = Files.newOutputStream(out)) {
            String exec = docker.execCreateCmd(container).withCmd(command).withAttachStdout(true)
                    .withAttachStderr(true).exec().getId();
            docker.execStartCmd(exec).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    write(file, frame.getPayload());
                }
            }).awaitCompletion(20, TimeUnit.SECONDS);
        } catch (IOException | RuntimeException e) {
            ChaosLog.warn("[%s] %s in %s failed: %s", name, String.join(" ", command), container, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void restart(String id) {
        start(id);
    }

    /** How long a pause may keep meeting a freezer that gives up (each try takes Docker a moment). */
    static final Duration FREEZE_TIMEOUT = Duration.ofSeconds(2);

    /**
     * Freezes the node's processes (cgroup freezer). The freezer gives up on a task it cannot stop at once,
     * e.g. one inside an {@code fdatasync} on a slow disk: Docker then answers 500 "unable to freeze" and
     * leaves the container running (seen once in CI, session 11), so that answer is tried again until
     * {@link #FREEZE_TIMEOUT}; any other refusal fails at once.
     */
    void pause(String id) {
        Node n = node(id);
        Optional<RuntimeException> refused = Waits.until("docker pause of " + id + " in " + name, FREEZE_TIMEOUT, () -> {
            try {
                docker.pauseContainerCmd(n.container.getContainerId()).exec();
                return Optional.of(Optional.<RuntimeException>empty());
            } catch (com.github.dockerjava.api.exception.InternalServerErrorException e) {
                if (String.valueOf(e.getMessage()).contains("unable to freeze")) {
                    ChaosLog.warn("[%s] pausing %s failed (%s); trying again", name, id, e.getMessage().trim());
                    return Optional.empty();
                }
                return Optional.of(Optional.<RuntimeException>of(e));
            }
        });
        refused.ifPresent(e -> {
            throw e;
        });
        mark(n, State.PAUSED);
        ChaosLog.info("[%s] paused %s", name, id);
    }

    void unpause(String id) {
        Node n = node(id);
        docker.unpauseContainerCmd(n.container.getContainerId()).exec();
        mark(n, State.RUNNING);
        ChaosLog.info("[%s] resumed %s", name, id);
    }

    /**
     * Cuts {@code id} off from every other node; clients on the host can still reach it. Where partitions
     * cannot be made (not root, remote engine), fails in CI and skips elsewhere, saying why.
     */
    void isolate(String id) {
        List<String> others = ids().stream().filter(o -> !o.equals(id) && state(o) == State.RUNNING).toList();
        String problem = partitioner().probe(id);
        if (problem != null) {
            ChaosEnvironment.unsupported("partitions need nsenter and iptables on the Docker host, as root: " + problem);
        }
        partitioner().isolate(id, others);
        isolated.add(id);
        ChaosLog.info("[%s] isolated %s from %s", name, id, others);
    }

    void heal(String id) {
        partitioner().heal(id);
        isolated.remove(id);
        ChaosLog.info("[%s] healed %s", name, id);
    }

    /** Forgets a node that was removed from the group: stops it and no longer counts it. */
    void retire(String id) {
        Node n = node(id);
        if (n.state == State.RUNNING || n.state == State.PAUSED) {
            stop(id);
        }
        synchronized (this) {
            nodes.remove(id);
            retired.add(n);
        }
    }

    private final List<Node> retired = new ArrayList<>();

    Optional<Responses.Cluster> clusterInfo(String id) {
        return uri(id).map(u -> http.get(u, "v1/cluster", PROBE_TIMEOUT))
                .filter(NodeHttp.Reply::ok)
                .map(r -> r.as(Responses.Cluster.class));
    }

    boolean ready(String id) {
        return uri(id).map(u -> http.get(u, "v1/health", PROBE_TIMEOUT).ok()).orElse(false);
    }

    void awaitReady(Collection<String> ids, Duration timeout) {
        Waits.until("ready " + ids + " in " + name, timeout, () -> ids.stream().allMatch(this::ready));
    }

    /** Waits until one node leads in the eyes of every healthy node (itself included) and answers its id. */
    String awaitLeader(Duration timeout) {
        return Waits.until("one leader agreed by " + healthyIds() + " in " + name, timeout, this::currentLeader);
    }

    String awaitLeaderOtherThan(String old, Duration timeout) {
        return Waits.until("a leader other than " + old + " in " + name, timeout,
                () -> currentLeader().filter(leader -> !leader.equals(old)));
    }

    /** The leader every healthy node names, if they agree and it is one of them. */
    Optional<String> currentLeader() {
        List<String> healthy = healthyIds();
        Set<String> leaders = healthy.stream()
                .map(id -> clusterInfo(id).map(Responses.Cluster::leader).orElse("?"))
                .collect(Collectors.toSet());
        if (leaders.size() != 1) {
            return Optional.empty();
        }
        String leader = leaders.iterator().next();
        return healthy.contains(leader) ? Optional.of(leader) : Optional.empty();
    }

    List<String> followersOf(String leader) {
        return healthyIds().stream().filter(id -> !id.equals(leader)).toList();
    }

    /** The last lines each current container printed, for failure messages. */
    String logTails(int lines) {
        StringBuilder out = new StringBuilder();
        for (String id : ids()) {
            Node n = node(id);
            Path file = logFile(n);
            try {
                List<String> all = Files.exists(file) ? Files.readAllLines(file) : List.of();
                out.append("---- ").append(file).append('\n');
                all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> out.append(l).append('\n'));
            } catch (IOException | UncheckedIOException e) {
                out.append("(cannot read ").append(file).append(": ").append(e.getMessage()).append(")\n");
            }
        }
        return out.toString();
    }

    /**
     * Saves a thread dump (jcmd) of every running node next to its log, named for {@code why}: what a
     * stalled node was doing is gone once the scenario tears the cluster down (session 12's run 4 kept only
     * the logs of a leader that had stopped sending to a follower).
     */
    void threadDumps(String why) {
        List<Node> running;
        synchronized (this) {
            running = nodes.values().stream().filter(n -> n.state == State.RUNNING && n.container != null).toList();
        }
        for (Node n : running) {
            Path dump = logDir.resolve(n.id + "." + n.incarnation + "." + why + "-threads.txt");
            exec(n.container.getContainerId(), dump, "jcmd", "1", "Thread.print");
            ChaosLog.info("[%s] thread dump of %s in %s", name, n.id, dump);
        }
    }

    Path logDir() {
        return logDir;
    }

    @Override
    public void close() {
        List<Node> all;
        synchronized (this) {
            all = new ArrayList<>(nodes.values());
            all.addAll(retired);
        }
        for (Node n : all) {
            try {
                if (n.state == State.PAUSED) {
                    docker.unpauseContainerCmd(n.container.getContainerId()).exec();
                }
                if (n.container != null) {
                    n.container.stop();
                }
            } catch (RuntimeException e) {
                ChaosLog.warn("[%s] cannot remove %s: %s", name, n.id, e);
            }
        }
        for (Node n : all) {
            try {
                docker.removeVolumeCmd(n.volume).exec();
            } catch (RuntimeException e) {
                ChaosLog.warn("[%s] cannot remove volume %s: %s", name, n.volume, e);
            }
        }
        network.close();
    }

    private GenericContainer<?> newContainer(Node n) {
        Path log = logFile(n);
        OutputStream out = openLog(log);
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(NodeImage.get()));
        return c.withImagePullPolicy(image -> false)
                .withNetwork(network)
                .withNetworkAliases(n.id)
                .withExposedPorts(HTTP_PORT)
                .withEnv("JAVA_TOOL_OPTIONS", JVM_OPTIONS)
                .withCommand(n.args.toArray(String[]::new))
                .withStartupTimeout(CONTAINER_START_TIMEOUT)
                .waitingFor(new StartedIsEnough())
                .withLogConsumer(frame -> write(out, frame.getBytes()))
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withName("chaos-" + name + "-" + n.id + "-" + n.incarnation).withHostName(n.id);
                    HostConfig host = cmd.getHostConfig();
                    List<Bind> binds = new ArrayList<>(host.getBinds() == null ? List.of() : Arrays.asList(host.getBinds()));
                    binds.add(new Bind(n.volume, new Volume(DATA_DIR)));
                    host.withBinds(binds);
                });
    }

    private Path logFile(Node n) {
        return logDir.resolve(n.id + "." + n.incarnation + ".log");
    }

    private static OutputStream openLog(Path file) {
        try {
            return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(OutputStream out, byte[] bytes) {
        if (bytes == null) {
            return;
        }
        try {
            synchronized (out) {
                out.write(bytes);
                out.flush();
            }
        } catch (IOException ignored) {
            // a lost log line must not fail the scenario
        }
    }

    private String exitCode(Node n) {
        try {
            return String.valueOf(docker.inspectContainerCmd(n.container.getContainerId()).exec().getState().getExitCodeLong());
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private synchronized void mark(Node n, State state) {
        n.state = state;
    }

    private synchronized Node node(String id) {
        Node n = nodes.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no node " + id + " in " + name + " (have " + nodes.keySet() + ")");
        }
        return n;
    }

    String containerId(String id) {
        return node(id).container.getContainerId();
    }

    String ipOf(String id) {
        InspectContainerResponse inspect = docker.inspectContainerCmd(containerId(id)).exec();
        return inspect.getNetworkSettings().getNetworks().values().stream()
                .filter(net -> network.getId().equals(net.getNetworkID()))
                .map(ContainerNetwork::getIpAddress).findFirst()
                .orElseThrow(() -> new IllegalStateException(id + " is not on network " + network.getId()));
    }

    long pidOf(String id) {
        return docker.inspectContainerCmd(containerId(id)).exec().getState().getPidLong();
    }

    private synchronized Partitioner partitioner() {
        if (partitioner == null) {
            partitioner = new Partitioner(this);
        }
        return partitioner;
    }

    /** The harness does its own readiness checks: a node may rightly stay unready (no quorum) for a while. */
    private static final class StartedIsEnough extends AbstractWaitStrategy {
        @Override
        protected void waitUntilReady() {
        }
    }
}
