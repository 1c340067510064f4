package io.registry.api;

/** The HTTP headers of the v1 API (DESIGN.md §6), named once for the node and its clients. */
public final class Headers {
    /** On every write and read: the index that committed the write, or the index the read reflects. */
    public static final String INDEX = "X-Registry-Index";
    /** On every JSON answer: the id of the node that answered. */
    public static final String NODE = "X-Registry-Node";
    /** On every JSON answer while one is known: the id of the leader. */
    public static final String LEADER = "X-Registry-Leader";
    /** On reads: milliseconds since the answering node heard from the leader (-1: never). */
    public static final String LAST_CONTACT = "X-Registry-Last-Contact";
    /** On a read request: answer only once this index is applied (read-your-writes on any node). */
    public static final String MIN_INDEX = "X-Registry-Min-Index";

    private Headers() {
    }
}
