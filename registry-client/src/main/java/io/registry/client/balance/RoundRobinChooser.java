package io.registry.client.balance;

import io.registry.api.Instance;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** Each candidate in turn, by a shared cursor; exact as long as the candidate list does not change. */
public final class RoundRobinChooser implements Chooser {
    private final AtomicLong cursor = new AtomicLong();

    @Override
    public Optional<Instance> choose(List<Instance> candidates) {
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        int index = (int) Math.floorMod(cursor.getAndIncrement(), (long) candidates.size());
        return Optional.of(candidates.get(index));
    }
}
