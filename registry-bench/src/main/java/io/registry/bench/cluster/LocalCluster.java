package io.registry.bench.cluster;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A registry cluster of separate node JVMs on 127.0.0.1, started from the node jar with free ports and a
 * temporary data directory, for one benchmark run. Nodes can be killed (SIGKILL) and restarted on their
 * data. {@link #close} stops every node and deletes the data unless asked to keep it.
 */
public final class LocalCluster implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /** One node's fixed identity: it keeps id, ports and data directory across restarts. */
    public record NodeSpec(String id, int raftPort, int httpPort, Path dataDir, Path log) {
        public String httpAddress() {
            return "127.0.0.1:" + httpPort;
        }
    }

    private final Path nodeJar;
    private final List<String> javaOpts;
    private final List<String> extraArgs;
    private final Path dir;
    private final boolean keep;
    private final PrintStream log;
    private final List<NodeSpec> specs = new ArrayList<>();
    private final Process[] processes;
    /** Stops the nodes if the bench is interrupted (Ctrl-C, SIGTERM) before {@link #close}. */
    private final Thread reaper = new Thread(this::destroyAll, "local-cluster-reaper");

    private LocalCluster(Path nodeJar, List<String> javaOpts, List<String> extraArgs, Path dir, int count,
                         boolean keep, PrintStream log) throws IOException {
        this.nodeJar = nodeJar;
        this.javaOpts = javaOpts;
        this.extraArgs = extraArgs;
        this.dir = dir;
        this.keep = keep;
        this.log = log;
        this.processes = new Process[count];
        int[] ports = freePorts(2 * count);
        for (int i = 0; i < count; i++) {
            String id = "n" + (i + 1);
            specs.add(new NodeSpec(id, ports[2 * i], ports[2 * i + 1], dir.resolve(id), dir.resolve(id + ".log")));
        }
    }

    /** Starts {@code count} nodes and waits until every one is ready and they agree on a leader. */
    public static LocalCluster start(Path nodeJar, List<String> javaOpts, List<String> extraArgs, int count,
                                     boolean keep, ControlClient control, PrintStream log)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(nodeJar)) {
            throw new IOException("node jar " + nodeJar + " not found; build it with "
                    + "./mvnw -q -B -pl registry-node -am package -DskipTests, or pass --node-jar");
        }
        Path dir = Files.createTempDirectory("registry-bench-");
        LocalCluster cluster = new LocalCluster(nodeJar, javaOpts, extraArgs, dir, count, keep, log);
        Runtime.getRuntime().addShutdownHook(cluster.reaper);
        try {
            for (int i = 0; i < count; i++) {
                cluster.startNode(i);
            }
            cluster.awaitReady(control, Duration.ofSeconds(90));
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    public void startNode(int i) throws IOException {
        NodeSpec spec = specs.get(i);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaOpts);
        command.addAll(List.of("-jar", nodeJar.toString(), "--id", spec.id(), "--peers", peers(),
                "--data-dir", spec.dataDir().toString(), "--bind", "127.0.0.1"));
        command.addAll(extraArgs);
        processes[i] = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(spec.log().toFile())).start();
    }

    /** SIGKILL, as a crash would: no shutdown hook runs. Returns once the process is gone. */
    public void kill(int i) throws InterruptedException {
        Process p = processes[i];
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Every node answers {@code /v1/health} ready and they all name the same leader. */
    public void awaitReady(ControlClient control, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            checkAlive();
            String leader = null;
            boolean all = true;
            for (NodeSpec spec : specs) {
                var answer = control.tryGet(spec.httpAddress(), "/v1/health");
                if (answer.isEmpty() || !answer.get().ok()) {
                    all = false;
                    last = spec.id() + " not ready";
                    break;
                }
                String named = answer.get().json().path("leader").asText("");
                if (leader != null && !leader.equals(named)) {
                    all = false;
                    last = "nodes disagree on the leader";
                    break;
                }
                leader = named;
            }
            if (all) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IOException("cluster not ready after " + timeout.toSeconds() + "s (" + last + "); logs in " + dir);
    }

    private void checkAlive() throws IOException {
        for (int i = 0; i < processes.length; i++) {
            if (processes[i] != null && !processes[i].isAlive()) {
                throw new IOException("node " + specs.get(i).id() + " exited with " + processes[i].exitValue()
                        + "; last lines of " + specs.get(i).log() + ":\n" + tail(specs.get(i).log(), 15));
            }
        }
    }

    public List<NodeSpec> specs() {
        return specs;
    }

    public List<String> httpAddresses() {
        return specs.stream().map(NodeSpec::httpAddress).toList();
    }

    public int indexOfAddress(String httpAddress) {
        for (int i = 0; i < specs.size(); i++) {
            if (specs.get(i).httpAddress().equals(httpAddress)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no local node at " + httpAddress);
    }

    public long pid(int i) {
        return processes[i].pid();
    }

    /** Node id → pid of the nodes running now. */
    public Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            if (processes[i] != null && processes[i].isAlive()) {
                pids.put(specs.get(i).id(), processes[i].pid());
            }
        }
        return pids;
    }

    public Path dir() {
        return dir;
    }

    private String peers() {
        List<String> parts = new ArrayList<>();
        for (NodeSpec s : specs) {
            parts.add(s.id() + "=127.0.0.1:" + s.raftPort() + ":" + s.httpPort());
        }
        return String.join(",", parts);
    }

    private void destroyAll() {
        for (Process p : processes) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or will run; stopping twice is harmless
        }
        for (Process p : processes) {
            if (p != null && p.isAlive()) {
                p.destroy();
            }
        }
        for (Process p : processes) {
            try {
                if (p != null && !p.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (keep) {
            log.println("kept the local cluster's data and logs in " + dir);
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.println("could not delete " + dir + ": " + e.getMessage());
        }
    }

    static int[] freePorts(int n) throws IOException {
        ServerSocket[] sockets = new ServerSocket[n];
        int[] ports = new int[n];
        try {
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
        return ports;
    }

    public static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
