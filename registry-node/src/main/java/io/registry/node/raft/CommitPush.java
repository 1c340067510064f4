package io.registry.node.raft;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;

/**
 * Ratis's gRPC transport, with the leader's log appenders within reach so that a commit reaches the
 * followers at once, in an empty append, instead of in a log entry of its own.
 *
 * <p>Why: a read on a follower waits until it has applied the writes it answered (AppliedIndex), and it
 * applies only what it knows to be committed. Ratis tells it with a "metadata" log entry per commit, which doubled the entries: each one a
 * log write and an {@code fdatasync} on every node, two appends and two acknowledgements. Without those
 * entries the commit travels only with the next append, up to a heartbeat later (an appender wakes for a
 * lagging follower commit but, in Ratis 3.3, sends nothing unless entries or a heartbeat are due). So on each
 * commit the leader triggers a heartbeat to each follower that lags it and has no entries on their way:
 * an empty append, with no log write and no fsync.
 *
 * <p>Installed through Ratis's own extension point: {@code raft.rpc.type} names this class, and the server's
 * {@link Parameters} carry the {@link Appenders} it registers into.
 */
public final class CommitPush implements RpcType {
    static final String APPENDERS_KEY = "registry.commit-push.appenders";

    /** The running leader's appender per follower; one replaced by a newer one (a new term) is dropped. */
    public static final class Appenders {
        private final Map<RaftPeerId, LogAppender> byFollower = new ConcurrentHashMap<>();

        void add(LogAppender appender) {
            byFollower.put(appender.getFollowerId(), appender);
        }

        /**
         * Sends a heartbeat (an empty append, which carries the leader's commit index) to each follower that
         * has not heard of the leader's latest commit and has no entries on their way to tell it.
         */
        public void push() {
            for (LogAppender appender : byFollower.values()) {
                if (appender.isRunning() && !appender.hasAppendEntries()
                        && appender.getFollower().getCommitIndex() < appender.getRaftLog().getLastCommittedIndex()) {
                    appender.triggerHeartbeat();
                }
            }
        }

        /** The appenders of this node's current leadership; none while it follows. */
        List<LogAppender> running() {
            return byFollower.values().stream().filter(LogAppender::isRunning).toList();
        }

        /** False once a newer appender (a new term, or a replacement) serves the same follower. */
        boolean isCurrent(LogAppender appender) {
            return byFollower.get(appender.getFollowerId()) == appender;
        }

        void put(Parameters parameters) {
            parameters.put(APPENDERS_KEY, this, Appenders.class);
        }
    }

    /** Ratis instantiates the type by its class name, so it needs a public no-argument constructor. */
    public CommitPush() {
    }

    @Override
    public String name() {
        return CommitPush.class.getName();
    }

    @Override
    public RpcFactory newFactory(Parameters parameters) {
        return new Factory(parameters);
    }

    private static final class Factory extends GrpcFactory {
        private final Appenders appenders;

        Factory(Parameters parameters) {
            super(parameters);
            this.appenders = parameters == null ? null : parameters.get(APPENDERS_KEY, Appenders.class);
        }

        @Override
        public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
            LogAppender appender = super.newLogAppender(server, state, follower);
            if (appenders != null) {
                appenders.add(appender);
            }
            return appender;
        }
    }
}
