package io.registry.node.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.registry.api.ApiError;
import io.registry.api.ApiException;
import io.registry.api.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
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

    /** The leader's answer to one beat: the status and JSON body a direct heartbeat would have had. */
    record Outcome(int status, byte[] json) {
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

        /**
         * The next relay's beats. Two pumps may drain at once (one per free relay slot); peeking and then
         * polling without the lock let both peek the same beat, relay it twice and drop the one behind it,
         * whose caller then waited forever (the bench's rare 5 s heartbeat timeouts).
         */
        private synchronized List<Pending> take() {
            List<Pending> batch = new ArrayList<>();
            int bytes = 2;
            Pending p;
            while (batch.size() < MAX_BATCH && (p = queue.peek()) != null) {
                // Bounded by the request size the leader accepts (ids are ASCII-safe per Validation, but a
                // wrong one may be longer in UTF-8: count 3 bytes a char to be sure).
                int size = BEAT_OVERHEAD_BYTES + 3 * (p.beat().service().length() + p.beat().id().length());
                if (!batch.isEmpty() && bytes + size > maxBodyBytes) {
                    break;
                }
                queue.poll();
                batch.add(p);
                bytes += size;
            }
            return batch;
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
                List<Pending> batch = take();
                if (batch.isEmpty()) {
                    // Another pump took them; look again, since a beat added meanwhile may have seen no room.
                    inFlight.decrementAndGet();
                    continue;
                }
                send(this, batch);
            }
        }
    }

    private static final Map<String, String> HEADERS = Map.of(FORWARDED_HEADER, "1");

    private final LeaderLink link;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final int maxBodyBytes;

    HeartbeatRelay(LeaderLink link, int maxBodyBytes) {
        this.link = link;
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
        link.post(lane.address, PATH, HEADERS, body, TIMEOUT)
                .whenComplete((response, error) -> finish(lane, batch, response, error));
    }

    private void finish(Lane lane, List<Pending> batch, LeaderLink.Response response, Throwable error) {
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
                    reply.complete(new Reply(o.status(), new Reply.Encoded(o.json()), new LinkedHashMap<>()));
                }
            }
        } catch (ApiException refused) {
            batch.forEach(p -> p.reply().completeExceptionally(refused));
        } finally {
            lane.inFlight.decrementAndGet();
            lane.pump();
        }
    }

    private static List<Outcome> outcomes(String address, LeaderLink.Response response, int expected) {
        if (response.status() != 200) {
            // The whole relay was refused (e.g. the leader is stepping down): pass its error on to each caller.
            ApiError err = parse(response.body(), ApiError.class);
            throw new ApiException(response.status(), err == null ? "no_leader" : err.error(),
                    err == null ? "the leader at " + address + " refused the heartbeats" : err.message());
        }
        List<Outcome> outcomes = decode(response.body());
        if (outcomes == null || outcomes.size() != expected) {
            throw ApiException.unavailable("no_leader", "the leader at " + address + " answered unreadably");
        }
        return outcomes;
    }

    /**
     * The leader's answer, one outcome per beat in order: {@code [{"status":200,"body":{...}},...]}. Written
     * and read around each body's bytes, which pass through to the follower's caller untouched: building
     * and re-encoding JSON trees for every relayed beat cost more than the beat.
     */
    static byte[] encode(List<Outcome> outcomes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + outcomes.size() * 128);
        out.write('[');
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i);
            byte[] head = ((i == 0 ? "" : ",") + "{\"status\":" + o.status() + ",\"body\":").getBytes(StandardCharsets.US_ASCII);
            out.write(head, 0, head.length);
            out.write(o.json(), 0, o.json().length);
            out.write('}');
        }
        out.write(']');
        return out.toByteArray();
    }

    /** Reads {@link #encode}'s form; null if it is not that. */
    static List<Outcome> decode(byte[] body) {
        List<Outcome> outcomes = new ArrayList<>();
        try (JsonParser p = Json.lenient().getFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                return null;
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                int status = -1;
                byte[] json = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    if ("status".equals(field)) {
                        status = p.getIntValue();
                    } else if ("body".equals(field)) {
                        int start = (int) p.currentTokenLocation().getByteOffset();
                        p.skipChildren();
                        json = Arrays.copyOfRange(body, start, (int) p.currentLocation().getByteOffset());
                    } else {
                        p.skipChildren();
                    }
                }
                if (status < 0 || json == null) {
                    return null;
                }
                outcomes.add(new Outcome(status, json));
            }
            return outcomes;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static <T> T parse(byte[] body, Class<T> type) {
        try {
            return Json.lenient().readValue(body, type);
        } catch (Exception e) {
            return null;
        }
    }
}
