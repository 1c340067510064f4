package io.registry.node;

import static io.registry.node.testing.TestHttp.instanceBody;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.registry.api.Json;
import io.registry.node.testing.Await;
import io.registry.node.testing.SharedCluster;
import io.registry.node.testing.TestHttp;
import io.registry.node.testing.TestHttp.Response;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Blocking queries, server-sent-event watches and server-side picks, across nodes. */
class DiscoveryTest extends SharedCluster {

    @Test
    void concurrentLinearizableReadsOnAFollowerSeeEveryWriteAcknowledgedBeforeTheyBegan() throws Exception {
        String writer = cluster.httpAddress(cluster.leaderId());
        String reader = cluster.httpAddress(cluster.followerIds().get(0));
        java.util.concurrent.atomic.AtomicInteger acked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.List<String> violations = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(9);
        try {
            java.util.concurrent.Future<?> writes = pool.submit(() -> {
                for (int i = 0; i < 60; i++) {
                    Response r = TestHttp.put(writer, "/v1/services/lin/instances/l-" + i, instanceBody("10.0.0.9", 80));
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                    acked.set(i + 1);
                }
                writing.set(false);
            });
            List<java.util.concurrent.Future<Integer>> readers = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                readers.add(pool.submit(() -> {
                    int reads = 0;
                    while (writing.get()) {
                        int floor = acked.get();   // every l-k with k < floor was acknowledged before this read
                        Response r = TestHttp.get(reader, "/v1/services/lin/instances?consistency=linearizable");
                        if (r.status() != 200) {
                            violations.add("read answered " + r.status() + " " + r.body());
                            continue;
                        }
                        java.util.Set<String> ids = new java.util.HashSet<>();
                        r.json().get("instances").forEach(i -> ids.add(i.get("id").asText()));
                        for (int k = 0; k < floor; k++) {
                            if (!ids.contains("l-" + k)) {
                                violations.add("l-" + k + " acknowledged before a read that did not see it");
                            }
                        }
                        reads++;
                    }
                    return reads;
                }));
            }
            writes.get(60, TimeUnit.SECONDS);
            int total = 0;
            for (var f : readers) {
                total += f.get(30, TimeUnit.SECONDS);
            }
            assertThat(violations).isEmpty();
            assertThat(total).as("reads overlapped the writes").isGreaterThan(60);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void blockingQueryReturnsWhenAnotherNodeCommitsAChange() {
        String reader = cluster.httpAddress(cluster.nodeIds().get(0));
        String writer = cluster.httpAddress(cluster.nodeIds().get(2));
        TestHttp.put(writer, "/v1/services/blocking/instances/b-1", instanceBody("10.0.0.1", 80));
        long index = Long.parseLong(TestHttp.get(reader, "/v1/services/blocking/instances?consistency=linearizable")
                .header("X-Registry-Index"));

        CompletableFuture<Response> blocked = CompletableFuture.supplyAsync(() ->
                TestHttp.get(reader, "/v1/services/blocking/instances?index=" + index + "&wait=10s"));
        Response put = TestHttp.put(writer, "/v1/services/blocking/instances/b-2", instanceBody("10.0.0.2", 80));
        Response answer = blocked.orTimeout(8, TimeUnit.SECONDS).join();
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("index").asLong()).isEqualTo(put.json().get("index").asLong());
        assertThat(answer.json().get("instances")).hasSize(2);
    }

    @Test
    void blockingQueryTimesOutWithTheSameIndex() {
        String node = cluster.httpAddress(cluster.nodeIds().get(1));
        TestHttp.put(node, "/v1/services/quiet/instances/q-1", instanceBody("10.0.0.1", 80));
        Response now = TestHttp.get(node, "/v1/services/quiet/instances");
        long index = now.json().get("index").asLong();
        long started = System.nanoTime();
        Response later = TestHttp.get(node, "/v1/services/quiet/instances?index=" + index + "&wait=300ms");
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(later.json().get("index").asLong()).isEqualTo(index);
        assertThat(tookMillis).isBetween(290L, 5_000L);
    }

    @Test
    void blockingQueryOnServicesWakesOnAnyChange() {
        String node = cluster.httpAddress(cluster.nodeIds().get(0));
        long index = TestHttp.get(node, "/v1/services").json().get("index").asLong();
        CompletableFuture<Response> blocked = CompletableFuture.supplyAsync(() ->
                TestHttp.get(node, "/v1/services?index=" + index + "&wait=10s"));
        TestHttp.put(cluster.httpAddress(cluster.nodeIds().get(1)), "/v1/services/brand-new/instances/x",
                instanceBody("10.0.0.9", 80));
        Response answer = blocked.orTimeout(8, TimeUnit.SECONDS).join();
        assertThat(answer.json().get("index").asLong()).isGreaterThan(index);
        assertThat(answer.json().get("services").findValuesAsText("name")).contains("brand-new");
    }

