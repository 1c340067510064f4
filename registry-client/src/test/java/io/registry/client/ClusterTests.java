package io.registry.client;

import io.registry.api.Instance;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Helpers shared by the tests against a real {@code LocalCluster}. */
final class ClusterTests {
    private ClusterTests() {
    }

    /** A fresh seed per run unless -Dregistry.seed is given; printed so a failure can be replayed. */
    static long seed(Class<?> test) {
        long seed = Long.getLong("registry.seed", System.nanoTime());
        System.out.println(test.getSimpleName() + " seed " + seed + " (replay with -Dregistry.seed=" + seed + ")");
        return seed;
    }

    /**
     * A client with a generous retry budget: the cluster shares two cores with other test JVMs, and a
     * loaded Raft leader can take seconds to commit. Failover itself is tested with tight bounds in
     * ClientMechanicsTest.
     */
    static RegistryClient client(List<String> nodes, long seed) {
        return RegistryClient.builder().nodes(nodes).seed(seed).retryBudget(PATIENT).build();
    }

    static final java.time.Duration PATIENT = java.time.Duration.ofSeconds(30);

    /** id → port, the part of an instance list the tests compare. */
    static Map<String, Integer> ports(List<Instance> instances) {
        Map<String, Integer> m = new TreeMap<>();
        instances.forEach(i -> m.put(i.id(), i.port()));
        return m;
    }
}
