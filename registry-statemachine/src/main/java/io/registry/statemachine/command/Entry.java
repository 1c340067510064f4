package io.registry.statemachine.command;

/** What one Raft log entry holds: a command and the time the leader stamped on it (epoch millis). */
public record Entry(long leaderTimeMillis, Command command) {
}
