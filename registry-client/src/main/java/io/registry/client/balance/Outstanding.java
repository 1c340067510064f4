package io.registry.client.balance;

import io.registry.api.Instance;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Calls in flight per instance (by service and id), reported by callers when a call starts and ends. */
public final class Outstanding {
    private final ConcurrentHashMap<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    public void started(Instance instance) {
        counts.computeIfAbsent(key(instance), k -> new AtomicInteger()).incrementAndGet();
    }

    /** Ends a call; never goes below zero, so a stray extra report cannot skew the counts. */
    public void finished(Instance instance) {
        AtomicInteger count = counts.get(key(instance));
        if (count != null) {
            count.updateAndGet(c -> Math.max(0, c - 1));
        }
    }

    public int inFlight(Instance instance) {
        AtomicInteger count = counts.get(key(instance));
        return count == null ? 0 : count.get();
    }

    /** Drops the counter of an instance that left the registry, unless calls to it are still in flight. */
    public void forgetIfIdle(Instance instance) {
        counts.computeIfPresent(key(instance), (k, count) -> count.get() == 0 ? null : count);
    }

    private static String key(Instance instance) {
        return instance.service() + '/' + instance.id();
    }
}
