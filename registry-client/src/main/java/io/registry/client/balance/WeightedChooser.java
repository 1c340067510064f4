package io.registry.client.balance;

import io.registry.api.Instance;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/** At random, each candidate with probability weight / total weight. Weights below 1 count as 1. */
public final class WeightedChooser implements Chooser {
    private final Random random;

    public WeightedChooser(Random random) {
        this.random = random;
    }

    @Override
    public Optional<Instance> choose(List<Instance> candidates) {
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        long total = 0;
        for (Instance i : candidates) {
            total += weight(i);
        }
        long point = (long) (random.nextDouble() * total);
        for (Instance i : candidates) {
            point -= weight(i);
            if (point < 0) {
                return Optional.of(i);
            }
        }
        return Optional.of(candidates.get(candidates.size() - 1));
    }

    private static int weight(Instance i) {
        return Math.max(1, i.weight());
    }
}
