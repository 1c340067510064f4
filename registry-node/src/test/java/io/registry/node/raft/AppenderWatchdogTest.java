package io.registry.node.raft;

import static io.registry.node.raft.AppenderWatchdog.reconnect;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AppenderWatchdogTest {
    private static final long STALL = AppenderWatchdog.STALL.toMillis();
    private static final long NEVER = -1;

    @Test
    void aFollowerThatAnsweredWithinTheStallKeepsItsConnection() {
        assertThat(reconnect(0, NEVER)).isFalse();
        assertThat(reconnect(STALL - 1, NEVER)).isFalse();
    }

    @Test
    void aSilentFollowerGetsANewConnectionAndAnotherEveryStallWhileItStaysSilent() {
        assertThat(reconnect(STALL, NEVER)).isTrue();
        assertThat(reconnect(STALL + 1_000, 1_000)).as("just reconnected").isFalse();
        assertThat(reconnect(2 * STALL, STALL - 1)).isFalse();
        assertThat(reconnect(2 * STALL, STALL)).isTrue();
        assertThat(reconnect(60 * STALL, STALL)).as("a follower that stays down").isTrue();
    }
}
