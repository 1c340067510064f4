package io.registry.node.raft;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WritersTest {
    private static final long W = Writers.WINDOW_NANOS;

    @Test
    void aLoneWriterIsNeverMissing() {
        Writers writers = new Writers(0);
        writers.submitted(1);
        int expected = writers.expected(10);
        assertThat(expected).isEqualTo(1);
        assertThat(writers.missing(expected)).isFalse();
    }

    @Test
    void writersJustAnsweredAreMissingUntilTheyWriteAgain() {
        Writers writers = new Writers(0);
        writers.submitted(64);
        writers.answered(30);
        int expected = writers.expected(1_000);
        assertThat(expected).isEqualTo(64);
        assertThat(writers.missing(expected)).isTrue();
        writers.submitted(29);
        assertThat(writers.missing(expected)).isTrue();
        writers.submitted(1);
        assertThat(writers.missing(expected)).isFalse();
    }

    @Test
    void aForwardedBatchCountsAsTheWritersBehindIt() {
        Writers writers = new Writers(0);
        writers.submitted(21);  // a follower's batch of 21 writes
        writers.submitted(1);
        assertThat(writers.expected(5)).isEqualTo(22);
    }

    @Test
    void writersThatWentAwayStopCountingAfterTwoWindows() {
        Writers writers = new Writers(0);
        writers.submitted(64);
        writers.answered(63);
        assertThat(writers.expected(1)).isEqualTo(64);
        assertThat(writers.expected(W + 1)).as("the previous window still counts").isEqualTo(64);
        assertThat(writers.expected(2 * W + 2)).isEqualTo(1);
    }

    @Test
    void aLongQuietSpellForgetsTheOldPeakAtOnce() {
        Writers writers = new Writers(0);
        writers.submitted(64);
        writers.answered(64);
        writers.submitted(1);
        assertThat(writers.expected(5 * W)).isEqualTo(1);
    }
}
