package io.registry.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.registry.api.Instance;
import io.registry.node.testing.Concurrently;
import io.registry.node.testing.SharedCluster;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Where a client sends its writes and reads, and that it reads its own writes on whichever node it reads from. */
class SessionClusterTest extends SharedCluster {
    private static long seed;

    @BeforeAll
    static void pickSeed() {
        seed = ClusterTests.seed(SessionClusterTest.class);
    }

    /** A client that reads from {@code readFrom} first and knows every node. */
    private static RegistryClient clientReadingFrom(String readFrom) {
        List<String> nodes = new ArrayList<>(List.of(cluster.httpAddress(readFrom)));
        cluster.nodeIds().stream().filter(id -> !id.equals(readFrom)).map(cluster::httpAddress).forEach(nodes::add);
        return ClusterTests.client(nodes, seed);
    }

    @Test
    void writesGoStraightToTheLeaderOnceItIsFoundWhileReadsStayOnTheirNode() {
        String follower = cluster.followerIds().get(0);
        try (RegistryClient client = clientReadingFrom(follower)) {
            client.services();   // names the leader, but not which of the client's addresses it has
            for (int i = 0; i < cluster.nodeIds().size() - 1; i++) {
                // each write to a node not heard from yet tells who that node is
                client.registerOnce("finding", "f-" + i, Registrations.of("10.6.1." + (i + 1), 80).build());
            }
            long[] before = forwardedByFollowers();
            int writes = 20;
            for (int i = 0; i < writes; i++) {
                client.registerOnce("routed", "r-" + i, Registrations.of("10.6.0." + (i + 1), 80).build());
                assertThat(client.instances("routed").instances()).hasSize(i + 1);
            }
            client.deregister("routed", "r-0");
            assertThat(client.instances("routed").instances()).hasSize(writes - 1);

            assertThat(forwardedByFollowers()).as("writes through the followers' batchers").isEqualTo(before);
            assertThat(client.currentNode()).as("where reads go").isEqualTo(cluster.httpAddress(follower));
        }
    }

    @Test
    void concurrentClientsReadTheirOwnWritesOnAFollowerThatDidNotAnswerThem() throws Exception {
        // The leader answers each write; the follower has not applied it yet unless the read names its index.
        int rounds = 30;
        Concurrently.run(8, c -> {
            String service = "own-" + c;
            try (RegistryClient client = clientReadingFrom(cluster.followerIds().get(c % 2))) {
                for (int i = 0; i < rounds; i++) {
                    client.registerOnce(service, "o-" + i, Registrations.of("10.7.0." + (i + 1), 80).build());
                    List<Instance> seen = client.instances(service).instances();
                    assertThat(seen).as("%s after writing o-%d, read on %s", service, i, client.currentNode())
                            .hasSize(i + 1);
                }
            }
        });
    }

    private static long[] forwardedByFollowers() {
        return cluster.followerIds().stream().mapToLong(id -> cluster.node(id).writeStats()[0]).toArray();
    }
}
