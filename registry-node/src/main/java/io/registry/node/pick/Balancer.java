package io.registry.node.pick;

import io.registry.api.ApiException;
import io.registry.api.Instance;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Server-side load balancing for {@code GET /v1/services/{service}/pick}: one instance per call. */
public final class Balancer {
    public static final List<String> STRATEGIES = List.of("round-robin", "random", "weighted");

    private final ConcurrentHashMap<String, AtomicLong> turns = new ConcurrentHashMap<>();

    public Instance choose(String service, String strategy, List<Instance> candidates) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no candidates");
        }
        return switch (strategy) {
            case "round-robin" -> candidates.get((int) Math.floorMod(
                    turns.computeIfAbsent(service, s -> new AtomicLong()).getAndIncrement(), (long) candidates.size()));
            case "random" -> candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
            case "weighted" -> weighted(candidates);
            default -> throw ApiException.badRequest("invalid_strategy", "strategy '" + strategy
                    + "' is not known here: use one of " + String.join(", ", STRATEGIES)
                    + " (least-outstanding needs call tracking and lives in the Java client)");
        };
    }

    private static Instance weighted(List<Instance> candidates) {
        long total = 0;
        for (Instance i : candidates) {
            total += i.weight();
        }
        long ticket = ThreadLocalRandom.current().nextLong(total);
        for (Instance i : candidates) {
            ticket -= i.weight();
            if (ticket < 0) {
                return i;
            }
        }
        return candidates.get(candidates.size() - 1);
    }
}
