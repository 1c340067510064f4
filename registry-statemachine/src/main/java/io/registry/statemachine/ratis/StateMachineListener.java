package io.registry.statemachine.ratis;

import java.util.Map;
import java.util.Set;

/**
 * What the node hears from the state machine. Called on Ratis threads: implementations must return
 * quickly and hop to their own executor for anything slow (STYLE.md §7).
 */
public interface StateMachineListener {
    /**
     * Every log index this replica applied, with the instances it changed (registered, updated or gone):
     * service name to instance ids; empty when the entry changed nothing.
     */
    default void applied(long index, Map<String, Set<String>> changed) {
    }

    /**
     * The entry at {@code index} is committed and about to be applied (the first this replica hears of a
     * commit on its apply path). Called before {@link #applied}.
     */
    default void committed(long index) {
    }

    /** The whole state was replaced by a snapshot (at start, or installed from the leader). */
    default void reloaded(long index, Set<String> services) {
    }

    /** This node became leader and has committed an entry of its term: leader duties may start. */
    default void leaderReady() {
    }

    /** This node stopped being leader: leader duties stop. */
    default void notLeader() {
    }

    /** The group's leader is now {@code leaderId}. */
    default void leaderChanged(String leaderId) {
    }

    /** The Raft server is shutting down on its own (e.g. after a JVM pause past the close threshold). */
    default void serverShutdown() {
    }
}
