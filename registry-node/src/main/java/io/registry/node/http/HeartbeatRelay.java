package io.registry.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.registry.api.ApiError;
import io.registry.api.ApiException;
import io.registry.api.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Carries heartbeats that reached a follower to the leader, which alone keeps leases. Heartbeats
 * arriving together leave together: while {@link #MAX_IN_FLIGHT} relays to a leader are out, new ones
 * queue and go in the next {@code POST /v1/internal/heartbeats}, and each caller gets its own answer
 * back. One HTTP exchange per heartbeat cost the follower and the leader more than the heartbeat itself.
 */
final class HeartbeatRelay {
    static final String FORWARDED_HEADER = "X-Registry-Forwarded";
    static final String PATH = "/v1/internal/heartbeats";
    static final int MAX_IN_FLIGHT = 2;
    static final int MAX_BATCH = 1_000;
    /** JSON around one beat: {"service":"","id":""} and a comma. */
    private static final int BEAT_OVERHEAD_BYTES = 32;
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    /** One heartbeat in a relay body. */
    record Beat(String service, String id) {
    }

    /** The leader's answer to one beat: the status and body a direct heartbeat would have had. */
    record Outcome(int status, JsonNode body) {
    }

    private record Pending(Beat beat, CompletableFuture<Reply> reply) {
    }

    private final class Lane {
        final String address;
        final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
        final AtomicInteger inFlight = new AtomicInteger();

        Lane(String address) {
            this.address = address;
        }

        void pump() {
            while (!queue.isEmpty()) {
                int n = inFlight.get();
                if (n >= MAX_IN_FLIGHT) {
                    return;   // the relay in flight pumps again when it completes
                }
                if (!inFlight.compareAndSet(n, n + 1)) {
                    continue;
                }
                // Bounded by the request size the leader accepts (ids are ASCII-safe per Validation, but a
                // wrong one may be longer in UTF-8: count 3 bytes a char to be sure).
                List<Pending> batch = new ArrayList<>();
                int bytes = 2;
                Pending p;
                while (batch.size() < MAX_BATCH && (p = queue.peek()) != null) {
                    int size = BEAT_OVERHEAD_BYTES + 3 * (p.beat().service().length() + p.beat().id().length());
                    if (!batch.isEmpty() && bytes + size > maxBodyBytes) {
                        break;
                    }
                    queue.poll();
                    batch.add(p);
                    bytes += size;
                }
                if (batch.isEmpty()) {
                    // Another pump took them; look again, since a beat added meanwhile may have seen no room.
                    inFlight.decrementAndGet();
                    continue;
                }
                send(this, batch);
            }
        }
    }

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final int maxBodyBytes;

    HeartbeatRelay(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    CompletableFuture<Reply> relay(String leaderAddress, String service, String id) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        Lane lane = lanes.computeIfAbsent(leaderAddress, Lane::new);
        lane.queue.add(new Pending(new Beat(service, id), reply));
        lane.pump();
        return reply;
    }

    private void send(Lane lane, List<Pending> batch) {
        byte[] body;
        try {
            body = Json.strict().writeValueAsBytes(batch.stream().map(Pending::beat).toList());
        } catch (Exception e) {
            finish(lane, batch, null, e);
            return;
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + lane.address + PATH))
                .timeout(TIMEOUT)
                .header(FORWARDED_HEADER, "1")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .whenComplete((response, error) -> finish(lane, batch, response, error));
    }

    private void finish(Lane lane, List<Pending> batch, HttpResponse<byte[]> response, Throwable error) {
        try {
            List<Outcome> outcomes = error == null ? outcomes(lane.address, response, batch.size()) : null;
            for (int i = 0; i < batch.size(); i++) {
                CompletableFuture<Reply> reply = batch.get(i).reply();
                if (outcomes == null) {
                    reply.completeExceptionally(ApiException.unavailable("no_leader", "the leader at " + lane.address
                            + " did not answer (" + (error == null ? "?" : error.getClass().getSimpleName())
                            + "); retry shortly"));
                } else {
                    Outcome o = outcomes.get(i);
                    reply.complete(new Reply(o.status(), o.body(), new LinkedHashMap<>()));
                }
            }
        } catch (ApiException refused) {
            batch.forEach(p -> p.reply().completeExceptionally(refused));
        } finally {
            lane.inFlight.decrementAndGet();
            lane.pump();
        }
    }

    private static List<Outcome> outcomes(String address, HttpResponse<byte[]> response, int expected) {
        if (response.statusCode() != 200) {
            // The whole relay was refused (e.g. the leader is stepping down): pass its error on to each caller.
            ApiError err = parse(response.body(), ApiError.class);
            throw new ApiException(response.statusCode(), err == null ? "no_leader" : err.error(),
                    err == null ? "the leader at " + address + " refused the heartbeats" : err.message());
        }
        List<Outcome> outcomes = parse(response.body(), Outcomes.class);
        if (outcomes == null || outcomes.size() != expected) {
            throw ApiException.unavailable("no_leader", "the leader at " + address + " answered unreadably");
        }
        return outcomes;
    }

    /** The leader's answer: one outcome per beat, in order. */
    static final class Outcomes extends ArrayList<Outcome> {
        private static final long serialVersionUID = 1L;
    }

    private static <T> T parse(byte[] body, Class<T> type) {
        try {
            return Json.lenient().readValue(body, type);
        } catch (Exception e) {
            return null;
        }
    }
}
