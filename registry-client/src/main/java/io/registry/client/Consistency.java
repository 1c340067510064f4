package io.registry.client;

import java.util.Locale;

/** Read consistency of a discovery query (DESIGN.md §5 "Read"). */
public enum Consistency {
    /** From the answering node's replica, however old. */
    STALE,
    /** From the answering node if it heard from the leader within maxStale, else 503 (and the next node). */
    DEFAULT,
    /** Confirmed with the leader (Raft ReadIndex) before answering. */
    LINEARIZABLE;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
