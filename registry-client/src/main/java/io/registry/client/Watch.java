package io.registry.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.registry.api.Json;
import io.registry.api.Responses;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A server-sent-event stream of one service's instance list ({@code GET /v1/watch/services/{service}})
 * that keeps itself connected: when the stream ends, fails, answers non-200 or stays silent (no event and no
 * keepalive) for the idle timeout, it reconnects to the <em>next</em> node in the list, backing off once it
 * has failed on every node. Each connect delivers the node's full list, so nothing is missed across a
 * reconnect. Close it to stop.
 */
public final class Watch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Watch.class.getName());
    private static final String EVENT_TYPE = "instances";

    private final String service;
    private final Transport transport;
    private final WatchListener listener;
    private final ScheduledExecutorService timer;
    private final Duration idleTimeout;
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final Object lock = new Object();
    private final Object deliveryLock = new Object();
    private int cursor;
    private int failures;
    private Connection current;
    private boolean closed;
    private ScheduledFuture<?> watchdog;

    Watch(String service, Transport transport, WatchListener listener, ScheduledExecutorService timer,
          Duration idleTimeout, Duration backoffBase, Duration backoffMax) {
        this.service = service;
        this.transport = transport;
        this.listener = listener;
        this.timer = timer;
        this.idleTimeout = idleTimeout;
        this.backoffBase = backoffBase;
        this.backoffMax = backoffMax;
        this.cursor = transport.preferredIndex();
    }

    void start() {
        long period = Math.max(10, idleTimeout.toMillis() / 4);
        synchronized (lock) {
            watchdog = timer.scheduleWithFixedDelay(this::checkIdle, period, period, TimeUnit.MILLISECONDS);
        }
        connect();
    }

    public String service() {
        return service;
    }

    /** The node the stream is open to, or null while (re)connecting. */
    public String connectedNode() {
        Connection c;
        synchronized (lock) {
            c = current;
        }
        return c != null && c.status == 200 ? c.node : null;
    }

    @Override
    public void close() {
        Connection c;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            c = current;
            current = null;
            if (watchdog != null) {
                watchdog.cancel(false);
            }
        }
        if (c != null) {
            c.abort();
        }
    }

    private void connect() {
        Connection conn;
        synchronized (lock) {
            if (closed) {
                return;
            }
            List<String> nodes = transport.nodes();
            conn = new Connection(nodes.get(Math.floorMod(cursor, nodes.size())));
            current = conn;
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(Transport.uri(conn.node, "/v1/watch/services/" + service))
                .header("Accept", "text/event-stream")
                .GET();
        transport.addMinIndex(builder);   // the first event then holds every write this client has seen
        HttpRequest request = builder.build();
        try {
            CompletableFuture<HttpResponse<Void>> future = transport.http().sendAsync(request, conn::handle);
            conn.future = future;
            if (conn.ended.get()) {
                future.cancel(true);
            }
            future.whenComplete((response, error) -> ended(conn, error != null ? Transport.describe(error)
                    : conn.status != 200 ? "HTTP " + conn.status + ": " + Transport.abbreviate(conn.errorBody)
                    : "the node closed the stream"));
        } catch (RuntimeException e) {
            ended(conn, Transport.describe(e));
        }
    }

    private void checkIdle() {
        Connection c;
        synchronized (lock) {
            c = current;
        }
        if (c != null && System.nanoTime() - c.lastActivityNanos > idleTimeout.toNanos()) {
            ended(c, "nothing received for " + idleTimeout.toMillis() + " ms");
        }
    }

    /** The one way a connection ends: abort it, tell the listener, and schedule the next connect. */
    private void ended(Connection conn, String reason) {
        if (!conn.ended.compareAndSet(false, true)) {
            return;
        }
        conn.abort();
        long delayMillis;
        synchronized (lock) {
            if (closed || current != conn) {
                return;
            }
            current = null;
            failures++;
            cursor = Math.floorMod(cursor + 1, transport.nodes().size());
            delayMillis = backoffMillis(failures);
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "watch of " + service + " on " + conn.node + " ended: " + reason);
        if (conn.status == 200) {
            safely(() -> listener.onDisconnected(conn.node, reason));
        }
        try {
            timer.schedule(this::connect, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shutDown) {
            // the client is closing
        }
    }

    /** Straight to the next node while there are nodes left to try, then doubling up to the cap. */
    private long backoffMillis(int consecutiveFailures) {
        int n = transport.nodes().size();
        if (consecutiveFailures < n) {
            return backoffBase.toMillis() / 2;
        }
        int round = Math.min(20, consecutiveFailures / n);
        return Math.min(backoffMax.toMillis(), backoffBase.toMillis() << round);
    }

    private void deliver(Connection conn, SseParser.Event event) {
        if (!EVENT_TYPE.equals(event.type())) {
            return;
        }
        Responses.Instances instances;
        try {
            instances = Json.lenient().readValue(event.data(), Responses.Instances.class);
        } catch (JsonProcessingException e) {
            ended(conn, "unreadable event from " + conn.node + ": " + Transport.describe(e));
            return;
        }
        synchronized (deliveryLock) {
            if (!isCurrent(conn)) {
                return;
            }
            synchronized (lock) {
                failures = 0;
            }
            safely(() -> listener.onInstances(instances, conn.node));
        }
    }

    private boolean isCurrent(Connection conn) {
        synchronized (lock) {
            return current == conn && !conn.ended.get();
        }
    }

    private void safely(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "watch listener of " + service + " failed", e);
        }
    }

    /** One HTTP stream to one node: parses lines into events as they arrive. */
    private final class Connection implements Flow.Subscriber<String> {
        final String node;
        final SseParser parser = new SseParser();
        final AtomicBoolean ended = new AtomicBoolean();
        volatile long lastActivityNanos = System.nanoTime();
        volatile int status;
        volatile String errorBody;
        volatile Flow.Subscription subscription;
        volatile CompletableFuture<HttpResponse<Void>> future;

        Connection(String node) {
            this.node = node;
        }

        HttpResponse.BodySubscriber<Void> handle(HttpResponse.ResponseInfo info) {
            lastActivityNanos = System.nanoTime();
            status = info.statusCode();
            if (status != 200) {
                return HttpResponse.BodySubscribers.mapping(
                        HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8), body -> {
                            errorBody = body;
                            return null;
                        });
            }
            synchronized (deliveryLock) {
                if (isCurrent(this)) {
                    safely(() -> listener.onConnected(node));
                }
            }
            return HttpResponse.BodySubscribers.fromLineSubscriber(this);
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (ended.get()) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(String line) {
            lastActivityNanos = System.nanoTime();
            SseParser.Event event = parser.line(line);
            if (event != null) {
                deliver(this, event);
            }
        }

        @Override
        public void onError(Throwable error) {
            ended(this, Transport.describe(error));
        }

        @Override
        public void onComplete() {
            ended(this, "the node closed the stream");
        }

        void abort() {
            ended.set(true);
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            CompletableFuture<HttpResponse<Void>> f = future;
            if (f != null) {
                f.cancel(true);
            }
        }
    }
}
