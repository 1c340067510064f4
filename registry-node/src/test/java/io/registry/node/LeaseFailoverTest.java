package io.registry.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.registry.node.testing.Await;
import io.registry.node.testing.LocalCluster;
import io.registry.node.testing.TestHttp;
import io.registry.node.testing.TestHttp.Response;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Leases across leadership changes, and mass-expiry protection. */
class LeaseFailoverTest {
    private static final String TTL_BODY =
            "{\"address\":\"10.0.0.1\",\"port\":80,\"check\":{\"type\":\"ttl\",\"ttl\":\"3s\",\"deregisterAfter\":\"2s\"}}";

    @Test
    void heartbeatingInstancesSurviveALeaderKillWithoutExpiry() {
        try (LocalCluster cluster = LocalCluster.start(3)) {
            List<String> ids = IntStream.range(0, 10).mapToObj(i -> "hb-" + i).toList();
            for (String id : ids) {
                assertThat(TestHttp.put(cluster.httpAddress(cluster.nodeIds().get(0)),
                        "/v1/services/leased/instances/" + id, TTL_BODY).status()).isEqualTo(200);
            }
            ScheduledExecutorService beats = Executors.newScheduledThreadPool(ids.size());
            AtomicInteger turn = new AtomicInteger();
            try {
                // Each instance heartbeats on its own every TTL/3, as clients do: through one node, and on a
                // failure (a node going down may hold a request for seconds) at once through the next one.
                for (String id : ids) {
                    beats.scheduleAtFixedRate(() -> {
                        List<String> up = cluster.runningIds();
                        int first = turn.incrementAndGet();
                        for (int k = 0; k < up.size(); k++) {
                            String node = cluster.httpAddress(up.get(Math.floorMod(first + k, up.size())));
                            try {
                                if (TestHttp.put(node, "/v1/services/leased/instances/" + id + "/heartbeat", null,
                                        Duration.ofMillis(500)).status() == 200) {
                                    return;
                                }
                            } catch (RuntimeException nodeDown) {
                                // try the next node
                            }
                        }
                    }, 0, 1000, TimeUnit.MILLISECONDS);
                }
                String oldLeader = cluster.leaderId();
                cluster.stop(oldLeader);
                cluster.awaitLeader();
                String survivor = cluster.httpAddress(cluster.runningIds().get(0));
                // A stale read can lag the last acknowledged registration by a heartbeat; catch up first.
                Await.until(Duration.ofSeconds(5), "the survivor has applied every registration", () ->
                        TestHttp.get(survivor, "/v1/services/leased/instances?consistency=linearizable").status() == 200);
                Await.holds(Duration.ofSeconds(8), "every instance present and passing after the leader kill", () -> {
                    Response r = TestHttp.get(survivor, "/v1/services/leased/instances?consistency=stale");
                    long passing = 0;
                    for (var i : r.json().get("instances")) {
                        passing += i.get("status").asText().equals("passing") ? 1 : 0;
                    }
                    if (passing != ids.size()) {
                        System.out.println("not all passing: " + r.body());
                    }
                    return passing == ids.size();
                });
            } finally {
                beats.shutdownNow();
            }
        }
    }

    @Test
    void massLapseEngagesProtectionAndExpiresAtTheBoundedRate() {
        try (LocalCluster cluster = LocalCluster.start(3, c -> c.withHealth(HealthCheckTest.fastProtection()))) {
            String node = cluster.httpAddress(cluster.leaderId());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<Response>> puts = IntStream.range(0, 40).mapToObj(i -> pool.submit(() ->
                        TestHttp.put(node, "/v1/services/fleet/instances/f-" + i, "{\"address\":\"10.0.0.1\",\"port\":80,"
                                + "\"check\":{\"type\":\"ttl\",\"ttl\":\"2s\",\"deregisterAfter\":\"1m\"}}"))).toList();
                for (var f : puts) {
                    assertThat(f.get().status()).isEqualTo(200);
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            } finally {
                pool.shutdownNow();
            }
            // Nobody heartbeats: all 40 lapse within one TTL window, far above the 50% share.
            Await.until(Duration.ofSeconds(10), "protection reported in /v1/cluster",
                    () -> TestHttp.get(node, "/v1/cluster").json().get("protection").asBoolean());
            long started = System.nanoTime();
            long before = critical(node);
            assertThat(before).as("at most the protected share lapses before protection engages").isLessThanOrEqualTo(20);
            Await.until(Duration.ofSeconds(10), "expiry still proceeds under protection", () -> critical(node) > before);
            long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
            long after = critical(node);
            double bound = 4.0 * elapsedMillis / 1000 + 2; // --protection-rate 4/s, plus the tick in progress
            assertThat((double) (after - before)).as("lapses let through in %d ms", elapsedMillis).isLessThanOrEqualTo(bound);
            Await.until(Duration.ofSeconds(30), "protection ends once the lapses drain",
                    () -> !TestHttp.get(node, "/v1/cluster").json().get("protection").asBoolean());
            Await.until(Duration.ofSeconds(10), "all 40 critical", () -> critical(node) == 40);
        }
    }

    private static long critical(String node) {
        Response r = TestHttp.get(node, "/v1/services/fleet/instances?consistency=stale");
        long count = 0;
        for (var i : r.json().get("instances")) {
            if (i.get("status").asText().equals("critical")) {
                count++;
            }
        }
        return count;
    }
}
