package io.registry.chaos;

import io.registry.api.Instance;
import io.registry.api.Responses;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Concurrent writers and readers on every node a client could reach, recording everything in a
 * {@link History}.
 * <p>Writes are open-loop: a new one starts every {@link #WRITE_PERIOD_NANOS} whatever the earlier ones
 * are doing, up to {@link #MAX_IN_FLIGHT} at once per node, so requests hanging on a paused or cut-off node do not
 * hold back the rest and the longest gap between acknowledgements measures the cluster, not the load
 * generator. Each write registers a unique id, or deregisters one registered earlier whose registration
 * was acknowledged or had an unknown outcome (each id at most once).
 * <p>Readers are closed-loop threads that rotate over the nodes and the three consistency modes.
 */
final class Workload {
    static final long WRITE_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(12);
    /**
     * Writes in flight per node, as a client with a connection pool per node would have. One limit for all
     * nodes let writes hanging on a cut-off node take every slot: scenario i's burst of 40 to the cut-off
     * follower stopped the writes to the two healthy nodes for 1.9 s (docs/RELIABILITY.md, session 13).
     */
    static final int MAX_IN_FLIGHT = 48;
    static final int READERS = 3;
    static final long READ_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(25);
    /** Live instances: enough to matter, few enough that a read of the whole service stays small. */
    static final int MIN_LIVE = 30;
    static final int MAX_LIVE = 120;
    private static final String[] CONSISTENCY = {"linearizable", "linearizable", "linearizable", "default", "stale"};

    private final ChaosCluster cluster;
    private final NodeHttp http;
    private final String service;
    private final long seed;
    private final History history = new History();
    private final List<Thread> threads = new ArrayList<>();
    private final Map<String, Semaphore> inFlight = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> registered = new ConcurrentLinkedQueue<>();
    private volatile boolean running;
    private volatile boolean keepUnknown;

    Workload(ChaosCluster cluster, NodeHttp http, String service, long seed) {
        this.cluster = cluster;
        this.http = http;
        this.service = service;
        this.seed = seed;
    }

    History history() {
        return history;
    }

    void start() {
        running = true;
        threads.add(Waits.daemon("writes", this::write));
        for (int r = 0; r < READERS; r++) {
            int reader = r;
            threads.add(Waits.daemon("reader-" + r, () -> read(reader)));
        }
        threads.forEach(Thread::start);
    }

    /** Leaves registrations with an unknown outcome to the scenario, which deregisters them itself. */
    void keepUnknownRegistrations() {
        keepUnknown = true;
    }

    /** Sends {@code count} registrations (ids {@code w1-<n>}) to one node at once, recorded like the rest. */
    void burst(String node, URI uri, int count) {
        Random random = new Random(seed + 1);
        for (int i = 0; i < count; i++) {
            try {
                slots(node).acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            register(Map.entry(node, uri), "w1-" + burstSequence++, random);
        }
    }

    private int burstSequence;

    /** Deregisters {@code id} through {@code node} now, recording it like any other write. */
    History.Write deregisterNow(String node, URI uri, String id) {
        long start = System.nanoTime();
        NodeHttp.Reply reply = http.delete(uri, path(id), NodeHttp.REQUEST_TIMEOUT);
        long end = System.nanoTime();
        boolean ok = reply.ok();
        History.Write w = new History.Write(History.Kind.DEREGISTER, id, node, start, end,
                ok ? History.Outcome.ACK : failure(reply, true),
                ok ? reply.as(Responses.Indexed.class).index() : -1, ok ? null : reply.describe());
        history.add(w);
        return w;
    }

    /** Stops issuing operations and waits for those in flight, so the history is complete. */
    void stop() {
        running = false;
        Waits.joinAll(threads, Duration.ofSeconds(10));
        long waitMillis = NodeHttp.REQUEST_TIMEOUT.toMillis() + NodeHttp.CONNECT_TIMEOUT.toMillis() + 2000;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        try {
            for (Map.Entry<String, Semaphore> node : inFlight.entrySet()) {
                Semaphore slots = node.getValue();
                long left = Math.max(0, deadline - System.nanoTime());
                if (slots.tryAcquire(MAX_IN_FLIGHT, left, TimeUnit.NANOSECONDS)) {
                    slots.release(MAX_IN_FLIGHT);
                } else {
                    ChaosLog.warn("%d writes to %s still in flight after %d ms", MAX_IN_FLIGHT - slots.availablePermits(),
                            node.getKey(), waitMillis);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }


    private void write() {
        Random random = new Random(seed);
        List<String> live = new ArrayList<>();
        long sequence = 0;
        long next = System.nanoTime();
        while (running) {
            Waits.parkUntil(next);
            next = Math.max(next + WRITE_PERIOD_NANOS, System.nanoTime() - WRITE_PERIOD_NANOS);
            for (String id = registered.poll(); id != null; id = registered.poll()) {
                live.add(id);
            }
            Map.Entry<String, URI> target = pick(random);
            if (target == null || !slots(target.getKey()).tryAcquire()) {
                continue;   // nobody to ask, or too much already hanging there: skip this tick
            }
            boolean deregister = live.size() >= MAX_LIVE || (live.size() >= MIN_LIVE && random.nextBoolean());
            if (deregister) {
                deregister(target, live.remove(random.nextInt(live.size())));
            } else {
                register(target, "w0-" + sequence++, random);
            }
        }
    }

    private void register(Map.Entry<String, URI> target, String id, Random random) {
        Map<String, Object> body = Map.of(
                "address", "10.0." + random.nextInt(250) + "." + (1 + random.nextInt(250)),
                "port", 1024 + random.nextInt(60000),
                "tags", List.of("chaos"));
        long start = System.nanoTime();
        track(target.getKey(), http.putAsync(target.getValue(), path(id), body).thenAccept(reply -> {
            long end = System.nanoTime();
            if (reply.ok()) {
                long index = reply.as(Responses.Registered.class).index();
                history.add(new History.Write(History.Kind.REGISTER, id, target.getKey(), start, end,
                        History.Outcome.ACK, index, null));
                registered.add(id);
            } else {
                History.Outcome outcome = failure(reply, false);
                history.add(new History.Write(History.Kind.REGISTER, id, target.getKey(), start, end,
                        outcome, -1, reply.describe()));
                if (outcome == History.Outcome.UNKNOWN && !keepUnknown) {
                    registered.add(id);   // it may have applied: deregister it later so the service stays small
                }
            }
        }));
    }

    private void deregister(Map.Entry<String, URI> target, String id) {
        long start = System.nanoTime();
        track(target.getKey(), http.deleteAsync(target.getValue(), path(id)).thenAccept(reply -> {
            long end = System.nanoTime();
            boolean ok = reply.ok();
            history.add(new History.Write(History.Kind.DEREGISTER, id, target.getKey(), start, end,
                    ok ? History.Outcome.ACK : failure(reply, true),
                    ok ? reply.as(Responses.Indexed.class).index() : -1, ok ? null : reply.describe()));
        }));
    }

    private Semaphore slots(String node) {
        return inFlight.computeIfAbsent(node, n -> new Semaphore(MAX_IN_FLIGHT));
    }

    private void track(String node, CompletableFuture<Void> operation) {
        operation.whenComplete((ignored, failure) -> {
            slots(node).release();
            if (failure != null) {
                ChaosLog.warn("recording a write failed: %s", failure);
            }
        });
    }

    /** 400/409/413 are definite refusals; 404 on a delete says "not there"; anything else may have applied. */
    private static History.Outcome failure(NodeHttp.Reply reply, boolean delete) {
        int s = reply.status();
        if (delete && s == 404) {
            return History.Outcome.NOT_FOUND;
        }
        return s == 400 || s == 409 || s == 413 ? History.Outcome.REJECTED : History.Outcome.UNKNOWN;
    }

    private void read(int reader) {
        Random random = new Random(seed * 17 + 1000 + reader);
        long next = System.nanoTime();
        int turn = reader;
        while (running) {
            Waits.parkUntil(next);
            next = Math.max(next + READ_PERIOD_NANOS, System.nanoTime());
            List<Map.Entry<String, URI>> targets = new ArrayList<>(cluster.targets().entrySet());
            if (targets.isEmpty()) {
                continue;
            }
            Map.Entry<String, URI> target = targets.get(turn++ % targets.size());
            String consistency = CONSISTENCY[random.nextInt(CONSISTENCY.length)];
            history.add(readOnce(target, consistency));
        }
    }

    private History.Read readOnce(Map.Entry<String, URI> target, String consistency) {
        long start = System.nanoTime();
        NodeHttp.Reply reply = http.get(target.getValue(),
                "v1/services/" + service + "/instances?consistency=" + consistency);
        long end = System.nanoTime();
        if (!reply.ok()) {
            return new History.Read(target.getKey(), consistency, start, end, reply.status(), -1, -1, null);
        }
        Responses.Instances r = reply.as(Responses.Instances.class);
        long[] ids = null;
        if ("linearizable".equals(consistency)) {
            ids = r.instances().stream().map(Instance::id).mapToLong(History::key).sorted().toArray();
        }
        return new History.Read(target.getKey(), consistency, start, end, 200, r.index(), reply.indexHeader(), ids);
    }

    private Map.Entry<String, URI> pick(Random random) {
        List<Map.Entry<String, URI>> targets = new ArrayList<>(cluster.targets().entrySet());
        return targets.isEmpty() ? null : targets.get(random.nextInt(targets.size()));
    }

    private String path(String id) {
        return "v1/services/" + service + "/instances/" + id;
    }
}
