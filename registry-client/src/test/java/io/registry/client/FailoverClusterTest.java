package io.registry.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.registry.api.Instance;
import io.registry.node.testing.Await;
import io.registry.node.testing.SharedCluster;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client and its cached views through node loss; each test brings the stopped node back. */
class FailoverClusterTest extends SharedCluster {
    private static final Duration CONVERGE = Duration.ofSeconds(10);
    private static long seed;

    @BeforeAll
    static void pickSeed() {
        seed = ClusterTests.seed(FailoverClusterTest.class);
    }

    @AfterEach
    void restartStoppedNodes() {
        cluster.restartStopped(cluster.nodeIds());
    }

    @Test
    void viewKeepsUpAfterTheNodeItStreamsFromStops() {
        try (RegistryClient client = ClusterTests.client(cluster.httpAddresses(), seed)) {
            client.registerOnce("survivor", "s-1", Registrations.of("10.0.0.1", 80).build());
            ServiceView view = client.discover("survivor");
            Await.until(CONVERGE, "s-1 in the view", () -> view.instances().size() == 1);
            String streamingFrom = view.connectedNode();
            assertThat(streamingFrom).isNotNull();
            cluster.stop(cluster.idServing(streamingFrom));

            client.registerOnce("survivor", "s-2", Registrations.of("10.0.0.2", 80).build());
            Await.until(CONVERGE, "s-2 in the view after losing " + streamingFrom,
                    () -> ids(view.instances()).equals(List.of("s-1", "s-2")), () -> ids(view.instances()));
            Await.until(CONVERGE, "a stream to another node",
                    () -> view.connectedNode() != null && !view.connectedNode().equals(streamingFrom));
        }
    }

    @Test
    void writesAndTheViewSurviveTheLeaderStopping() {
        try (RegistryClient client = ClusterTests.client(cluster.httpAddresses(), seed)) {
            ServiceView view = client.discover("through-election");
            String leader = cluster.leaderId();
            cluster.stop(leader);
            // the client retries 503s and refused connections on the other nodes while they elect
            client.registerOnce("through-election", "e-1", Registrations.of("10.0.0.1", 80).build());
            Await.until(CONVERGE, "e-1 in the view after the leader " + leader + " stopped",
                    () -> ids(view.instances()).equals(List.of("e-1")), () -> ids(view.instances()));
            assertThat(client.cluster().leader()).isNotEqualTo(leader);
        }
    }

    @Test
    void viewCatchesUpWithChangesMadeWhileItsNodeWasDown() {
        try (RegistryClient client = ClusterTests.client(cluster.httpAddresses(), seed);
             RegistryClient writer = ClusterTests.client(cluster.httpAddresses(), seed)) {
            ServiceView view = client.discover("catch-up");
            String streamingFrom = view.connectedNode();
            String stopped = cluster.idServing(streamingFrom);
            cluster.stop(stopped);
            for (int i = 1; i <= 5; i++) {
                writer.registerOnce("catch-up", "c-" + i, Registrations.of("10.0.0.1", 80 + i).build());
            }
            writer.deregister("catch-up", "c-3");
            Await.until(CONVERGE, "the four instances",
                    () -> ids(view.instances()).equals(List.of("c-1", "c-2", "c-4", "c-5")), () -> ids(view.instances()));
            cluster.start(stopped);
            cluster.awaitConverged();
            assertThat(ids(view.instances())).containsExactly("c-1", "c-2", "c-4", "c-5");
        }
    }

    private static List<String> ids(List<Instance> instances) {
        return instances.stream().map(Instance::id).sorted().toList();
    }
}
