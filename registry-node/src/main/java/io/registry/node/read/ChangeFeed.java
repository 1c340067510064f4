package io.registry.node.read;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Who wants to hear that a service changed: blocking queries (once) and watch streams (until they
 * unsubscribe). Fed from the apply path; listeners run on {@code executor}, never on the apply thread.
 * Waiting is driven by our own apply notifications, not by Ratis's stale-read index waiting.
 */
public final class ChangeFeed {
    /** The key that hears about every change, for blocking queries on {@code /v1/services}. */
    public static final String ANY = "*";

    private final ConcurrentHashMap<String, Set<Runnable>> listeners = new ConcurrentHashMap<>();
    private final Executor executor;
    private final ScheduledExecutorService timer;

    public ChangeFeed(Executor executor, ScheduledExecutorService timer) {
        this.executor = executor;
        this.timer = timer;
    }

    /** Calls {@code listener} after every change of {@code key}; run the returned action to stop. */
    public Runnable subscribe(String key, Runnable listener) {
        listeners.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(listener);
        return () -> listeners.computeIfPresent(key, (k, set) -> {
            set.remove(listener);
            return set.isEmpty() ? null : set;
        });
    }

    /**
     * Completes at the first change of {@code key} after this call (true) or after {@code timeout}
     * (false). Subscribe before checking the index, so a change in between is never missed.
     */
    public CompletableFuture<Boolean> next(String key, Duration timeout) {
        CompletableFuture<Boolean> changed = new CompletableFuture<>();
        Runnable unsubscribe = subscribe(key, () -> changed.complete(true));
        var expiry = timer.schedule(() -> changed.complete(false), timeout.toMillis(), TimeUnit.MILLISECONDS);
        changed.whenComplete((r, e) -> {
            unsubscribe.run();
            expiry.cancel(false);
        });
        return changed;
    }

    /** Called after apply with the services it changed. */
    public void publish(Set<String> services) {
        if (services.isEmpty() || listeners.isEmpty()) {
            return;
        }
        executor.execute(() -> {
            for (String service : services) {
                notify(service);
            }
            notify(ANY);
        });
    }

    private void notify(String key) {
        Set<Runnable> set = listeners.get(key);
        if (set != null) {
            for (Runnable listener : set.toArray(new Runnable[0])) {
                listener.run();
            }
        }
    }

    public int subscribers() {
        return listeners.values().stream().mapToInt(Set::size).sum();
    }
}
