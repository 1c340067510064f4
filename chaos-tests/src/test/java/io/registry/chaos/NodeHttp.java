package io.registry.chaos;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.registry.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** The JDK HTTP client and the lenient API mapper; every call answers a {@link Reply}, never throws on I/O. */
final class NodeHttp {
    static final Duration CONNECT_TIMEOUT = Duration.ofMillis(1000);
    static final Duration REQUEST_TIMEOUT = Duration.ofMillis(2000);
    static final int NO_STATUS = -1;

    private static final ObjectMapper JSON = Json.lenient();
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();

    /** An answer: an HTTP status (or {@link #NO_STATUS} when none came), its body and X-Registry-Index. */
    record Reply(int status, String body, long indexHeader, String failure) {
        boolean ok() {
            return status == 200;
        }

        <T> T as(Class<T> type) {
            try {
                return JSON.readValue(body, type);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot read " + type.getSimpleName() + " from " + body, e);
            }
        }

        String describe() {
            return status == NO_STATUS ? failure : status + " " + body;
        }
    }

    Reply get(URI base, String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET(), REQUEST_TIMEOUT);
    }

    Reply get(URI base, String path, Duration timeout) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET(), timeout);
    }

    Reply put(URI base, String path, Object body) {
        return send(HttpRequest.newBuilder(base.resolve(path)).PUT(json(body))
                .header("Content-Type", "application/json"), REQUEST_TIMEOUT);
    }

    Reply post(URI base, String path, Object body, Duration timeout) {
        return send(HttpRequest.newBuilder(base.resolve(path)).POST(json(body))
                .header("Content-Type", "application/json"), timeout);
    }

    Reply delete(URI base, String path, Duration timeout) {
        return send(HttpRequest.newBuilder(base.resolve(path)).DELETE(), timeout);
    }

    CompletableFuture<Reply> putAsync(URI base, String path, Object body) {
        return sendAsync(HttpRequest.newBuilder(base.resolve(path)).PUT(json(body))
                .header("Content-Type", "application/json"));
    }

    CompletableFuture<Reply> deleteAsync(URI base, String path) {
        return sendAsync(HttpRequest.newBuilder(base.resolve(path)).DELETE());
    }

    private CompletableFuture<Reply> sendAsync(HttpRequest.Builder request) {
        return client.sendAsync(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString())
                .handle((response, failure) -> {
                    if (failure == null) {
                        return reply(response);
                    }
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    return new Reply(NO_STATUS, "", -1, cause.getClass().getSimpleName() + ": " + cause.getMessage());
                });
    }

    private static Reply reply(HttpResponse<String> response) {
        long index = response.headers().firstValueAsLong("X-Registry-Index").orElse(-1L);
        return new Reply(response.statusCode(), response.body(), index, null);
    }

    private Reply send(HttpRequest.Builder request, Duration timeout) {
        try {
            return reply(client.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return new Reply(NO_STATUS, "", -1, e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(NO_STATUS, "", -1, "interrupted");
        }
    }

    private static HttpRequest.BodyPublisher json(Object body) {
        try {
            return HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
