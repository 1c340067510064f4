package io.registry.client.balance;

import io.registry.api.Instance;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/** Uniformly at random. */
public final class RandomChooser implements Chooser {
    private final Random random;

    public RandomChooser(Random random) {
        this.random = random;
    }

    @Override
    public Optional<Instance> choose(List<Instance> candidates) {
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(candidates.get(random.nextInt(candidates.size())));
    }
}
