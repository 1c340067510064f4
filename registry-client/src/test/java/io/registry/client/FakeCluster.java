package io.registry.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.registry.api.ApiError;
import io.registry.api.Instance;
import io.registry.api.Json;
import io.registry.api.Registration;
import io.registry.api.Responses;
import io.registry.api.Validation;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory stand-in for a registry cluster, for testing the client's mechanics (failover, heartbeats,
 * watch reconnects) deterministically. Every node serves one shared state over the §6 paths the client
 * uses; a node can be stopped, made to answer 503, made silent on watches, or made to lag.
 */
final class FakeCluster implements AutoCloseable {
    private static final ObjectMapper JSON = Json.lenient();

    private final Map<String, Map<String, Instance>> services = new TreeMap<>();
    private final Map<String, Long> serviceIndex = new TreeMap<>();
    private long index;
    final List<Node> nodes = new ArrayList<>();
    final ConcurrentHashMap<String, AtomicInteger> heartbeats = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, AtomicInteger> registrations = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, AtomicInteger> deregistrations = new ConcurrentHashMap<>();

    static FakeCluster start(int n) throws IOException {
        FakeCluster cluster = new FakeCluster();
        for (int i = 0; i < n; i++) {
            cluster.nodes.add(cluster.new Node());
        }
        return cluster;
    }

    List<String> addresses() {
        return nodes.stream().map(Node::address).toList();
    }

    synchronized List<Instance> instances(String service) {
        return List.copyOf(services.getOrDefault(service, Map.of()).values());
    }

    /** Removes an instance behind the client's back (as expiry or an operator would). */
    void forget(String service, String id) {
        synchronized (this) {
            Map<String, Instance> m = services.get(service);
            if (m == null || m.remove(id) == null) {
                return;
            }
            serviceIndex.put(service, ++index);
        }
        broadcast(service);
    }

    void put(String service, String id, Registration body) {
        Responses.Instances list;
        synchronized (this) {
            long at = ++index;
            Instance i = Validation.instance(service, id, body).withIndices(at, at, 0, 0);
            services.computeIfAbsent(service, s -> new TreeMap<>()).put(id, i);
            serviceIndex.put(service, at);
        }
        broadcast(service);
    }

    private synchronized Responses.Instances list(String service, long indexOffset) {
        return new Responses.Instances(service, serviceIndex.getOrDefault(service, index) + indexOffset,
                List.copyOf(services.getOrDefault(service, Map.of()).values()));
    }

    private void broadcast(String service) {
        for (Node node : nodes) {
            node.push(service);
        }
    }

    @Override
    public void close() {
        nodes.forEach(Node::stop);
    }

    static int count(ConcurrentHashMap<String, AtomicInteger> counter, String key) {
        AtomicInteger c = counter.get(key);
        return c == null ? 0 : c.get();
    }

    /** One node: a JDK HTTP server on a free loopback port. */
    final class Node {
        private final HttpServer server;
        private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-node");
            t.setDaemon(true);
            return t;
        });
        private final List<Stream> streams = new CopyOnWriteArrayList<>();
        final AtomicInteger requests = new AtomicInteger();
        volatile boolean unavailable;
        volatile boolean silentWatches;
        volatile long lagBy;

        Node() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            server.setExecutor(executor);
            server.createContext("/", this::handle);
            server.start();
        }

        String address() {
            return "127.0.0.1:" + server.getAddress().getPort();
        }

        int openStreams() {
            return streams.size();
        }

        void stop() {
            server.stop(0);
            streams.forEach(Stream::close);
            streams.clear();
            executor.shutdownNow();
        }

        /** Ends every open watch stream, as a node restart or a proxy timeout would. */
        void dropStreams() {
            streams.forEach(Stream::close);
            streams.clear();
        }

        void push(String service) {
            for (Stream s : streams) {
                if (s.service.equals(service) && !silentWatches) {
                    s.send(list(service, -lagBy));
                }
            }
        }

        private void handle(HttpExchange ex) throws IOException {
            requests.incrementAndGet();
            if (unavailable) {
                reply(ex, 503, new ApiError("no_leader", "this fake node has no leader"));
                return;
            }
            String[] p = ex.getRequestURI().getPath().split("/");
            String method = ex.getRequestMethod();
            try {
                if (p.length == 5 && p[2].equals("watch")) {
                    watch(ex, p[4]);
                } else if (p.length == 5 && method.equals("GET") && p[4].equals("instances")) {
                    reply(ex, 200, list(p[3], -lagBy));
                } else if (p.length == 7 && p[6].equals("heartbeat")) {
                    heartbeat(ex, p[3], p[5]);
                } else if (p.length == 6 && method.equals("PUT")) {
                    Registration body = JSON.readValue(ex.getRequestBody(), Registration.class);
                    registrations.computeIfAbsent(p[5], k -> new AtomicInteger()).incrementAndGet();
                    put(p[3], p[5], body);
                    reply(ex, 200, new Responses.Registered(index, instances(p[3]).stream()
                            .filter(i -> i.id().equals(p[5])).findFirst().orElseThrow()));
                } else if (p.length == 6 && method.equals("DELETE")) {
                    deregister(ex, p[3], p[5]);
                } else if (p.length == 3 && p[2].equals("services")) {
                    reply(ex, 200, new Responses.Services(index, List.of()));
                } else {
                    reply(ex, 404, new ApiError("not_found", "no such path"));
                }
            } catch (RuntimeException e) {
                reply(ex, 400, new ApiError("bad_request", String.valueOf(e.getMessage())));
            }
        }

        private void heartbeat(HttpExchange ex, String service, String id) throws IOException {
            boolean known;
            synchronized (FakeCluster.this) {
                known = services.getOrDefault(service, Map.of()).containsKey(id);
            }
            if (known) {
                heartbeats.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                reply(ex, 200, Map.of());
            } else {
                reply(ex, 404, new ApiError("unknown_instance", id + " is not registered"));
            }
        }

        private void deregister(HttpExchange ex, String service, String id) throws IOException {
            boolean removed;
            long at;
            synchronized (FakeCluster.this) {
                Map<String, Instance> m = services.get(service);
                removed = m != null && m.remove(id) != null;
                at = removed ? ++index : index;
                if (removed) {
                    serviceIndex.put(service, at);
                }
            }
            if (!removed) {
                reply(ex, 404, new ApiError("unknown_instance", id + " is not registered"));
                return;
            }
            deregistrations.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            broadcast(service);
            reply(ex, 200, new Responses.Indexed(at));
        }

        private void watch(HttpExchange ex, String service) throws IOException {
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            Stream s = new Stream(service, ex);
            streams.add(s);
            if (!silentWatches) {
                s.send(list(service, -lagBy));
            }
        }
    }

    /** One open SSE response. */
    private static final class Stream {
        final String service;
        final HttpExchange exchange;
        final OutputStream out;

        Stream(String service, HttpExchange exchange) {
            this.service = service;
            this.exchange = exchange;
            this.out = exchange.getResponseBody();
        }

        synchronized void send(Responses.Instances list) {
            try {
                String event = "event: instances\nid: " + list.index() + "\ndata: " + JSON.writeValueAsString(list)
                        + "\n\n: keepalive\n";
                out.write(event.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                close();
            }
        }

        synchronized void close() {
            exchange.close();
        }
    }

    private static void reply(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
