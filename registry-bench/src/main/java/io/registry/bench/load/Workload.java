package io.registry.bench.load;

/**
 * What a load run sends. Both methods are called on the connection's event loop, so they must be quick
 * and, with more than one client thread, thread-safe.
 */
public interface Workload {

    /** The next request for connection {@code conn} (to {@code host}), or null when it has no more work. */
    Request next(int conn, String host);

    /**
     * The outcome of a request: HTTP status, or 0 when the connection failed or the request timed out;
     * {@code index} is the X-Registry-Index header or -1.
     */
    default void done(int conn, Request request, int status, long index, long sentNanos, long endNanos) {
    }
}
