package io.registry.client.balance;

import io.registry.api.Instance;
import java.util.List;
import java.util.Optional;

/**
 * Picks one instance out of candidates (healthy instances in a stable order, sorted by id). Implementations
 * are thread-safe; a chooser may keep state across calls (round-robin keeps a cursor).
 */
public interface Chooser {
    Optional<Instance> choose(List<Instance> candidates);
}
