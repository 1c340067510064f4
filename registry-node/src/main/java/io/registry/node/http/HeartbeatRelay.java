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
import java.util.function.LongSupplier;

/**
 * Carries heartbeats that reached a follower to the leader, which alone keeps leases. Heartbeats
 * arriving together leave together: while a relay to the leader is out, new beats queue and go in the
 * next one. One HTTP exchange per heartbeat cost the follower and the leader more than the heartbeat.
 *
 * <p>A beat travels one of two ways. {@link #relay} waits for the leader's answer and hands it to the
 * caller ({@code POST /v1/internal/heartbeats}, up to {@link #MAX_IN_FLIGHT} relays out). {@link #renewAhead}
 * is for a beat the follower has already answered from its own replica (the instance is known there, has a
 * TTL check and is not critical): it rides in the next {@code POST /v1/internal/renewals}, one out at a
 * time, and the leader answers only which beats it refused. Waiting held each client for a relay round
 * trip, and per beat the two nodes spent more CPU carrying answers than renewing; Eureka's servers answer
 * the same way.
 *
 * <p>The follower answers ahead only while the leader keeps taking its relays ({@link #mayAnswerAhead}):
 * after a relay fails, or when none has been answered for {@link #AHEAD_WINDOW_NANOS}, or when too many
 * beats wait, callers wait for the leader again, so a client of a follower cut off from the leader gets
 * errors and moves to another node instead of 200s that renew nothing. And when the leader refuses a beat
 * that was answered ahead (an instance it no longer knows whose removal has not reached this follower yet,
 * say), that instance's next beat waits for the leader, so its client sees the 404 and registers again.
 */
final class HeartbeatRelay {
    static final String FORWARDED_HEADER = "X-Registry-Forwarded";
    static final String PATH = "/v1/internal/heartbeats";
    static final String RENEWALS_PATH = "/v1/internal/renewals";
    static final int MAX_IN_FLIGHT = 2;
    static final int MAX_BATCH = 1_000;
    /** How recent the last good relay to a leader must be for a follower to answer beats ahead of it. */
    static final long AHEAD_WINDOW_NANOS = 1_000_000_000L;
    /** Beats answered ahead and not yet relayed, beyond which callers wait again (backpressure). */
    static final int MAX_AHEAD_QUEUED = 20_000;
    /** Instances the leader refused ahead-answered beats for; a bound against ids that never beat again. */
    private static final int MAX_REFUSED = 10_000;
    /** JSON around one beat: {"service":"","id":""} and a comma. */
    private static final int BEAT_OVERHEAD_BYTES = 32;
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final Map<String, String> HEADERS = Map.of(FORWARDED_HEADER, "1");

    /** One heartbeat in a relay body. */
    record Beat(String service, String id) {
    }

    /** The leader's answer to one beat: the status and JSON body a direct heartbeat would have had. */
    record Outcome(int status, byte[] json) {
    }

    /** A beat waiting for the next relay; {@code reply} is null for one answered ahead. */
    private record Pending(Beat beat, CompletableFuture<Reply> reply) {
    }

    /** What this follower knows of one leader's relays. */
    private static final class Leader {
        final Lane waited;
        final Lane ahead;
        /** When the last relay to this leader was answered, if the latest one answered was; else 0. */
        volatile long lastGoodNanos;

        Leader(HeartbeatRelay relay, String address) {
            waited = relay.new Lane(this, address, PATH, MAX_IN_FLIGHT);
            ahead = relay.new Lane(this, address, RENEWALS_PATH, 1);
        }
    }

    /** Beats queued for one leader, one way; at most {@code maxInFlight} relays out at once. */
    private final class Lane {
        final Leader leader;
        final String address;
        final String path;
        final int maxInFlight;
        final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
        final AtomicInteger queued = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();

        Lane(Leader leader, String address, String path, int maxInFlight) {
            this.leader = leader;
            this.address = address;
            this.path = path;
            this.maxInFlight = maxInFlight;
        }

        void add(Pending pending) {
            queued.incrementAndGet();
            queue.add(pending);
            pump();
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
                queued.decrementAndGet();
                batch.add(p);
                bytes += size;
            }
            return batch;
        }

