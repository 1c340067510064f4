package io.registry.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.registry.node.config.Peer;
import io.registry.node.testing.Await;
import io.registry.node.testing.LocalCluster;
import io.registry.node.testing.TestHttp;
import io.registry.node.testing.TestHttp.Response;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SnapshotInstallTest {

    @Test
    void fourthNodeAddedAfterLogPurgeInstallsSnapshotAndServesEverything() throws Exception {
        // A low threshold makes the leader snapshot and purge its log, so the new node cannot replay it.
        try (LocalCluster cluster = LocalCluster.start(3, c -> c.withSnapshotThreshold(200))) {
            String leader = cluster.httpAddress(cluster.leaderId());
            registerConcurrently(leader, 1000);
            Response snap = TestHttp.post(leader, "/v1/cluster/snapshot", null);
            assertThat(snap.status()).as(snap.body()).isEqualTo(200);

            Peer n4 = cluster.startJoining("n4");
            Response add = TestHttp.post(leader, "/v1/cluster/members", "{\"id\":\"n4\",\"raftAddress\":\""
                    + n4.raftAddress() + "\",\"httpAddress\":\"" + n4.httpAddress() + "\"}");
            assertThat(add.status()).as(add.body()).isEqualTo(200);
            assertThat(add.json().get("members")).hasSize(4);

            Response read = Await.value(Duration.ofSeconds(60), "n4 serving all 1000 instances", () -> {
                Response r = TestHttp.get(n4.httpAddress(), "/v1/services/bulk/instances?consistency=stale");
                return r.status() == 200 && r.json().get("instances").size() == 1000 ? r : null;
            });
            assertThat(read.json().get("instances").get(0).get("createIndex").asLong()).isPositive();
            assertThat(snapshotFiles(cluster, "n4")).as("n4 installed a snapshot").isPositive();
            cluster.awaitConverged();
            assertThat(cluster.node("n4").digest()).isEqualTo(cluster.node(cluster.leaderId()).digest());
        }
    }

    @Test
    void automaticSnapshotsAreWrittenInTheBackgroundAndEveryNodeRestartsFromThem() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, c -> c.withSnapshotThreshold(100))) {
            String leader = cluster.httpAddress(cluster.leaderId());
            registerConcurrently(leader, 1000);
            cluster.awaitConverged();
            for (String id : cluster.nodeIds()) {
                Await.until(Duration.ofSeconds(30), id + " wrote a snapshot of its own",
                        () -> snapshotFiles(cluster, id) > 0);
            }
            long digest = cluster.node(cluster.leaderId()).digest();

            for (String id : cluster.nodeIds()) {
                cluster.stop(id);
            }
            cluster.restartStopped(cluster.nodeIds());
            cluster.awaitConverged();
            assertThat(cluster.node(cluster.leaderId()).digest()).as("the same state after a full restart").isEqualTo(digest);
            Response read = TestHttp.get(cluster.httpAddress(cluster.leaderId()), "/v1/services/bulk/instances");
            assertThat(read.json().get("instances")).hasSize(1000);
        }
    }

    private static void registerConcurrently(String node, int count) {
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<CompletableFuture<Void>> done = IntStream.range(0, writers).mapToObj(w -> CompletableFuture.runAsync(() -> {
                for (int i = w; i < count; i += writers) {
                    Response r = TestHttp.put(node, "/v1/services/bulk/instances/b-" + i,
                            TestHttp.instanceBody("10.2." + (i / 250) + "." + (i % 250 + 1), 7000));
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                }
            }, pool)).toList();
            done.forEach(CompletableFuture::join);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long snapshotFiles(LocalCluster cluster, String id) {
        return cluster.filesOf(id, name -> name.startsWith("snapshot.") && !name.endsWith(".md5") && !name.endsWith(".tmp"));
    }
}
