package io.registry.client;

import static io.registry.client.ClusterTests.ports;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.registry.api.Instance;
import io.registry.client.balance.Strategy;
import io.registry.node.testing.Await;
import io.registry.node.testing.LocalCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Cached discovery and client-side balancing against a real three-node cluster that stays whole. */
class DiscoveryClusterTest {
    private static final Duration CONVERGE = Duration.ofSeconds(5);
    private static LocalCluster cluster;
    private static long seed;

    @BeforeAll
    static void startCluster() {
        seed = ClusterTests.seed(DiscoveryClusterTest.class);
        cluster = LocalCluster.start(3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static RegistryClient client() {
        return ClusterTests.client(cluster.httpAddresses(), seed);
    }

    @Test
    void cachedViewConvergesAfterEveryChangeMadeThroughAnyNode() {
        Random random = new Random(seed);
        List<RegistryClient> writers = new ArrayList<>();
        cluster.httpAddresses().forEach(a -> writers.add(ClusterTests.client(List.of(a), seed)));
        try (RegistryClient watcher = client()) {
            ServiceView view = watcher.discover("orders");
            AtomicReference<Change> lastChange = new AtomicReference<>();
            view.onChange(lastChange::set);
            Map<String, Integer> expected = new TreeMap<>();
            for (int step = 0; step < 40; step++) {
                RegistryClient writer = writers.get(random.nextInt(writers.size()));
                if (expected.isEmpty() || random.nextInt(3) > 0) {
                    String id = "orders-" + random.nextInt(8);
                    writer.registerOnce("orders", id, Registrations.of("10.0.0.1", 1000 + step).build());
                    expected.put(id, 1000 + step);
                } else {
                    String id = new ArrayList<>(expected.keySet()).get(random.nextInt(expected.size()));
                    assertThat(writer.deregister("orders", id)).isPresent();
                    expected.remove(id);
                }
                int at = step;
                Await.until(CONVERGE, "the view after step " + step + " (seed " + seed + ")",
                        () -> ports(view.instances()).equals(expected)
                                && lastChange.get() != null && ports(lastChange.get().instances()).equals(expected),
                        () -> "step " + at + ": view " + ports(view.instances()) + ", expected " + expected);
            }
        } finally {
            writers.forEach(RegistryClient::close);
        }
    }

    @Test
    void roundRobinOverTheLiveViewIsExact() {
        try (RegistryClient client = client()) {
            registerAll(client, "rr", Map.of("rr-1", 100, "rr-2", 200, "rr-3", 700));
            Map<String, Integer> counts = choose(client, "rr", Strategy.ROUND_ROBIN, 3000);
            assertThat(counts).isEqualTo(Map.of("rr-1", 1000, "rr-2", 1000, "rr-3", 1000));
        }
    }

    @Test
    void weightedPicksOverTenThousandChoicesMatchWeightsWithinFivePercent() {
        try (RegistryClient client = ClusterTests.client(cluster.httpAddresses(), 20240611L)) {
            System.out.println("weighted picks use seed 20240611");
            Map<String, Integer> weights = Map.of("w-1", 100, "w-2", 300, "w-3", 600);
            registerAll(client, "weighted", weights);
            Map<String, Integer> counts = choose(client, "weighted", Strategy.WEIGHTED, 10_000);
            System.out.println("weighted picks: " + counts);
            weights.forEach((id, weight) -> assertThat(counts.get(id)).as("picks of %s in %s", id, counts)
                    .isBetween((int) (weight * 10 * 0.95), (int) (weight * 10 * 1.05)));
        }
    }

    @Test
    void leastOutstandingSendsFewCallsToAnInstanceThatAnswersSlowly() {
        try (RegistryClient client = client()) {
            registerAll(client, "lo", Map.of("lo-fast-1", 100, "lo-slow", 100, "lo-fast-2", 100));
            client.discover("lo");
            List<Call> slowInFlight = new ArrayList<>();
            Map<String, Integer> counts = new HashMap<>();
            int calls = 3000;
            for (int i = 0; i < calls; i++) {
                if (i % 20 == 0) { // the slow instance finishes one call per 20 calls to the fast ones
                    slowInFlight.forEach(Call::close);
                    slowInFlight.clear();
                }
                Call call = client.startCall("lo", Strategy.LEAST_OUTSTANDING);
                counts.merge(call.instance().id(), 1, Integer::sum);
                if (call.instance().id().equals("lo-slow")) {
                    slowInFlight.add(call);
                } else {
                    call.close();
                }
            }
            System.out.println("least-outstanding picks: " + counts);
            assertThat(counts.getOrDefault("lo-slow", 0)).isLessThan(calls / 10); // fair share: 1000
        }
    }

    @Test
    void chooseSkipsCriticalInstancesAndIsEmptyWithoutHealthyOnes() {
        try (RegistryClient client = client()) {
            client.registerOnce("sick", "sick-1", Registrations.of("10.0.0.1", 80)
                    .status(io.registry.api.Status.CRITICAL).build());
            ServiceView view = client.discover("sick");
            Await.until(CONVERGE, "the critical instance", () -> view.instances().size() == 1);
            assertThat(view.healthy()).isEmpty();
            assertThat(client.choose("sick")).isEmpty();
            client.registerOnce("sick", "sick-2", Registrations.of("10.0.0.2", 80).build());
            Await.until(CONVERGE, "the healthy instance", () -> view.healthy().size() == 1);
            assertThat(client.choose("sick").orElseThrow().id()).isEqualTo("sick-2");
        }
    }

    @Test
    void closingTheClientDeregistersTheInstancesItRegistered() {
        try (RegistryClient other = client()) {
            RegistryClient owner = client();
            owner.register("owned", "owned-1", Registrations.of("10.0.0.1", 80).build());
            owner.register("owned", "owned-2", Registrations.of("10.0.0.2", 80).build());
            ServiceView view = other.discover("owned");
            Await.until(CONVERGE, "both instances", () -> view.instances().size() == 2);
            owner.close();
            // another client's read: only a linearizable one is sure to see the owner's deregistrations at once
            assertThat(other.instances("owned", Query.all().consistency(Consistency.LINEARIZABLE)).instances()).isEmpty();
            Await.until(CONVERGE, "the view to empty", () -> view.instances().isEmpty());
        }
    }

    @Test
    void instanceQueriesApplyFilters() {
        try (RegistryClient client = client()) {
            client.registerOnce("filtered", "f-1", Registrations.of("10.0.0.1", 80).tag("v1").zone("a")
                    .meta("team", "core").build());
            client.registerOnce("filtered", "f-2", Registrations.of("10.0.0.2", 80).tag("v2").zone("b").build());
            client.registerOnce("filtered", "f-3", Registrations.of("10.0.0.3", 80).tag("v2").zone("a")
                    .status(io.registry.api.Status.CRITICAL).build());
            assertThat(ids(client.instances("filtered", Query.all().tag("v2")).instances())).containsExactly("f-2", "f-3");
            assertThat(ids(client.instances("filtered", Query.all().zone("a").healthy()).instances())).containsExactly("f-1");
            assertThat(ids(client.instances("filtered", Query.all().meta("team", "core")).instances())).containsExactly("f-1");
            assertThat(ids(client.instances("filtered", Query.all().consistency(Consistency.LINEARIZABLE)).instances()))
                    .containsExactly("f-1", "f-2", "f-3");
        }
    }

    @Test
    void serverSidePickReturnsAHealthyInstanceOrANoHealthyInstanceError() {
        try (RegistryClient client = client()) {
            assertThatThrownBy(() -> client.pick("unpickable", Strategy.ROUND_ROBIN))
                    .isInstanceOfSatisfying(RegistryException.class, e -> {
                        assertThat(e.status()).isEqualTo(503);
                        assertThat(e.code()).isEqualTo("no_healthy_instance");
                    });
            client.registerOnce("pickable", "p-1", Registrations.of("10.0.0.1", 80).build());
            assertThat(client.pick("pickable", Strategy.WEIGHTED).instance().id()).isEqualTo("p-1");
        }
    }

    @Test
    void aBlockingQueryReturnsOnTheNextChangeAndAtTheTimeoutWithTheSameIndex() throws Exception {
        try (RegistryClient client = client()) {
            client.registerOnce("blocking", "b-1", Registrations.of("10.0.0.1", 80).build());
            long index = client.instances("blocking").index();

            long start = System.nanoTime();
            var unchanged = client.instances("blocking", Query.all().blocking(index, Duration.ofMillis(500)));
            assertThat(unchanged.index()).isEqualTo(index);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(450));

            var changed = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> client.instances("blocking", Query.all().blocking(index, Duration.ofSeconds(30))));
            client.registerOnce("blocking", "b-2", Registrations.of("10.0.0.2", 80).build());
            var answer = changed.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(answer.index()).isGreaterThan(index);
            assertThat(ids(answer.instances())).containsExactly("b-1", "b-2");
        }
    }

    private static List<String> ids(List<Instance> instances) {
        return instances.stream().map(Instance::id).sorted().toList();
    }

    private static void registerAll(RegistryClient client, String service, Map<String, Integer> weights) {
        weights.forEach((id, w) -> client.registerOnce(service, id, Registrations.of("10.0.0.1", 8080).weight(w).build()));
        ServiceView view = client.discover(service);
        Await.until(CONVERGE, "all of " + service + " in the view", () -> view.healthy().size() == weights.size());
    }

    private static Map<String, Integer> choose(RegistryClient client, String service, Strategy strategy, int n) {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(client.choose(service, strategy).orElseThrow().id(), 1, Integer::sum);
        }
        return counts;
    }
}