    @Test
    void watchStreamSendsTheFullListOnConnectAndOnEveryChange() throws Exception {
        String watcher = cluster.httpAddress(cluster.nodeIds().get(0));
        String writer = cluster.httpAddress(cluster.nodeIds().get(1));
        TestHttp.put(writer, "/v1/services/watched/instances/w-1", instanceBody("10.0.0.1", 80));
        Await.until(Duration.ofSeconds(5), "watcher node has w-1", () -> TestHttp.get(watcher,
                "/v1/services/watched/instances?consistency=stale").json().get("instances").size() == 1);

        LinkedBlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        HttpResponse<InputStream> stream = watch(watcher, "watched", events);
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        try {
            JsonNode first = events.poll(5, TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            assertThat(first.get("instances").findValuesAsText("id")).containsExactly("w-1");

            TestHttp.put(writer, "/v1/services/watched/instances/w-2", instanceBody("10.0.0.2", 80));
            JsonNode second = events.poll(5, TimeUnit.SECONDS);
            assertThat(second.get("instances").findValuesAsText("id")).containsExactly("w-1", "w-2");

            Response delete = TestHttp.delete(writer, "/v1/services/watched/instances/w-1");
            JsonNode third = events.poll(5, TimeUnit.SECONDS);
            assertThat(third.get("instances").findValuesAsText("id")).containsExactly("w-2");
            assertThat(third.get("index").asLong()).isEqualTo(delete.json().get("index").asLong());
        } finally {
            stream.body().close();
        }
    }

    @Test
    void aWatchOpenedRightAfterAWriteOnTheSameFollowerStartsWithThatWrite() throws Exception {
        // The follower answers the write before it has applied the entry itself; the stream's first event
        // must still hold it, as a read from that node would.
        String follower = cluster.httpAddress(cluster.followerIds().get(0));
        for (int i = 0; i < 20; i++) {
            String service = "fresh-" + i;
            assertThat(TestHttp.put(follower, "/v1/services/" + service + "/instances/f-" + i,
                    instanceBody("10.0.1." + (i + 1), 80)).status()).isEqualTo(200);
            LinkedBlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
            HttpResponse<InputStream> stream = watch(follower, service, events);
            try {
                JsonNode first = events.poll(5, TimeUnit.SECONDS);
                assertThat(first).isNotNull();
                assertThat(first.get("instances").findValuesAsText("id")).as("first event of %s", service)
                        .containsExactly("f-" + i);
            } finally {
                stream.body().close();
            }
        }
    }

    /** Opens the service's event stream on {@code node}; a daemon thread puts each event's data in {@code events}. */
    private static HttpResponse<InputStream> watch(String node, String service, LinkedBlockingQueue<JsonNode> events)
            throws Exception {
        HttpResponse<InputStream> stream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://" + node + "/v1/watch/services/" + service)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        Thread readerThread = new Thread(() -> readEvents(stream.body(), events));
        readerThread.setDaemon(true);
        readerThread.start();
        return stream;
    }

    private static void readEvents(InputStream in, LinkedBlockingQueue<JsonNode> events) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    events.add(Json.lenient().readTree(line.substring(6)));
                }
            }
        } catch (Exception closed) {
            // the test closed the stream
        }
    }

    @Test
    void pickChoosesOnlyHealthyInstancesByStrategy() {
        String node = cluster.httpAddress(cluster.nodeIds().get(2));
        TestHttp.put(node, "/v1/services/picky/instances/a", "{\"address\":\"10.0.0.1\",\"port\":80,\"weight\":300}");
        TestHttp.put(node, "/v1/services/picky/instances/b", "{\"address\":\"10.0.0.2\",\"port\":80,\"weight\":100}");
        TestHttp.put(node, "/v1/services/picky/instances/c",
                "{\"address\":\"10.0.0.3\",\"port\":80,\"status\":\"critical\"}");

        List<String> roundRobin = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            roundRobin.add(TestHttp.get(node, "/v1/services/picky/pick?strategy=round-robin")
                    .json().get("instance").get("id").asText());
        }
        assertThat(roundRobin).containsOnly("a", "b");
        assertThat(roundRobin.subList(0, 2)).doesNotHaveDuplicates();
        assertThat(roundRobin.subList(2, 4)).isEqualTo(roundRobin.subList(0, 2));

        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            counts.merge(TestHttp.get(node, "/v1/services/picky/pick?strategy=weighted")
                    .json().get("instance").get("id").asText(), 1, Integer::sum);
        }
        assertThat(counts).doesNotContainKey("c");
        assertThat(counts.get("a")).isBetween(240, 360); // 75% of 400, generous bounds

        Response none = TestHttp.get(node, "/v1/services/nobody/pick");
        assertThat(none.status()).isEqualTo(503);
        assertThat(none.json().get("error").asText()).isEqualTo("no_healthy_instance");
        Response bad = TestHttp.get(node, "/v1/services/picky/pick?strategy=fastest");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("error").asText()).isEqualTo("invalid_strategy");
    }
}
