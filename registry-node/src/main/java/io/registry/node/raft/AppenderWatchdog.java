package io.registry.node.raft;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.ratis.server.RaftServerRpcWithProxy;
import org.apache.ratis.server.leader.LogAppender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the leader, revives the replication stream to a follower that has stopped answering.
 *
 * <p>Why: Ratis's channel to a follower has no keepalive, and its appender waits on a stream that is not
 * ready without a deadline. A connection that dies without a reset (a peer gone from the network, a
 * container restarted behind a stale connection) therefore stalls that follower for good: the leader goes
 * on writing into the dead connection, or waits for it to drain, and never dials again, while the follower
 * hears nothing, times out and is refused every pre-vote because the others still have their leader
 * (docs/RELIABILITY.md, Findings 10). A healthy follower answers every heartbeat within milliseconds, so
 * a follower silent for {@link #STALL} gets a new connection; a dead one just gets a fresh dial each time,
 * which fails as the old one did. Closing the old channel also fails the streams on it, which frees an
 * appender waiting for one of them to become ready.
 */
final class AppenderWatchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AppenderWatchdog.class);
    /**
     * A leader sends a heartbeat every half minimum election timeout, so this is ten of them or more at any
     * timeout up to 1 s: far past the answer of a live follower, well within the wait of a stalled one.
     */
    static final Duration STALL = Duration.ofSeconds(5);
    /** A follower that stays silent is reconnected every {@link #STALL}, but logged only this often. */
    private static final long LOG_EVERY_MILLIS = 60_000;

    /**
     * Whether a follower needs a new connection.
     *
     * @param silentMillis since the follower last answered anything
     * @param sinceReconnectMillis since this silence last got a new connection; negative if it has not
     */
    static boolean reconnect(long silentMillis, long sinceReconnectMillis) {
        return silentMillis >= STALL.toMillis()
                && (sinceReconnectMillis < 0 || sinceReconnectMillis >= STALL.toMillis());
    }

    /** One follower's current silence: when it last got a new connection, and when that was last logged. */
    private static final class Silence {
        long reconnectedAt = -1;
        long loggedAt = Long.MIN_VALUE / 2;
    }

    private final CommitPush.Appenders appenders;
    private final Map<LogAppender, Silence> silences = new ConcurrentHashMap<>();
    private final LongAdder reconnects = new LongAdder();
    /** Its own thread: closing a channel to a hung peer blocks for up to 5 s (Ratis waits for its calls). */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "appender-watchdog");
        t.setDaemon(true);
        return t;
    });

    AppenderWatchdog(CommitPush.Appenders appenders) {
        this.appenders = appenders;
    }

    void start() {
        timer.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
    }

    private void check() {
        try {
            silences.keySet().removeIf(a -> !a.isRunning() || !appenders.isCurrent(a));
            for (LogAppender appender : appenders.running()) {
                check(appender, System.nanoTime() / 1_000_000);
            }
        } catch (RuntimeException e) {
            LOG.warn("appender watchdog check failed; trying again in a second", e);
        }
    }

    private void check(LogAppender appender, long nowMillis) {
        long silent = appender.getFollower().getLastRpcResponseTime().elapsedTimeMs();
        if (silent < STALL.toMillis()) {
            Silence ended = silences.remove(appender);
            if (ended != null && ended.reconnectedAt >= 0) {
                LOG.info("Follower {} answers again", appender.getFollowerId());
            }
            return;
        }
        Silence silence = silences.computeIfAbsent(appender, a -> new Silence());
        long sinceReconnect = silence.reconnectedAt < 0 ? -1 : nowMillis - silence.reconnectedAt;
        if (!reconnect(silent, sinceReconnect)) {
            return;
        }
        if (nowMillis - silence.loggedAt >= LOG_EVERY_MILLIS) {
            silence.loggedAt = nowMillis;
            LOG.warn("Follower {} has not answered for {} ms (last sent to it {} ms ago, next index {}, match index "
                    + "{}); opening a new connection to it, and again every {} s while it stays silent",
                    appender.getFollowerId(), silent, appender.getFollower().getLastRpcSendTime().elapsedTimeMs(),
                    appender.getFollower().getNextIndex(), appender.getFollower().getMatchIndex(), STALL.toSeconds());
        }
        silence.reconnectedAt = nowMillis;
        reconnects.increment();
        renewConnection(appender);
    }

    /** New connections opened to silent followers since this node started. */
    long reconnects() {
        return reconnects.sum();
    }

    /**
     * Closes the channels to the follower; the next append dials anew. Streams stuck on the old connection
     * fail, which releases an appender waiting for them to become ready.
     */
    private static void renewConnection(LogAppender appender) {
        if (appender.getServerRpc() instanceof RaftServerRpcWithProxy<?, ?> rpc) {
            rpc.getProxies().resetProxy(appender.getFollowerId());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
