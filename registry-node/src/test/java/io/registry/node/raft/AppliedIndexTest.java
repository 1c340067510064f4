package io.registry.node.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AppliedIndexTest {
    private static final Duration LONG = Duration.ofMinutes(1);

    @Test
    void readsWaitUntilEveryAnsweredWriteIsApplied() {
        AppliedIndex index = new AppliedIndex(Runnable::run);
        index.advance(3);
        assertThat(index.awaitAnswered(LONG)).isCompleted();

        index.answered(5);
        index.answered(4);   // answers may come back out of order; the highest counts
        CompletableFuture<Long> read = index.awaitAnswered(LONG);
        assertThat(read).isNotDone();
        index.advance(4);
        assertThat(read).isNotDone();
        index.advance(5);
        assertThat(read).isCompletedWithValue(5L);
        assertThat(index.awaitAnswered(LONG)).isCompleted();
    }

    @Test
    void readsOfTheSameMomentShareOneWaiterAndANewerAnswerGetsItsOwn() {
        AppliedIndex index = new AppliedIndex(Runnable::run);
        index.answered(10);
        CompletableFuture<Long> first = index.awaitAnswered(LONG);
        assertThat(index.awaitAnswered(LONG)).isSameAs(first);

        index.answered(11);
        CompletableFuture<Long> later = index.awaitAnswered(LONG);
        assertThat(later).isNotSameAs(first);
        index.advance(10);
        assertThat(first).isCompleted();
        assertThat(later).isNotDone();
        index.advance(11);
        assertThat(later).isCompleted();
    }

    @Test
    void aBarrierThatTimedOutFailsAtOnceUntilANewerWriteIsAnswered() throws Exception {
        AppliedIndex index = new AppliedIndex(Runnable::run);
        index.answered(7);
        CompletableFuture<Long> read = index.awaitAnswered(Duration.ofMillis(20));
        assertThat(read).failsWithin(5, TimeUnit.SECONDS);

        // Cut off from the leader: the next reads are not held for the timeout again.
        assertThat(index.awaitAnswered(LONG)).isCompletedExceptionally();

        index.answered(8);
        CompletableFuture<Long> afterNewAnswer = index.awaitAnswered(LONG);
        assertThat(afterNewAnswer).isNotDone();
        index.advance(8);
        assertThat(afterNewAnswer).isCompleted();
        assertThat(index.awaitAnswered(LONG)).isCompleted();
    }

    @Test
    void aReadNamingAnIndexWaitsForItAndForTheWritesThisNodeAnswered() {
        AppliedIndex index = new AppliedIndex(Runnable::run);
        index.advance(3);
        assertThat(index.awaitAtLeast(2, LONG)).isCompleted();

        // An index from a write made on another node: this node never answered it.
        CompletableFuture<Long> elsewhere = index.awaitAtLeast(6, LONG);
        assertThat(elsewhere).isNotDone();
        index.advance(5);
        assertThat(elsewhere).isNotDone();
        index.advance(6);
        assertThat(elsewhere).isCompletedWithValue(6L);

        // A lower index than this node's own answered writes still waits for those.
        index.answered(9);
        CompletableFuture<Long> own = index.awaitAtLeast(4, LONG);
        assertThat(own).isNotDone();
        index.advance(9);
        assertThat(own).isCompleted();
    }

    @Test
    void aReadNamingAnIndexThisNodeDoesNotReachFailsAfterItsTimeoutAlone() {
        AppliedIndex index = new AppliedIndex(Runnable::run);
        CompletableFuture<Long> beyond = index.awaitAtLeast(1_000, Duration.ofMillis(20));
        assertThat(beyond).failsWithin(5, TimeUnit.SECONDS);
        assertThat(index.awaitAnswered(LONG)).as("reads without the index").isCompleted();
    }
}
