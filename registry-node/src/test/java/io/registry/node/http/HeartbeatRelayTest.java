package io.registry.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.registry.api.ApiException;
import io.registry.api.Json;
import io.registry.node.testing.Await;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HeartbeatRelayTest {
    /**
     * Stands in for the leader's relay endpoint, because the cases here (a leader that no longer knows an
     * instance its follower still has, a leader refusing whole relays) cannot be arranged on demand in a
     * real cluster. It answers each beat 200, or 404 for ids starting "gone" (on the renewals path: lists
     * their positions), or the whole relay 503 while {@code refuseAll} is set.
     */
    private static final class ScriptedLeader implements AutoCloseable {
        final AtomicBoolean refuseAll = new AtomicBoolean();
        final AtomicBoolean closed = new AtomicBoolean();
        /** While not counted down, each relay waits before it is answered. */
        volatile java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(0);
        final List<String> received = java.util.Collections.synchronizedList(new ArrayList<>());
        final HttpServer server;

        ScriptedLeader() throws Exception {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.createContext("/v1/internal/", exchange -> {
                try {
                    hold.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                boolean renewals = exchange.getRequestURI().getPath().equals(HeartbeatRelay.RENEWALS_PATH);
                byte[] answer;
                int status = 200;
                if (refuseAll.get()) {
                    status = 503;
                    answer = utf8("{\"error\":\"not_leader\",\"message\":\"stepping down\"}");
                } else {
                    List<HeartbeatRelay.Outcome> outcomes = new ArrayList<>();
                    List<Integer> refused = new ArrayList<>();
                    for (JsonNode beat : Json.lenient().readTree(exchange.getRequestBody().readAllBytes())) {
                        String id = beat.get("id").asText();
                        received.add(id);
                        if (id.startsWith("gone")) {
                            refused.add(outcomes.size());
                        }
                        outcomes.add(id.startsWith("gone")
                                ? new HeartbeatRelay.Outcome(404, utf8("{\"error\":\"not_found\",\"message\":\"register again\"}"))
                                : new HeartbeatRelay.Outcome(200, utf8("{\"id\":\"" + id + "\"}")));
                    }
                    answer = renewals ? Json.strict().writeValueAsBytes(refused) : HeartbeatRelay.encode(outcomes);
                }
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, answer.length);
                exchange.getResponseBody().write(answer);
                exchange.close();
            });
            server.start();
        }

        String address() {
            return "127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            if (!closed.getAndSet(true)) {
                server.stop(0);
            }
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A follower's relay to a {@link ScriptedLeader}, on a clock the test moves. */
    private static final class Follower implements AutoCloseable {
        final AtomicLong now = new AtomicLong(5_000);
        final ScriptedLeader leader;
        final LeaderLink link;
        final HeartbeatRelay relay;

        Follower() throws Exception {
            leader = new ScriptedLeader();
            link = new LeaderLink(1 << 20, Duration.ofSeconds(2));
            relay = new HeartbeatRelay(link, 1 << 20, now::get);
        }

        /** Relays a beat of service "web" and waits for the leader's answer: its HTTP status. */
        int beat(String id) throws Exception {
            return relay.relay(leader.address(), "web", id).handle((r, e) -> e == null ? r.status()
                    : ((ApiException) (e.getCause() == null ? e : e.getCause())).httpStatus()).get(10, TimeUnit.SECONDS);
        }

        boolean mayAnswerAhead(String id) {
            return relay.mayAnswerAhead(leader.address(), "web", id);
        }

        void renewAhead(String id) {
            relay.renewAhead(leader.address(), "web", id);
        }

        @Override
        public void close() {
            link.close();
            leader.close();
        }
    }

    @Test
    void aFollowerAnswersAheadOnlyAfterTheLeaderTookARelayAndNotLongerThanTheWindowAfter() throws Exception {
        try (Follower f = new Follower()) {
            assertThat(f.mayAnswerAhead("a")).as("nothing relayed yet").isFalse();

            assertThat(f.beat("a")).isEqualTo(200);
            assertThat(f.mayAnswerAhead("a")).isTrue();
            assertThat(f.relay.mayAnswerAhead("127.0.0.1:1", "web", "a")).as("another leader").isFalse();

            f.now.addAndGet(HeartbeatRelay.AHEAD_WINDOW_NANOS);
            assertThat(f.mayAnswerAhead("a")).as("no relay answered for a window").isFalse();
        }
    }

    @Test
    void beatsAnsweredAheadReachTheLeaderAndOneItRefusesIsWaitedForOnItsNextBeat() throws Exception {
        try (Follower f = new Follower()) {
            f.beat("a");

            f.renewAhead("b");
            f.renewAhead("gone-1");
            Await.until(Duration.ofSeconds(5), "both beats answered ahead reach the leader",
                    () -> f.leader.received.containsAll(List.of("b", "gone-1")));
            Await.until(Duration.ofSeconds(5), "the refused instance is no longer answered ahead",
                    () -> !f.mayAnswerAhead("gone-1"));
            assertThat(f.mayAnswerAhead("b")).as("the others still are").isTrue();

            assertThat(f.beat("gone-1")).as("its client hears the 404").isEqualTo(404);
            assertThat(f.mayAnswerAhead("gone-1"))
                    .as("after its client heard the verdict, it may be answered ahead again (registered anew)").isTrue();
        }
    }

    @Test
    void aRelayTheLeaderRefusesStopsAnsweringAheadUntilOneIsTakenAgain() throws Exception {
        try (Follower f = new Follower()) {
            f.beat("a");
            f.leader.refuseAll.set(true);

            f.renewAhead("a");
            Await.until(Duration.ofSeconds(5), "answering ahead stops once a relay is refused", () -> !f.mayAnswerAhead("a"));
            assertThat(f.beat("a")).as("a waiting caller hears the refusal").isEqualTo(503);

            f.leader.refuseAll.set(false);
            assertThat(f.beat("a")).isEqualTo(200);
            assertThat(f.mayAnswerAhead("a")).isTrue();
        }
    }

    @Test
    void tooManyBeatsWaitingForASlowLeaderMakeCallersWaitAgainUntilTheyDrain() throws Exception {
        try (Follower f = new Follower()) {
            f.beat("a");
            f.leader.hold = new java.util.concurrent.CountDownLatch(1);

            // One relay (at most MAX_BATCH beats) is out at the leader; the rest queue here.
            for (int i = 0; i < HeartbeatRelay.MAX_AHEAD_QUEUED + HeartbeatRelay.MAX_BATCH; i++) {
                f.renewAhead("i-" + i);
            }
            assertThat(f.mayAnswerAhead("a")).as("the queue is full").isFalse();

            f.leader.hold.countDown();
            Await.until(Duration.ofSeconds(20), "the queue drains and beats are answered ahead again",
                    () -> f.mayAnswerAhead("a"));
        }
    }

    @Test
    void aFollowerCutOffFromTheLeaderStopsAnsweringAhead() throws Exception {
        try (Follower f = new Follower()) {
            f.beat("a");
            f.leader.close();

            f.renewAhead("a");
            Await.until(Duration.ofSeconds(10), "answering ahead stops once a relay fails", () -> !f.mayAnswerAhead("a"));
        }
    }

    @Test
    void outcomesKeepEachBodyByteForByteThroughTheRelayAnswer() {
        byte[] ok = utf8("{\"service\":\"web\",\"id\":\"a-1\",\"ttl\":\"10s\",\"meta\":{\"k\":\"{not] a \\\"brace\\\"\"}}");
        byte[] missing = utf8("{\"error\":\"not_found\",\"message\":\"no instance 'é-2' in web; register it again\"}");
        byte[] answer = HeartbeatRelay.encode(List.of(new HeartbeatRelay.Outcome(200, ok),
                new HeartbeatRelay.Outcome(404, missing)));

        List<HeartbeatRelay.Outcome> decoded = HeartbeatRelay.decode(answer);

        assertThat(decoded).hasSize(2);
        assertThat(decoded.get(0).status()).isEqualTo(200);
        assertThat(decoded.get(0).json()).isEqualTo(ok);
        assertThat(decoded.get(1).status()).isEqualTo(404);
        assertThat(decoded.get(1).json()).isEqualTo(missing);
    }

    @Test
    void anEmptyRelayAnswersAnEmptyArray() {
        assertThat(HeartbeatRelay.decode(HeartbeatRelay.encode(List.of()))).isEmpty();
    }

    @Test
    void anAnswerInAnotherShapeIsNotRead() {
        assertThat(HeartbeatRelay.decode(utf8("{\"error\":\"not_leader\"}"))).isNull();
        assertThat(HeartbeatRelay.decode(utf8("[{\"status\":200}]"))).isNull();
        assertThat(HeartbeatRelay.decode(utf8("[{\"status\":200,\"body\":{\"id\":"))).isNull();
        assertThat(HeartbeatRelay.decode(utf8("not json"))).isNull();
    }
}
