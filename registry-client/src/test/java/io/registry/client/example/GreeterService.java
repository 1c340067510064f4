package io.registry.client.example;

import com.sun.net.httpserver.HttpServer;
import io.registry.client.RegistryClient;
import io.registry.client.Registrations;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** docs/CLIENT.md, part 1: a small HTTP service that registers itself and deregisters on shutdown. */
public final class GreeterService implements AutoCloseable {
    private final HttpServer server;
    private final RegistryClient registry;
    private boolean closed;

    public GreeterService(List<String> registryNodes, int port) throws IOException {
        String id = "greeter-" + port;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/hello", exchange -> {
            byte[] body = ("hello from " + id).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();

        registry = RegistryClient.builder().nodes(registryNodes).build();
        // heartbeats every 5s (ttl/3); re-registers by itself if the registry forgets it
        registry.register("greeter", id, Registrations.of("127.0.0.1", port)
                .tag("v1")
                .ttl(Duration.ofSeconds(15))
                .build());
    }

    /** Deregisters (closing the client deregisters what it registered), then stops serving. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            registry.close();
            server.stop(0);
        }
    }

    public static void main(String[] args) throws IOException {
        String nodes = System.getenv().getOrDefault("REGISTRY_ADDR", RegistryClient.DEFAULT_NODES);
        GreeterService service = new GreeterService(RegistryClient.parseNodes(nodes), Integer.parseInt(args[0]));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close));
    }
}
