package io.registry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.registry.api.Instance;
import io.registry.api.Registration;
import io.registry.node.testing.Await;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's failover, heartbeat and watch mechanics against {@link FakeCluster}, where faults can be
 * placed exactly. The same behaviours are checked against a real Raft cluster in the *ClusterTest classes.
 */
class ClientMechanicsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private FakeCluster cluster;
    private final List<RegistryClient> clients = new ArrayList<>();

    @BeforeEach
    void startCluster() throws IOException {
        cluster = FakeCluster.start(3);
    }

    @AfterEach
    void stopEverything() {
        clients.forEach(RegistryClient::close);
        cluster.close();
    }

    private RegistryClient client(List<String> nodes) {
        RegistryClient c = RegistryClient.builder().nodes(nodes).retryBudget(Duration.ofSeconds(2))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).watchIdleTimeout(Duration.ofSeconds(5))
                .seed(1).build();
        clients.add(c);
        return c;
    }

    private static String closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    private static Registration web(int port) {
        return Registrations.of("10.0.0.1", port).build();
    }

    @Test
    void failsOverToTheNextNodeWhenTheFirstRefusesConnections() throws IOException {
        String dead = closedPort();
        RegistryClient client = client(List.of(dead, cluster.nodes.get(1).address()));
        client.registerOnce("web", "w1", web(80));
        assertThat(client.instances("web").instances()).extracting(Instance::id).containsExactly("w1");
        assertThat(client.currentNode()).isEqualTo(cluster.nodes.get(1).address());
    }

    @Test
    void aNodeAnswering503IsSkipped() {
        cluster.nodes.get(0).unavailable = true;
        RegistryClient client = client(cluster.addresses());
        client.registerOnce("web", "w1", web(80));
        assertThat(client.currentNode()).isEqualTo(cluster.nodes.get(1).address());
        assertThat(cluster.nodes.get(0).requests.get()).isEqualTo(1);
    }

    @Test
    void a404IsFinalAndNotRetriedOnOtherNodes() {
        RegistryClient client = client(cluster.addresses());
        assertThat(client.deregister("web", "nobody")).isEmpty();
        assertThat(cluster.nodes.get(1).requests.get() + cluster.nodes.get(2).requests.get()).isZero();
    }

    @Test
    void givesUpWithinTheRetryBudgetWhenNoNodeAnswers() {
        cluster.nodes.forEach(n -> n.unavailable = true);
        RegistryClient client = client(cluster.addresses());
        long start = System.nanoTime();
        assertThatThrownBy(client::services)
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("no registry node could serve GET /v1/services")
                .hasMessageContaining("no_leader")
                .satisfies(e -> assertThat(((RegistryException) e).status()).isEqualTo(RegistryException.UNREACHABLE));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void invalidNamesAreRejectedBeforeAnyRequest() {
        RegistryClient client = client(cluster.addresses());
        assertThatThrownBy(() -> client.registerOnce("Bad_Name", "x", web(80)))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("invalid_service");
                });
        assertThat(cluster.nodes.get(0).requests.get()).isZero();
    }

    @Test
    void aTtlRegistrationHeartbeatsAtAThirdOfItsTtl() {
        RegistryClient client = client(cluster.addresses());
        long start = System.nanoTime();
        client.register("web", "w1", Registrations.of("10.0.0.1", 80).ttl(Duration.ofMillis(300)).build());
        Await.until(WAIT, "5 heartbeats", () -> FakeCluster.count(cluster.heartbeats, "w1") >= 5);
        // 5 heartbeats at 100 ms take at least 500 ms; at the ttl (300 ms) they would take 1.5 s
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(450), Duration.ofMillis(1400));
    }

    @Test
    void aHeartbeatAnswered404RegistersTheInstanceAgain() {
        RegistryClient client = client(cluster.addresses());
        ManagedRegistration handle = client.register("web", "w1",
                Registrations.of("10.0.0.1", 80).ttl(Duration.ofMillis(300)).build());
        cluster.forget("web", "w1");
        Await.until(WAIT, "re-registration", () -> handle.reRegistrations() >= 1
                && cluster.instances("web").stream().anyMatch(i -> i.id().equals("w1")));
        assertThat(FakeCluster.count(cluster.registrations, "w1")).isEqualTo(2);
    }

    @Test
    void closingTheHandleDeregistersAndStopsHeartbeats() {
        RegistryClient client = client(cluster.addresses());
        ManagedRegistration handle = client.register("web", "w1",
                Registrations.of("10.0.0.1", 80).ttl(Duration.ofMillis(150)).build());
        Await.until(WAIT, "a heartbeat", () -> FakeCluster.count(cluster.heartbeats, "w1") >= 1);
        handle.close();
        assertThat(cluster.instances("web")).isEmpty();
        int beats = FakeCluster.count(cluster.heartbeats, "w1");
        // For two heartbeat periods: none may come, and none may re-register.
        Await.holds(Duration.ofMillis(300), "no heartbeat and no registration after close", () ->
                FakeCluster.count(cluster.heartbeats, "w1") == beats && cluster.instances("web").isEmpty());
        assertThat(handle.isClosed()).isTrue();
    }

    @Test
    void closingTheClientDeregistersEveryManagedInstance() {
        RegistryClient client = client(cluster.addresses());
        client.register("web", "w1", web(80));
        client.register("api", "a1", web(81));
        client.registerOnce("web", "unmanaged", web(82));
        client.close();
        assertThat(cluster.instances("web")).extracting(Instance::id).containsExactly("unmanaged");
        assertThat(cluster.instances("api")).isEmpty();
    }

    @Test
    void discoveryConvergesAndListenersSeeEveryChangeInOrder() throws InterruptedException {
        RegistryClient client = client(cluster.addresses());
        cluster.put("web", "w1", web(80));
        ServiceView view = client.discover("web");
        assertThat(view.isLoaded()).isTrue();
        assertThat(view.instances()).extracting(Instance::id).containsExactly("w1");
        List<Change> changes = new CopyOnWriteArrayList<>();
        view.onChange(changes::add);
        cluster.put("web", "w2", web(81));
        cluster.forget("web", "w1");
        assertThat(view.await(s -> ids(s.instances()).equals(List.of("w2")), WAIT)).isTrue();
        Await.until(WAIT, "three changes", () -> changes.size() == 3, () -> changes);
        assertThat(changes.get(0).added()).extracting(Instance::id).containsExactly("w1");
        assertThat(changes.get(1).added()).extracting(Instance::id).containsExactly("w2");
        assertThat(changes.get(2).removed()).extracting(Instance::id).containsExactly("w1");
        assertThat(client.discover("web")).isSameAs(view);
    }

    @Test
    void theWatchMovesToTheNextNodeWhenItsNodeStops() throws InterruptedException {
        RegistryClient client = client(cluster.addresses());
        ServiceView view = client.discover("web");
        String first = view.connectedNode();
        FakeCluster.Node node = cluster.nodes.stream().filter(n -> n.address().equals(first)).findFirst().orElseThrow();
        node.stop();
        cluster.put("web", "w1", web(80));
        assertThat(view.await(s -> ids(s.instances()).equals(List.of("w1")), WAIT)).isTrue();
        Await.until(WAIT, "a new stream", () -> view.connectedNode() != null);
        assertThat(view.connectedNode()).isNotEqualTo(first);
    }

    @Test
    void aSilentStreamIsDroppedAfterTheIdleTimeoutAndTheNextNodeServes() throws InterruptedException {
        cluster.nodes.get(0).silentWatches = true;
        RegistryClient client = RegistryClient.builder().nodes(cluster.addresses()).discoverTimeout(Duration.ZERO)
                .watchIdleTimeout(Duration.ofMillis(300)).build();
        clients.add(client);
        cluster.put("web", "w1", web(80));
        ServiceView view = client.discover("web");
        assertThat(view.await(ServiceView.Snapshot::loaded, WAIT)).isTrue();
        assertThat(view.snapshot().node()).isNotEqualTo(cluster.nodes.get(0).address());
    }

    @Test
    void aLaggingNodesOlderListDoesNotRollTheViewBack() throws InterruptedException {
        RegistryClient client = client(cluster.addresses());
        cluster.put("web", "w1", web(80));
        cluster.put("web", "w2", web(81));
        ServiceView view = client.discover("web");
        long seen = view.index();
        String first = view.connectedNode();
        cluster.nodes.forEach(n -> n.lagBy = 1);
        cluster.nodes.stream().filter(n -> n.address().equals(first)).forEach(FakeCluster.Node::dropStreams);
        Await.until(WAIT, "a new stream", () -> view.connectedNode() != null && !view.connectedNode().equals(first));
        assertThat(view.index()).isEqualTo(seen);
        cluster.put("web", "w3", web(82)); // later events of the lagging node apply as usual
        assertThat(view.await(s -> s.instances().size() == 3, WAIT)).isTrue();
    }

    @Test
    void onAnUnreachableClusterOnlyTheFirstDiscoverWaits() throws IOException {
        RegistryClient client = RegistryClient.builder().nodes(closedPort()).discoverTimeout(Duration.ofMillis(500))
                .build();
        clients.add(client);
        long start = System.nanoTime();
        assertThat(client.discover("web").isLoaded()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(450));
        long again = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertThat(client.choose("web")).isEmpty();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - again)).isLessThan(Duration.ofMillis(200));
    }

    private static List<String> ids(List<Instance> instances) {
        return instances.stream().map(Instance::id).toList();
    }
}
