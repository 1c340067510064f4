package io.registry.client;

import io.registry.api.Responses;

/**
 * Receives a service's full instance list from a {@link Watch}: once on every (re)connect and once per
 * change. Calls for one watch never overlap; they run on the HTTP client's threads, so keep them short.
 */
public interface WatchListener {
    /** The full list as {@code node} sent it. */
    void onInstances(Responses.Instances instances, String node);

    /** A stream to {@code node} opened; the next {@link #onInstances} is that node's full list. */
    default void onConnected(String node) {
    }

    /** The stream to {@code node} ended; the watch reconnects to the next node after a short backoff. */
    default void onDisconnected(String node, String reason) {
    }
}
