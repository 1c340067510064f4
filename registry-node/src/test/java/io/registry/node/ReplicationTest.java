package io.registry.node;

import static io.registry.node.testing.TestHttp.instanceBody;
import static org.assertj.core.api.Assertions.assertThat;

import io.registry.node.testing.Await;
import io.registry.node.testing.Concurrently;
import io.registry.node.testing.SharedCluster;
import io.registry.node.testing.TestHttp;
import io.registry.node.testing.TestHttp.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ReplicationTest extends SharedCluster {

    @Test
    void registrationSentToFollowerIsReadableFromEveryNodeAtOnce() {
        String follower = cluster.followerIds().get(0);
        Response put = TestHttp.put(cluster.httpAddress(follower), "/v1/services/payments/instances/p-1",
                "{\"address\":\"10.0.0.5\",\"port\":8080,\"tags\":[\"v2\"],\"metadata\":{\"team\":\"core\"},"
                        + "\"zone\":\"eu-1a\"}");
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        long index = put.json().get("index").asLong();
        assertThat(put.json().get("instance").get("createIndex").asLong()).isEqualTo(index);
        assertThat(put.header("X-Registry-Index")).isEqualTo(String.valueOf(index));

        // The node that acknowledged reads its own write (it waits until it has applied the entry itself).
        Response own = TestHttp.get(cluster.httpAddress(follower), "/v1/services/payments/instances?consistency=stale");
        assertThat(own.json().get("instances").get(0).get("id").asText()).isEqualTo("p-1");

        for (String id : cluster.nodeIds()) {
            Response read = TestHttp.get(cluster.httpAddress(id), "/v1/services/payments/instances?consistency=linearizable");
            assertThat(read.status()).as(read.body()).isEqualTo(200);
            assertThat(read.json().get("instances")).hasSize(1);
            assertThat(read.json().get("instances").get(0).get("address").asText()).isEqualTo("10.0.0.5");
            assertThat(read.json().get("index").asLong()).isGreaterThanOrEqualTo(index);
        }
        cluster.awaitConverged();
    }

    @Test
    void writesThroughEveryNodeGoThroughTheLeadersBatcherAndEachGetsItsOwnAnswer() throws Exception {
        String leader = cluster.leaderId();
        long before = cluster.node(leader).writeStats()[0];
        List<String> nodes = cluster.nodeIds();
        int writes = 120;
        ExecutorService pool = Executors.newFixedThreadPool(24);
        try {
            List<Future<Response>> puts = new ArrayList<>();
            for (int i = 0; i < writes; i++) {
                String node = cluster.httpAddress(nodes.get(i % nodes.size()));
                String path = "/v1/services/forwarded/instances/f-" + i;
                String body = instanceBody("10.2.0." + (i % 250), 8000 + i);
                puts.add(pool.submit(() -> TestHttp.put(node, path, body)));
            }
            for (int i = 0; i < writes; i++) {
                Response put = puts.get(i).get();
                assertThat(put.status()).as(put.body()).isEqualTo(200);
                assertThat(put.json().get("instance").get("id").asText()).isEqualTo("f-" + i);
                assertThat(put.json().get("instance").get("port").asInt()).isEqualTo(8000 + i);
            }
        } finally {
            pool.shutdownNow();
        }
        // A follower hands its batch to the leader's batcher, so the followers' two thirds count there too.
        assertThat(cluster.node(leader).writeStats()[0] - before).isGreaterThanOrEqualTo(writes);
        for (String id : nodes) {
            Response read = TestHttp.get(cluster.httpAddress(id), "/v1/services/forwarded/instances?consistency=linearizable");
            assertThat(read.json().get("instances")).hasSize(writes);
        }
    }

    @Test
    void aLoneClientWritingThroughAFollowerAndReadingItBackThereWaitsForNoHeartbeat() {
        // The read waits until the follower has applied the write, and it applies what it knows to be committed.
        // The leader tells it at once (CommitPush); otherwise it would learn with the next heartbeat, which
        // here (500 ms election timeouts) comes every ~250 ms: a median near 125 ms.
        String follower = cluster.httpAddress(cluster.followerIds().get(0));
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            long started = System.nanoTime();
            Response put = TestHttp.put(follower, "/v1/services/lone/instances/l-" + i, instanceBody("10.3.0." + (i + 1), 7000));
            Response read = TestHttp.get(follower, "/v1/services/lone/instances");
            millis.add((System.nanoTime() - started) / 1_000_000);
            assertThat(put.status()).as(put.body()).isEqualTo(200);
            assertThat(read.json().get("instances")).hasSize(i + 1);
        }
        millis.sort(Long::compare);
        assertThat(millis.get(millis.size() / 2)).as("median write and read through a follower, ms (all: %s)", millis)
                .isLessThan(60);
    }

    @Test
    void everyClientReadsItsOwnWritesFromTheFollowerThatAnsweredThemWhileOthersWriteToo() throws Exception {
        // A follower answers a write once the leader has applied it, about a millisecond before it applies the
        // entry itself; concurrent writers keep it that far behind. Each read must still see the reader's writes.
        String follower = cluster.httpAddress(cluster.followerIds().get(1));
        eachClientReadsBackEveryWrite("ryw-", follower, follower, false);
    }

    @Test
    void aClientThatWroteOnTheLeaderReadsItsWritesFromAFollowerByNamingTheirIndex() throws Exception {
        // The follower has not answered these writes, so only the client's X-Registry-Min-Index makes it wait.
        eachClientReadsBackEveryWrite("session-", cluster.httpAddress(cluster.leaderId()),
                cluster.httpAddress(cluster.followerIds().get(0)), true);
    }

    /** Eight clients at once, each writing to its own service and reading every write back, stale and default. */
    private static void eachClientReadsBackEveryWrite(String prefix, String writeTo, String readFrom, boolean namingIndex)
            throws Exception {
        int rounds = 40;
        Concurrently.run(8, c -> {
            String service = prefix + c;
            for (int i = 0; i < rounds; i++) {
                Response put = TestHttp.put(writeTo, "/v1/services/" + service + "/instances/i-" + i,
                        instanceBody("10.4." + c + "." + (i + 1), 7100));
                assertThat(put.status()).as(put.body()).isEqualTo(200);
                String index = put.header("X-Registry-Index");
                String consistency = i % 2 == 0 ? "stale" : "default";
                String path = "/v1/services/" + service + "/instances?consistency=" + consistency;
                Response read = namingIndex ? TestHttp.get(readFrom, path, "X-Registry-Min-Index", index)
                        : TestHttp.get(readFrom, path);
                assertThat(read.status()).as(read.body()).isEqualTo(200);
                assertThat(read.json().get("instances")).as("%s after writing i-%d at %s (%s)", service, i, index,
                        consistency).hasSize(i + 1);
                assertThat(read.json().get("index").asLong()).isGreaterThanOrEqualTo(Long.parseLong(index));
            }
        });
    }

    @Test
    void aReadNamingAnIndexTheNodeCannotReachIsRefusedUnlessStaleAndEveryAnswerNamesNodeAndLeader() {
        String followerId = cluster.followerIds().get(0);
        String follower = cluster.httpAddress(followerId);
        long beyond = cluster.node(cluster.leaderId()).appliedIndex() + 1_000_000;
        Response refused = TestHttp.get(follower, "/v1/services/nowhere/instances", "X-Registry-Min-Index",
                String.valueOf(beyond));
        assertThat(refused.status()).as(refused.body()).isEqualTo(503);
        assertThat(refused.json().get("error").asText()).isEqualTo("not_caught_up");
        assertThat(refused.json().get("message").asText()).contains("X-Registry-Min-Index", String.valueOf(beyond));
        Response stale = TestHttp.get(follower, "/v1/services/nowhere/instances?consistency=stale", "X-Registry-Min-Index",
                String.valueOf(beyond));
        assertThat(stale.status()).as(stale.body()).isEqualTo(200);
        assertThat(List.of(refused, stale)).allSatisfy(r -> {
            assertThat(r.header("X-Registry-Node")).isEqualTo(followerId);
            assertThat(r.header("X-Registry-Leader")).isEqualTo(cluster.leaderId());
        });
    }

    @Test
    void theForwardingEndpointRefusesOnAFollowerAndRejectsABodyThatIsNotABatch() {
        Response onFollower = TestHttp.post(cluster.httpAddress(cluster.followerIds().get(0)), "/v1/internal/writes", "{}");
        assertThat(onFollower.status()).as(onFollower.body()).isEqualTo(503);
        assertThat(onFollower.json().get("error").asText()).isEqualTo("not_leader");
        Response garbage = TestHttp.post(cluster.httpAddress(cluster.leaderId()), "/v1/internal/writes", "{}");
        assertThat(garbage.status()).as(garbage.body()).isEqualTo(400);
        assertThat(garbage.json().get("error").asText()).isEqualTo("invalid_batch");
    }

    @Test
    void deregistrationSentToFollowerDisappearsFromEveryNode() {
        String leader = cluster.leaderId();
        String follower = cluster.followerIds().get(1);
        assertThat(TestHttp.put(cluster.httpAddress(leader), "/v1/services/orders/instances/o-1",
                instanceBody("10.0.0.6", 9000)).status()).isEqualTo(200);
        Response delete = TestHttp.delete(cluster.httpAddress(follower), "/v1/services/orders/instances/o-1");
        assertThat(delete.status()).as(delete.body()).isEqualTo(200);
        long index = delete.json().get("index").asLong();

        for (String id : cluster.nodeIds()) {
            Response read = TestHttp.get(cluster.httpAddress(id), "/v1/services/orders/instances?consistency=linearizable");
            assertThat(read.json().get("instances")).isEmpty();
            assertThat(read.json().get("index").asLong()).isEqualTo(index);
        }
    }

    @Test
    void filtersSelectByHealthTagZoneAndMetadata() {
        String node = cluster.httpAddress(cluster.nodeIds().get(0));
        TestHttp.put(node, "/v1/services/search/instances/s-1",
                "{\"address\":\"10.1.0.1\",\"port\":80,\"tags\":[\"v1\",\"blue\"],\"zone\":\"a\",\"metadata\":{\"k\":\"x\"}}");
        TestHttp.put(node, "/v1/services/search/instances/s-2",
                "{\"address\":\"10.1.0.2\",\"port\":80,\"tags\":[\"v2\"],\"zone\":\"b\",\"status\":\"warning\"}");
        TestHttp.put(node, "/v1/services/search/instances/s-3",
                "{\"address\":\"10.1.0.3\",\"port\":80,\"tags\":[\"v2\"],\"zone\":\"b\",\"status\":\"critical\"}");

        assertThat(ids(node, "")).containsExactly("s-1", "s-2", "s-3");
        assertThat(ids(node, "&healthy=true")).containsExactly("s-1", "s-2");
        assertThat(ids(node, "&healthy=true&passing=true")).containsExactly("s-1");
        assertThat(ids(node, "&tag=v2")).containsExactly("s-2", "s-3");
        assertThat(ids(node, "&tag=v1&tag=blue")).containsExactly("s-1");
        assertThat(ids(node, "&zone=b&healthy=true")).containsExactly("s-2");
        assertThat(ids(node, "&meta.k=x")).containsExactly("s-1");

        Response services = TestHttp.get(node, "/v1/services");
        assertThat(services.status()).isEqualTo(200);
        assertThat(services.json().get("services").findValuesAsText("name")).contains("search");
    }

    private static java.util.List<String> ids(String node, String query) {
        Response r = TestHttp.get(node, "/v1/services/search/instances?consistency=stale" + query);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("instances").findValuesAsText("id");
    }

    @Test
    void clusterAndHealthDescribeTheGroup() {
        String leader = cluster.leaderId();
        for (String id : cluster.nodeIds()) {
            Response info = TestHttp.get(cluster.httpAddress(id), "/v1/cluster");
            assertThat(info.status()).isEqualTo(200);
            assertThat(info.json().get("leader").asText()).isEqualTo(leader);
            assertThat(info.json().get("members")).hasSize(3);
            assertThat(info.json().get("members").findValuesAsText("httpAddress"))
                    .containsExactlyInAnyOrderElementsOf(cluster.httpAddresses());
            Response health = Await.value(Duration.ofSeconds(10), "node ready", () -> {
                Response h = TestHttp.get(cluster.httpAddress(id), "/v1/health");
                return h.status() == 200 ? h : null;
            });
            assertThat(health.json().get("ready").asBoolean()).isTrue();
        }
    }

    @Test
    void metricsArePrometheusTextWithRaftProgressAndHeap() {
        Response metrics = TestHttp.get(cluster.httpAddress(cluster.leaderId()), "/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.header("Content-Type")).startsWith("text/plain");
        assertThat(metrics.body()).contains("registry_applied_index{", "registry_is_leader{", "registry_instances{",
                "jvm_memory_used_bytes{", "registry_write_batches_total{");
        assertThat(metrics.body()).containsPattern("registry_is_leader\\{node=\"n\\d\"\\} 1\\.0");
    }
}
