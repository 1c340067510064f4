package io.registry.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.registry.node.config.HealthSettings;
import io.registry.node.testing.Await;
import io.registry.node.testing.SharedCluster;
import io.registry.node.testing.TestHttp;
import io.registry.node.testing.TestHttp.Response;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** TTL leases and active checks on a real cluster, against real HTTP and TCP endpoints. */
class HealthCheckTest extends SharedCluster {

    private static String any(int i) {
        return cluster.httpAddress(cluster.nodeIds().get(i % 3));
    }

    static String status(String node, String service, String id) {
        Response r = TestHttp.get(node, "/v1/services/" + service + "/instances?consistency=stale");
        for (var i : r.json().get("instances")) {
            if (i.get("id").asText().equals(id)) {
                return i.get("status").asText();
            }
        }
        return "gone";
    }

    @Test
    void silentTtlInstanceLeavesHealthyResultsWithinTtlPlusOneSecondThenIsRemoved() {
        Response put = TestHttp.put(any(1), "/v1/services/ttl-svc/instances/quiet",
                "{\"address\":\"10.0.0.1\",\"port\":80,\"check\":{\"type\":\"ttl\",\"ttl\":\"1s\",\"deregisterAfter\":\"1s\"}}");
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        long registered = System.nanoTime();
        String reader = any(2);
        Await.until(Duration.ofSeconds(5), "quiet gone from healthy results", () -> TestHttp.get(reader,
                "/v1/services/ttl-svc/instances?healthy=true").json().get("instances").isEmpty());
        long goneMillis = (System.nanoTime() - registered) / 1_000_000;
        assertThat(goneMillis).as("TTL 1 s + 1 s").isLessThanOrEqualTo(2000);
        Await.until(Duration.ofSeconds(10), "quiet removed after deregisterAfter",
                () -> status(reader, "ttl-svc", "quiet").equals("gone"));
    }

    @Test
    void heartbeatsThroughAnyNodeKeepATtlInstancePassingAndReviveIt() {
        TestHttp.put(any(0), "/v1/services/ttl-svc/instances/alive",
                "{\"address\":\"10.0.0.2\",\"port\":80,\"check\":{\"type\":\"ttl\",\"ttl\":\"1s\",\"deregisterAfter\":\"1m\"}}");
        AtomicInteger beats = new AtomicInteger();
        Await.holds(Duration.ofMillis(2500), "alive stays passing while heartbeating", () -> {
            Response hb = TestHttp.put(any(beats.incrementAndGet()), "/v1/services/ttl-svc/instances/alive/heartbeat", null);
            return hb.status() == 200 && status(any(0), "ttl-svc", "alive").equals("passing");
        });
        Await.until(Duration.ofSeconds(5), "alive critical after heartbeats stop",
                () -> status(any(1), "ttl-svc", "alive").equals("critical"));
        assertThat(TestHttp.put(any(2), "/v1/services/ttl-svc/instances/alive/heartbeat", null).status()).isEqualTo(200);
        Await.until(Duration.ofSeconds(5), "alive passing again after a heartbeat",
                () -> status(any(0), "ttl-svc", "alive").equals("passing"));
    }

