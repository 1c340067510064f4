package io.registry.node.testing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base for test classes whose tests share one three-node cluster, started once before the class and
 * closed after it. A test that stops nodes brings them back ({@link LocalCluster#restartStopped}).
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
