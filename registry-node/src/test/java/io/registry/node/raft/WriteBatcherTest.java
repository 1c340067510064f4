package io.registry.node.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.registry.node.testing.LocalCluster;
import io.registry.statemachine.command.Deregister;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WriteBatcherTest {

    /**
     * Group commit waits for the writers it saw lately (Writers). A client answered on one thread may write
     * again at once on another, so if the batcher counted its write answered only after the caller heard
     * it, the count of writers could exceed the real clients, and every batch would linger its full time.
     */
    @Test
    void aWriteCountsAsAnsweredBeforeItsCallerHearsTheAnswer() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(1)) {
            RaftNode raft = cluster.node(cluster.awaitLeader()).raft();
            try (WriteBatcher batcher = new WriteBatcher(raft, new AppliedIndex(Runnable::run),
                    WriteBatcher.Limits.DEFAULT)) {
                List<Integer> unansweredWhenHeard = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    batcher.submit(new Deregister("pay", "i-" + i))
                            .thenAccept(applied -> unansweredWhenHeard.add(batcher.unanswered()))
                            .get(10, TimeUnit.SECONDS);
                }
                assertThat(unansweredWhenHeard).containsExactly(0, 0, 0, 0, 0);
            }
        }
    }
}
