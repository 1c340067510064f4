package io.registry.node;

import io.registry.node.config.ConfigException;
import io.registry.node.config.ConfigLoader;
import io.registry.node.config.NodeConfig;
import io.registry.node.config.Preflight;
import java.security.Security;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of {@code registry-node}: reads the configuration, checks it, starts the node. Wiring only. */
public final class Main {
    static {
        widenCommonPool();   // first: before logging or anything else can load CompletableFuture
        shortenDnsCache();
    }

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    /** How long SIGTERM waits for a graceful close before exiting anyway; the Raft log is durable already. */
    static final long SHUTDOWN_GRACE_MILLIS = 5_000;
    /** How long a peer's resolved address is trusted; see {@link #shortenDnsCache()}. */
    static final int DNS_CACHE_SECONDS = 1;

    private Main() {
    }

    /**
     * Closes the node, but never lets a stuck close (seen in Ratis's gRPC shutdown of a node just removed
     * from the group) keep the process alive past the grace period.
     */
    static void closeWithin(RegistryNode node, long graceMillis) {
        Thread closer = new Thread(node::close, "graceful-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(graceMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            LOG.warn("Node {} did not close within {} ms; exiting anyway", node.config().id(), graceMillis);
            Runtime.getRuntime().halt(0);
        }
    }

    /**
     * With fewer than three cores the common pool has parallelism 1, and CompletableFuture then starts a
     * new thread for every async task without an executor: Ratis runs such tasks on its write path, so
     * on two cores a node created (and destroyed) threads for every entry. Must run before anything
     * loads CompletableFuture; an explicit -D setting wins.
     */
    static void widenCommonPool() {
        String key = "java.util.concurrent.ForkJoinPool.common.parallelism";
        if (System.getProperty(key) == null) {
            System.setProperty(key, String.valueOf(Math.max(4, Runtime.getRuntime().availableProcessors())));
        }
    }

    /**
     * Peers are addressed by name, and a restarted peer (a new container or pod) often comes back at a new
     * address. With the default 30 s caches (the JDK's, and gRPC's re-resolution limit, which reads the
     * same property) the leader kept dialling the old address and the restarted node stayed cut off,
     * timing out into elections, for half a minute (chaos suite, docs/RELIABILITY.md Findings 7).
     * A -D setting of either property wins.
     */
    static void shortenDnsCache() {
        for (String key : List.of("networkaddress.cache.ttl", "networkaddress.cache.negative.ttl")) {
            if (System.getProperty(key) == null) {
                // The system property is what gRPC reads; the security property is what the JDK's cache reads
                // (the negative one ships as 10 s: a peer looked up while it was down stayed unknown that long).
                System.setProperty(key, String.valueOf(DNS_CACHE_SECONDS));
                Security.setProperty(key, String.valueOf(DNS_CACHE_SECONDS));
            }
        }
    }

    public static void main(String[] args) {
        NodeConfig config;
        try {
            config = ConfigLoader.load(args, System.getenv());
            if (config == null) {
                System.out.print(ConfigLoader.usage());
                return;
            }
            Preflight.check(config);
        } catch (ConfigException e) {
            System.err.println("registry-node: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            RegistryNode node = new RegistryNode(config, System::currentTimeMillis, () -> Runtime.getRuntime().halt(3));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> closeWithin(node, SHUTDOWN_GRACE_MILLIS), "shutdown"));
            node.start();
        } catch (Exception e) {
            LOG.error("registry-node {} failed to start: {}", config.id(), e.toString(), e);
            System.err.println("registry-node: failed to start: " + e);
            System.exit(1);
        }
    }
}
