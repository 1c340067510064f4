package io.registry.node;

import io.registry.node.config.NodeConfig;
import io.registry.node.health.Prober;
import io.registry.node.http.HttpServer;
import io.registry.node.http.LeaderLink;
import io.registry.node.http.RegistryApi;
import io.registry.node.http.WriteForwarder;
import io.registry.node.raft.AppliedIndex;
import io.registry.node.raft.RaftNode;
import io.registry.node.raft.WriteBatcher;
import io.registry.node.leader.LeaderDuties;
import io.registry.node.metrics.NodeMetrics;
import io.registry.node.read.ChangeFeed;
import io.registry.node.read.RegistryReader;
import io.registry.statemachine.ratis.RegistryStateMachine;
import io.registry.statemachine.ratis.StateMachineListener;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One registry node: the replica, its HTTP facade and the services between them, started and stopped as one. */
public final class RegistryNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryNode.class);

    private final NodeConfig config;
    private final RegistryStateMachine stateMachine;
    private final RaftNode raft;
    private final AppliedIndex applied;
    private final RegistryReader reader;
    private final ExecutorService notifier;
    private final ExecutorService admin;
    private final ScheduledExecutorService timer;
    /** Kept-open connections to the leader: relayed heartbeats and forwarded write batches. */
    private final LeaderLink link;
    private final ChangeFeed changes;
    private final HttpServer http;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Runnable onUnexpectedShutdown;
    private WriteBatcher writes;
    private LeaderDuties duties;
    private NodeMetrics metrics;
    private final LongSupplier clockMillis;

    /**
     * @param clockMillis the wall clock the leader stamps entries with (tests may inject their own)
     * @param onUnexpectedShutdown run if Ratis closes the replica on its own; Main exits the process
     */
    public RegistryNode(NodeConfig config, LongSupplier clockMillis, Runnable onUnexpectedShutdown) {
        this.config = config;
        this.http = new HttpServer(config.httpThreads());
        this.onUnexpectedShutdown = onUnexpectedShutdown;
        this.clockMillis = clockMillis;
        this.stateMachine = new RegistryStateMachine(clockMillis);
        this.raft = new RaftNode(config, stateMachine);
        this.notifier = Executors.newSingleThreadExecutor(daemon("applied-notifier-" + config.id()));
        this.admin = Executors.newCachedThreadPool(daemon("admin-" + config.id()));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("timer-" + config.id()));
        // A relay's answer carries a small JSON body per beat: a few times the request it answers.
        this.link = new LeaderLink(Math.max(1 << 20, config.maxRequestBytes() * 8), java.time.Duration.ofSeconds(2));
        this.changes = new ChangeFeed(notifier, timer);
        this.applied = new AppliedIndex(notifier);
        this.reader = new RegistryReader(stateMachine);
        stateMachine.setListener(new Events());
    }

    public RegistryNode start() throws IOException, InterruptedException {
        raft.start();
        writes = new WriteBatcher(raft, applied, WriteBatcher.Limits.DEFAULT,
                new WriteForwarder(raft, link, config.maxRequestBytes()));
        WriteBatcher batcher = writes;
        duties = new LeaderDuties(config.health(), reader, batcher::submit, clockMillis, new Prober());
        metrics = new NodeMetrics(this);
        RegistryApi api = new RegistryApi(config, raft, reader, writes, applied, admin, changes, duties, metrics, link);
        http.start(config.bind(), config.self().httpPort(), api, config.maxRequestBytes(), timer);
        syncDuties();
        LOG.info("Node {} serving HTTP on {}:{} (advertised {})", config.id(), config.bind(), http.port(),
                config.self().httpAddress());
        return this;
    }

    public NodeConfig config() {
        return config;
    }

    public RaftNode raft() {
        return raft;
    }

    public long appliedIndex() {
        return applied.current();
    }

    /** A content digest of this replica, for comparing replicas in tests and tools. */
    public long digest() {
        return stateMachine.read(state -> state.digest());
    }

    /** {commands, log entries} committed through this node's write batcher. */
    public long[] writeStats() {
        return writes == null ? new long[2] : writes.stats();
    }

    public boolean protecting() {
        return duties != null && duties.protecting();
    }

    public RegistryStateMachine stateMachine() {
        return stateMachine;
    }

    private volatile boolean leaderReady;

    /** Leadership events can come before start() has built the duties; both paths end here. */
    private synchronized void syncDuties() {
        if (duties == null || closing.get()) {
            return;
        }
        if (leaderReady && raft.isLeader()) {
            duties.start();
        } else {
            duties.stop();
        }
    }

    private final class Events implements StateMachineListener {
        @Override
        public void committed(long index) {
            raft.announceCommit();
        }

        @Override
        public void applied(long index, Map<String, Set<String>> changed) {
            if (!changed.isEmpty()) {
                reader.invalidate(changed.keySet());
                changes.publish(changed.keySet());
                LeaderDuties d = duties;
                if (d != null) {
                    d.changed(changed);
                }
            }
            applied.advance(index);
        }

        @Override
        public void reloaded(long index, Set<String> services) {
            reader.invalidate(services);
            changes.publish(services);
            LeaderDuties d = duties;
            if (d != null) {
                d.reloaded(services);
            }
            applied.advance(index);
        }

        @Override
        public void leaderReady() {
            LOG.info("Node {} is leader and ready", config.id());
            leaderReady = true;
            admin.execute(RegistryNode.this::syncDuties);
        }

        @Override
        public void notLeader() {
            LOG.info("Node {} is no longer leader", config.id());
            leaderReady = false;
            admin.execute(RegistryNode.this::syncDuties);
        }

        @Override
        public void leaderChanged(String leaderId) {
            LOG.info("Node {} sees leader {}", config.id(), leaderId);
            admin.execute(() -> {
                raft.leaderChanged(leaderId);
                raft.caughtUp();   // started now, so reads and heartbeats seldom wait for it
            });
        }

        @Override
        public void serverShutdown() {
            if (!closing.get()) {
                LOG.error("Node {}: the Raft server shut down on its own (e.g. after a long JVM pause); "
                        + "this node cannot serve any more", config.id());
                onUnexpectedShutdown.run();
            }
        }
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        http.close();
        if (duties != null) {
            duties.stop();
        }
        if (writes != null) {
            writes.close();
        }
        link.close();
        try {
            raft.close();
        } catch (IOException e) {
            LOG.warn("Node {}: error closing the Raft replica: {}", config.id(), e.toString());
        }
        notifier.shutdownNow();
        timer.shutdownNow();
        if (metrics != null) {
            metrics.close();
        }
        admin.shutdownNow();
        LOG.info("Node {} stopped", config.id());
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
