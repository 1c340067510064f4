package io.registry.client.balance;

import io.registry.api.Instance;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Power of two choices: draws two distinct candidates at random and takes the one with fewer calls in
 * flight (as reported to {@link Outstanding}), the first drawn on a tie. It avoids a slow instance without
 * the herding of always picking the global minimum.
 */
public final class LeastOutstandingChooser implements Chooser {
    private final Random random;
    private final Outstanding outstanding;

    public LeastOutstandingChooser(Random random, Outstanding outstanding) {
        this.random = random;
        this.outstanding = outstanding;
    }

    @Override
    public Optional<Instance> choose(List<Instance> candidates) {
        int n = candidates.size();
        if (n == 0) {
            return Optional.empty();
        }
        if (n == 1) {
            return Optional.of(candidates.get(0));
        }
        int first = random.nextInt(n);
        int second = random.nextInt(n - 1);
        if (second >= first) {
            second++;
        }
        Instance a = candidates.get(first);
        Instance b = candidates.get(second);
        return Optional.of(outstanding.inFlight(b) < outstanding.inFlight(a) ? b : a);
    }
}