        void pump() {
            while (!queue.isEmpty()) {
                int n = inFlight.get();
                if (n >= maxInFlight) {
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

    private final LeaderLink link;
    private final Map<String, Leader> leaders = new ConcurrentHashMap<>();
    private final Map<Beat, Boolean> refused = new ConcurrentHashMap<>();
    private final int maxBodyBytes;
    private final LongSupplier nanos;

    HeartbeatRelay(LeaderLink link, int maxBodyBytes, LongSupplier nanos) {
        this.link = link;
        this.maxBodyBytes = maxBodyBytes;
        this.nanos = nanos;
    }

    private Leader leader(String address) {
        return leaders.computeIfAbsent(address, a -> new Leader(this, a));
    }

    /** Relays one beat and completes with the leader's answer to it. */
    CompletableFuture<Reply> relay(String leaderAddress, String service, String id) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        Beat beat = new Beat(service, id);
        if (!refused.isEmpty()) {
            refused.remove(beat);   // this caller is about to hear the leader's verdict itself
        }
        leader(leaderAddress).waited.add(new Pending(beat, reply));
        return reply;
    }

    /**
     * Whether this follower may answer a beat for this instance itself and {@link #renewAhead}: the last
     * relay to the leader was answered, within {@link #AHEAD_WINDOW_NANOS}, not too many beats wait, and
     * the leader did not refuse the instance's last beat answered ahead.
     */
    boolean mayAnswerAhead(String leaderAddress, String service, String id) {
        Leader leader = leaders.get(leaderAddress);
        if (leader == null) {
            return false;
        }
        long good = leader.lastGoodNanos;
        return good != 0 && nanos.getAsLong() - good < AHEAD_WINDOW_NANOS
                && leader.ahead.queued.get() < MAX_AHEAD_QUEUED
                && (refused.isEmpty() || !refused.containsKey(new Beat(service, id)));
    }

    /** Relays a beat its caller was already answered for; the leader's answer only informs later beats. */
    void renewAhead(String leaderAddress, String service, String id) {
        leader(leaderAddress).ahead.add(new Pending(new Beat(service, id), null));
    }

    private void send(Lane lane, List<Pending> batch) {
        byte[] body;
        try {
            body = Json.strict().writeValueAsBytes(batch.stream().map(Pending::beat).toList());
        } catch (Exception e) {
            finish(lane, batch, null, e);
            return;
        }
        link.post(lane.address, lane.path, HEADERS, body, TIMEOUT)
                .whenComplete((response, error) -> finish(lane, batch, response, error));
    }

    /**
     * One relay's answer: each waiting caller gets its beat's outcome, refused renewals are remembered, and
     * whether the leader answered at all decides {@link #mayAnswerAhead}. A relay that failed as a whole
     * fails each waiting caller with the reason.
     */
    private void finish(Lane lane, List<Pending> batch, LeaderLink.Response response, Throwable error) {
        try {
            if (error != null) {
                throw ApiException.unavailable("no_leader", "the leader at " + lane.address + " did not answer ("
                        + error.getClass().getSimpleName() + "); retry shortly");
            }
            boolean ahead = lane == lane.leader.ahead;
            int[] refusedAt = ahead ? refusedPositions(lane.address, response, batch.size()) : null;
            List<Outcome> outcomes = ahead ? null : outcomes(lane.address, response, batch.size());
            // Before any caller hears back: one that beats again at once may be answered ahead.
            lane.leader.lastGoodNanos = Math.max(1, nanos.getAsLong());
            for (int i = 0; ahead && i < refusedAt.length && refused.size() < MAX_REFUSED; i++) {
                refused.put(batch.get(refusedAt[i]).beat(), Boolean.TRUE);
            }
            for (int i = 0; !ahead && i < batch.size(); i++) {
                Outcome o = outcomes.get(i);
                batch.get(i).reply().complete(new Reply(o.status(), new Reply.Encoded(o.json()), new LinkedHashMap<>()));
            }
        } catch (ApiException failed) {
            lane.leader.lastGoodNanos = 0;
            batch.stream().filter(p -> p.reply() != null).forEach(p -> p.reply().completeExceptionally(failed));
        } finally {
            lane.inFlight.decrementAndGet();
            lane.pump();
        }
    }

    private static List<Outcome> outcomes(String address, LeaderLink.Response response, int expected) {
        refusedAsAWhole(address, response);
        List<Outcome> outcomes = decode(response.body());
        if (outcomes == null || outcomes.size() != expected) {
            throw ApiException.unavailable("no_leader", "the leader at " + address + " answered unreadably");
        }
        return outcomes;
    }

    /** A renewals answer: the positions of the beats the leader refused, each below {@code size}. */
    private static int[] refusedPositions(String address, LeaderLink.Response response, int size) {
        refusedAsAWhole(address, response);
        int[] positions = parse(response.body(), int[].class);
        if (positions == null || Arrays.stream(positions).anyMatch(i -> i < 0 || i >= size)) {
            throw ApiException.unavailable("no_leader", "the leader at " + address + " answered unreadably");
        }
        return positions;
    }

    /** The whole relay was refused (e.g. the leader is stepping down): its error goes to each caller. */
    private static void refusedAsAWhole(String address, LeaderLink.Response response) {
        if (response.status() != 200) {
            ApiError err = parse(response.body(), ApiError.class);
            throw new ApiException(response.status(), err == null ? "no_leader" : err.error(),
                    err == null ? "the leader at " + address + " refused the heartbeats" : err.message());
        }
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