    @Test
    void concurrentHeartbeatsThroughAFollowerTravelTogetherButEachGetsItsOwnAnswer() throws Exception {
        String leader = cluster.httpAddress(cluster.leaderId());
        String follower = cluster.httpAddress(cluster.followerIds().get(0));
        for (int i = 0; i < 20; i++) {
            assertThat(TestHttp.put(leader, "/v1/services/relay/instances/r-" + i, "{\"address\":\"10.0.0.4\",\"port\":80,"
                    + "\"check\":{\"type\":\"ttl\",\"ttl\":\"30s\"}}").status()).isEqualTo(200);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(40);
        try {
            List<java.util.concurrent.Future<Response>> known = new java.util.ArrayList<>();
            List<java.util.concurrent.Future<Response>> unknown = new java.util.ArrayList<>();
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < 20; i++) {
                    String path = "/v1/services/relay/instances/r-" + i + "/heartbeat";
                    String missing = "/v1/services/relay/instances/ghost-" + i + "/heartbeat";
                    known.add(pool.submit(() -> TestHttp.put(follower, path, null)));
                    unknown.add(pool.submit(() -> TestHttp.put(follower, missing, null)));
                }
            }
            for (int k = 0; k < known.size(); k++) {
                Response ok = known.get(k).get();
                assertThat(ok.status()).as(ok.body()).isEqualTo(200);
                assertThat(ok.json().get("id").asText()).isEqualTo("r-" + (k % 20));
                assertThat(ok.json().get("status").asText()).isEqualTo("passing");
                Response missing = unknown.get(k).get();
                assertThat(missing.status()).as(missing.body()).isEqualTo(404);
                assertThat(missing.json().get("message").asText()).contains("ghost-" + (k % 20));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** This node's count of heartbeats answered the given way ({@code registry_heartbeats_total}). */
    private static double heartbeats(String node, String answered) {
        String metrics = TestHttp.get(node, "/metrics").body();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("registry_heartbeats_total{") && line.contains("answered=\"" + answered + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no registry_heartbeats_total{answered=" + answered + "} in " + node + "'s metrics");
    }

    @Test
    void aFollowerAnswersBeatsOfAnInstanceItKnowsItselfAndTheLeadersLeaseStillRenews() {
        String follower = cluster.httpAddress(cluster.followerIds().get(0));
        String leader = cluster.httpAddress(cluster.leaderId());
        TestHttp.put(leader, "/v1/services/ahead/instances/a-1",
                "{\"address\":\"10.0.0.5\",\"port\":80,\"check\":{\"type\":\"ttl\",\"ttl\":\"1s\",\"deregisterAfter\":\"1m\"}}");
        Await.until(Duration.ofSeconds(5), "a-1 applied on the follower", () -> status(follower, "ahead", "a-1").equals("passing"));
        double aheadBefore = heartbeats(follower, "ahead");

        // Beats only through the follower, for three TTLs: only the relayed renewals keep the leader's lease.
        Await.holds(Duration.ofSeconds(3), "a-1 stays passing while beating through the follower", () -> {
            Response hb = TestHttp.put(follower, "/v1/services/ahead/instances/a-1/heartbeat", null);
            return hb.status() == 200 && hb.json().get("status").asText().equals("passing")
                    && status(leader, "ahead", "a-1").equals("passing");
        });
        assertThat(heartbeats(follower, "ahead")).as("beats the follower answered from its replica")
                .isGreaterThan(aheadBefore);

        Await.until(Duration.ofSeconds(5), "a-1 critical after its beats stop", () -> status(follower, "ahead", "a-1").equals("critical"));
        double relayedBefore = heartbeats(follower, "relayed");
        Response revive = TestHttp.put(follower, "/v1/services/ahead/instances/a-1/heartbeat", null);
        assertThat(revive.status()).as(revive.body()).isEqualTo(200);
        assertThat(revive.json().get("status").asText()).as("the leader's answer: revived").isEqualTo("passing");
        assertThat(heartbeats(follower, "relayed")).as("a critical instance's beat waits for the leader").isGreaterThan(relayedBefore);
    }

    @Test
    void relayEndpointRefusesBadBodiesAndAnswersOnlyOnTheLeader() {
        String leader = cluster.httpAddress(cluster.leaderId());
        String follower = cluster.httpAddress(cluster.followerIds().get(0));
        Response bad = TestHttp.post(leader, "/v1/internal/heartbeats", "{\"service\":1");
        assertThat(bad.status()).as(bad.body()).isEqualTo(400);
        assertThat(bad.json().get("error").asText()).isEqualTo("invalid_json");
        Response notLeader = TestHttp.post(follower, "/v1/internal/heartbeats", "[]");
        assertThat(notLeader.status()).as(notLeader.body()).isEqualTo(503);
        Response invalidId = TestHttp.post(leader, "/v1/internal/heartbeats", "[{\"service\":\"relay\",\"id\":\"bad id\"}]");
        assertThat(invalidId.status()).as(invalidId.body()).isEqualTo(200);
        assertThat(invalidId.json().get(0).get("status").asInt()).isEqualTo(400);

        TestHttp.put(leader, "/v1/services/relay/instances/known", "{\"address\":\"10.0.0.4\",\"port\":80,"
                + "\"check\":{\"type\":\"ttl\",\"ttl\":\"30s\"}}");
        Response renewals = TestHttp.post(leader, "/v1/internal/renewals", "[{\"service\":\"relay\",\"id\":\"known\"},"
                + "{\"service\":\"relay\",\"id\":\"bad id\"},{\"service\":\"relay\",\"id\":\"nobody\"}]");
        assertThat(renewals.status()).as(renewals.body()).isEqualTo(200);
        assertThat(renewals.body()).as("only the refused positions").isEqualTo("[1,2]");
        assertThat(TestHttp.post(leader, "/v1/internal/renewals", "[{").status()).isEqualTo(400);
        assertThat(TestHttp.post(follower, "/v1/internal/renewals", "[]").status()).isEqualTo(503);
    }

    @Test
    void heartbeatForUnknownInstanceIs404AndForNonTtlInstanceIs400() {
        for (int i = 0; i < 3; i++) {
            Response r = TestHttp.put(any(i), "/v1/services/ttl-svc/instances/nobody/heartbeat", null);
            assertThat(r.status()).as(r.body()).isEqualTo(404);
            assertThat(r.json().get("error").asText()).isEqualTo("not_found");
        }
        TestHttp.put(any(0), "/v1/services/plain/instances/p", TestHttp.instanceBody("10.0.0.3", 80));
        Response r = TestHttp.put(any(1), "/v1/services/plain/instances/p/heartbeat", null);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).isEqualTo("not_ttl");
    }

    @Test
    void httpCheckStatusFollowsTheEndpointWithinIntervalTimesThreshold() throws Exception {
        AtomicInteger answer = new AtomicInteger(200);
        HttpServer endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        endpoint.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(answer.get(), -1);
            exchange.close();
        });
        endpoint.start();
        try {
            String url = "http://127.0.0.1:" + endpoint.getAddress().getPort() + "/health";
            Response put = TestHttp.put(any(0), "/v1/services/web/instances/w-1", "{\"address\":\"127.0.0.1\",\"port\":"
                    + endpoint.getAddress().getPort() + ",\"check\":{\"type\":\"http\",\"url\":\"" + url
                    + "\",\"interval\":\"200ms\",\"timeout\":\"150ms\",\"fall\":2,\"rise\":1}}");
            assertThat(put.status()).as(put.body()).isEqualTo(200);
            answer.set(500);
            assertStatusWithin("web", "w-1", "critical", Duration.ofMillis(200 * 2 + 1500));
            answer.set(429);
            assertStatusWithin("web", "w-1", "warning", Duration.ofMillis(200 + 1500));
            answer.set(204);
            assertStatusWithin("web", "w-1", "passing", Duration.ofMillis(200 + 1500));
        } finally {
            endpoint.stop(0);
        }
    }

