package io.registry.client.balance;

import java.util.Locale;
import java.util.Random;

/** The client-side load-balancing strategies, named as on the wire ({@code round-robin}, ...). */
public enum Strategy {
    /** Each healthy instance in turn; over k·n calls each of n instances is chosen exactly k times. */
    ROUND_ROBIN,
    /** Uniformly at random. */
    RANDOM,
    /** At random, in proportion to each instance's weight. */
    WEIGHTED,
    /** Power of two choices: of two random instances, the one with fewer calls in flight. */
    LEAST_OUTSTANDING;

    public String wire() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Strategy parse(String text) {
        for (Strategy s : values()) {
            if (s.wire().equals(text)) {
                return s;
            }
        }
        throw new IllegalArgumentException("strategy '" + text
                + "' is unknown: use round-robin, random, weighted or least-outstanding");
    }

    /** A new chooser of this strategy; {@code random} is shared and thread-safe, seed it to replay choices. */
    public Chooser newChooser(Random random, Outstanding outstanding) {
        return switch (this) {
            case ROUND_ROBIN -> new RoundRobinChooser();
            case RANDOM -> new RandomChooser(random);
            case WEIGHTED -> new WeightedChooser(random);
            case LEAST_OUTSTANDING -> new LeastOutstandingChooser(random, outstanding);
        };
    }
}
