package io.registry.node.testing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base for test classes whose tests can share one three-node cluster (they do not stop nodes):
 * started once before the class, closed after it.
 */
public abstract class SharedCluster {
    protected static LocalCluster cluster;

    @BeforeAll
    static void startSharedCluster() {
        cluster = LocalCluster.start(3);
    }

    @AfterAll
    static void stopSharedCluster() {
        cluster.close();
    }
}