    @Test
    void tcpCheckGoesCriticalWhenThePortClosesAndIsExpiredAfterDeregisterAfter() throws Exception {
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int port = socket.getLocalPort();
        Response put = TestHttp.put(any(1), "/v1/services/db/instances/d-1", "{\"address\":\"127.0.0.1\",\"port\":" + port
                + ",\"check\":{\"type\":\"tcp\",\"interval\":\"200ms\",\"timeout\":\"150ms\",\"fall\":1,"
                + "\"deregisterAfter\":\"1s\"}}");
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertStatusWithin("db", "d-1", "passing", Duration.ofSeconds(5));
        Await.holds(Duration.ofMillis(800), "d-1 passing while its port is open",
                () -> status(any(2), "db", "d-1").equals("passing"));
        socket.close();
        assertStatusWithin("db", "d-1", "critical", Duration.ofMillis(200 + 1500));
        assertStatusWithin("db", "d-1", "gone", Duration.ofSeconds(5));
    }

    private static void assertStatusWithin(String service, String id, String expected, Duration within) {
        Await.until(within, service + "/" + id + " " + expected, () -> status(any(2), service, id).equals(expected));
    }

    @Test
    void clusterReportsNoProtectionInNormalOperation() {
        Response r = TestHttp.get(cluster.httpAddress(cluster.leaderId()), "/v1/cluster");
        assertThat(r.json().get("protection").asBoolean()).isFalse();
    }

    static List<String> ids(String node, String service, String query) {
        return TestHttp.get(node, "/v1/services/" + service + "/instances?consistency=stale" + query)
                .json().get("instances").findValuesAsText("id");
    }

    static HealthSettings fastProtection() {
        return new HealthSettings(0.5, 10, 4.0, 64);
    }
}
