package io.registry.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.registry.api.ApiException;
import io.registry.api.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;

/**
 * Sends a request on to the leader's HTTP address and relays its answer, for the calls only the leader
 * can serve (heartbeats). The forwarded request is marked so the receiver never forwards it again.
 */
final class Forwarder {
    static final String FORWARDED_HEADER = "X-Registry-Forwarded";
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();

    CompletableFuture<Reply> put(String address, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address + path))
                .timeout(TIMEOUT)
                .header(FORWARDED_HEADER, "1")
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((r, e) -> {
            if (e != null) {
                throw ApiException.unavailable("no_leader", "the leader at " + address + " did not answer ("
                        + e.getClass().getSimpleName() + "); retry shortly");
            }
            JsonNode body;
            try {
                body = Json.lenient().readTree(r.body());
            } catch (Exception bad) {
                throw ApiException.unavailable("no_leader", "the leader at " + address + " answered unreadably");
            }
            return new Reply(r.statusCode(), body, new LinkedHashMap<>());
        });
    }
}
