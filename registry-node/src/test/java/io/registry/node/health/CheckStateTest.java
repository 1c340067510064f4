package io.registry.node.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.registry.api.Status;
import org.junit.jupiter.api.Test;

class CheckStateTest {

    @Test
    void goesCriticalOnlyAfterFallFailuresInARow() {
        CheckState state = new CheckState(Status.PASSING);
        assertThat(state.observe(Status.CRITICAL, 1, 3)).isNull();
        assertThat(state.observe(Status.CRITICAL, 1, 3)).isNull();
        assertThat(state.observe(Status.CRITICAL, 1, 3)).isEqualTo(Status.CRITICAL);
    }

    @Test
    void aGoodProbeResetsTheFailureStreak() {
        CheckState state = new CheckState(Status.PASSING);
        state.observe(Status.CRITICAL, 1, 2);
        state.observe(Status.PASSING, 1, 2);
        assertThat(state.observe(Status.CRITICAL, 1, 2)).isNull();
        assertThat(state.observe(Status.CRITICAL, 1, 2)).isEqualTo(Status.CRITICAL);
    }

    @Test
    void risesAfterRiseSuccessesAndWarningIsItsOwnStatus() {
        CheckState state = new CheckState(Status.CRITICAL);
        assertThat(state.observe(Status.PASSING, 2, 3)).isNull();
        assertThat(state.observe(Status.PASSING, 2, 3)).isEqualTo(Status.PASSING);
        state.applied(Status.PASSING);
        assertThat(state.observe(Status.PASSING, 2, 3)).isNull();
        assertThat(state.observe(Status.WARNING, 1, 3)).isEqualTo(Status.WARNING);
    }
}
