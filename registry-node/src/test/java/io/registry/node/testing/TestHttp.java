package io.registry.node.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.registry.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small real-HTTP client for tests: every call goes over a socket to a node. */
public final class TestHttp {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();

    /** A response: status, raw body, the body as JSON (null if it is not JSON), and headers. */
    public record Response(int status, String body, JsonNode json, java.net.http.HttpHeaders headers) {
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    private TestHttp() {
    }

    public static Response get(String address, String path) {
        return send(address, "GET", path, null);
    }

    public static Response put(String address, String path, String json) {
        return send(address, "PUT", path, json);
    }

    public static Response post(String address, String path, String json) {
        return send(address, "POST", path, json);
    }

    public static Response delete(String address, String path) {
        return send(address, "DELETE", path, null);
    }

    /** A PUT that gives up after {@code timeout}, as a client with somewhere else to go would. */
    public static Response put(String address, String path, String json, Duration timeout) {
        return send(address, "PUT", path, json, timeout);
    }

    public static Response send(String address, String method, String path, String json) {
        return send(address, method, path, json, Duration.ofSeconds(15));
    }

    /** A GET with extra request headers (name, value, name, value, ...). */
    public static Response get(String address, String path, String... headers) {
        return send(address, "GET", path, null, Duration.ofSeconds(15), headers);
    }

    private static Response send(String address, String method, String path, String json, Duration timeout,
                                 String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://" + address + path))
                .timeout(timeout)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            builder.header("Content-Type", "application/json");
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> r = CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), parse(r.body()), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + address + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isEmpty() ? null : Json.lenient().readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** A registration body for {@code address:port} with no check. */
    public static String instanceBody(String address, int port) {
        return "{\"address\":\"" + address + "\",\"port\":" + port + "}";
    }
}
