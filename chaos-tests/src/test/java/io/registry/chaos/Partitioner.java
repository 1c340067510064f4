package io.registry.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Network partitions as iptables DROP rules entered in a node's own network namespace (nsenter from the
 * host, so the engine must be local and the tests root). Peers cannot talk; clients on the host still
 * reach every node, which is the hard case for a deposed leader. tc netem is not available here, and
 * `docker network disconnect` is no substitute: the engine (20.10) does not restore a container's
 * published ports when it is reconnected.
 */
final class Partitioner {
    private static final long COMMAND_TIMEOUT_SECONDS = 10;
    private final ChaosCluster cluster;
    private final Map<String, Long> pids = new ConcurrentHashMap<>();

    Partitioner(ChaosCluster cluster) {
        this.cluster = cluster;
    }

    /** Null when nsenter + iptables work in a node's namespace, else why not. */
    String probe(String anyNode) {
        try {
            return run(cluster.pidOf(anyNode), List.of("-L", "INPUT", "-n"));
        } catch (RuntimeException e) {
            return e.toString();
        }
    }

    void isolate(String id, List<String> others) {
        long pid = cluster.pidOf(id);
        pids.put(id, pid);
        for (String other : others) {
            String ip = cluster.ipOf(other);
            check(run(pid, List.of("-I", "INPUT", "-s", ip, "-j", "DROP")));
            check(run(pid, List.of("-I", "OUTPUT", "-d", ip, "-j", "DROP")));
        }
    }

    void heal(String id) {
        Long pid = pids.remove(id);
        if (pid == null) {
            throw new IllegalStateException(id + " is not isolated");
        }
        check(run(pid, List.of("-F", "INPUT")));
        check(run(pid, List.of("-F", "OUTPUT")));
    }

    private static void check(String failure) {
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    private static String run(long pid, List<String> iptablesArgs) {
        List<String> command = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n", "iptables", "-w"));
        command.addAll(iptablesArgs);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return command + " did not finish in " + COMMAND_TIMEOUT_SECONDS + " s";
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.exitValue() == 0 ? null : command + " exited " + p.exitValue() + ": " + output.strip();
        } catch (IOException e) {
            return command + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
