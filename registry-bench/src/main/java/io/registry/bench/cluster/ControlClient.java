package io.registry.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.registry.api.Headers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Synchronous calls for setup, checks and polling (never on the measured path): the JDK HTTP client,
 * JSON read as trees so fields the node adds later do not matter.
 */
public final class ControlClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /** An answer; {@code index} is X-Registry-Index or -1. */
    public record Answer(int status, String body, long index) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    public Answer get(String hostPort, String path) throws IOException {
        return send(hostPort, path, HttpRequest.newBuilder().GET());
    }

    public Answer put(String hostPort, String path, String body) throws IOException {
        return send(hostPort, path, HttpRequest.newBuilder().PUT(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json"));
    }

    public Answer post(String hostPort, String path, String body) throws IOException {
        return send(hostPort, path, HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json"));
    }

    public Optional<Answer> tryGet(String hostPort, String path) {
        try {
            return Optional.of(get(hostPort, path));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Counters or gauges from one scrape of a node's {@code GET /metrics} (Prometheus text), each summed over
     * its label sets; a name the node does not export is left out, and the map is empty when it does not answer.
     */
    public Map<String, Double> metrics(String hostPort, String... names) {
        Map<String, Double> found = new HashMap<>();
        Optional<Answer> answer = tryGet(hostPort, "/metrics").filter(Answer::ok);
        if (answer.isEmpty()) {
            return found;
        }
        for (String line : answer.get().body().split("\n")) {
            for (String name : names) {
                if (line.startsWith(name) && line.length() > name.length()
                        && (line.charAt(name.length()) == ' ' || line.charAt(name.length()) == '{')) {
                    try {
                        found.merge(name, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
                    } catch (NumberFormatException ignored) {
                        // not a sample line
                    }
                }
            }
        }
        return found;
    }

    /** Instance ids of a service as one node sees them (stale read), or empty when it does not answer. */
    public Optional<List<String>> instanceIds(String hostPort, String service, boolean healthyOnly) {
        return tryGet(hostPort, "/v1/services/" + service + "/instances?consistency=stale"
                + (healthyOnly ? "&healthy=true" : "")).filter(Answer::ok).map(a -> {
                    List<String> ids = new ArrayList<>();
                    try {
                        a.json().path("instances").forEach(i -> ids.add(i.path("id").asText()));
                    } catch (IOException e) {
                        return null;
                    }
                    return ids;
                });
    }

    private Answer send(String hostPort, String path, HttpRequest.Builder builder) throws IOException {
        HttpRequest request = builder.uri(URI.create("http://" + hostPort + path)).timeout(REQUEST_TIMEOUT).build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            long index = r.headers().firstValue(Headers.INDEX).map(ControlClient::parseLong).orElse(-1L);
            return new Answer(r.statusCode(), r.body(), index);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
