package io.registry.client.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.registry.api.Check;
import io.registry.api.Instance;
import io.registry.api.Status;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pure checks of the choosers; the same properties are checked against a live cluster in DiscoveryIT tests. */
class StrategyTest {
    /** Replay with -Dregistry.seed=N. */
    static long seed() {
        long seed = Long.getLong("registry.seed", 20240611L);
        System.out.println("seed " + seed + " (replay with -Dregistry.seed=" + seed + ")");
        return seed;
    }

    private Random random;
    private final Outstanding outstanding = new Outstanding();

    static Instance instance(String id, int weight) {
        return new Instance("svc", id, "10.0.0.1", 8080, List.of(), Map.of(), weight, null, Check.none(),
                Status.PASSING, 1, 1, 0, 0);
    }

    @BeforeEach
    void seedRandom() {
        random = new Random(seed());
    }

    @Test
    void roundRobinChoosesEachInstanceExactlyEqually() {
        List<Instance> candidates = List.of(instance("a", 1), instance("b", 500), instance("c", 1000));
        Chooser chooser = Strategy.ROUND_ROBIN.newChooser(random, outstanding);
        Map<String, Integer> counts = count(chooser, candidates, 3000);
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1000, "b", 1000, "c", 1000));
        assertThat(chooser.choose(candidates).orElseThrow().id()).isEqualTo("a");
    }

    @Test
    void weightedPicksMatchWeightsWithinFivePercentOverTenThousandChoices() {
        List<Instance> candidates = List.of(instance("a", 100), instance("b", 200), instance("c", 300),
                instance("d", 400));
        Map<String, Integer> counts = count(Strategy.WEIGHTED.newChooser(random, outstanding), candidates, 10_000);
        assertWithinFivePercent(counts, Map.of("a", 1000, "b", 2000, "c", 3000, "d", 4000));
    }

    @Test
    void randomPicksAreRoughlyUniform() {
        List<Instance> candidates = List.of(instance("a", 1), instance("b", 1000));
        Map<String, Integer> counts = count(Strategy.RANDOM.newChooser(random, outstanding), candidates, 10_000);
        assertWithinFivePercent(counts, Map.of("a", 5000, "b", 5000));
    }

    @Test
    void leastOutstandingAvoidsAnInstanceWhoseCallsStayInFlight() {
        List<Instance> candidates = List.of(instance("fast-1", 100), instance("slow", 100), instance("fast-2", 100));
        Chooser chooser = Strategy.LEAST_OUTSTANDING.newChooser(random, outstanding);
        int slowTicks = 20; // a call to "slow" ends 20 calls later; calls to the others end at once
        Deque<Integer> slowCallsEndAt = new ArrayDeque<>();
        Map<String, Integer> picks = new HashMap<>();
        int calls = 3000;
        for (int tick = 0; tick < calls; tick++) {
            while (!slowCallsEndAt.isEmpty() && slowCallsEndAt.peek() <= tick) {
                slowCallsEndAt.poll();
                outstanding.finished(candidates.get(1));
            }
            Instance chosen = chooser.choose(candidates).orElseThrow();
            picks.merge(chosen.id(), 1, Integer::sum);
            outstanding.started(chosen);
            if (chosen.id().equals("slow")) {
                slowCallsEndAt.add(tick + slowTicks);
            } else {
                outstanding.finished(chosen);
            }
        }
        System.out.println("least-outstanding picks: " + picks);
        // round-robin or random would send a third (1000) of the calls to it
        assertThat(picks.getOrDefault("slow", 0)).isLessThan(calls / 10);
    }

    @Test
    void leastOutstandingWithOneCandidateChoosesIt() {
        Chooser chooser = Strategy.LEAST_OUTSTANDING.newChooser(random, outstanding);
        assertThat(chooser.choose(List.of(instance("only", 1))).orElseThrow().id()).isEqualTo("only");
    }

    @Test
    void everyStrategyReturnsEmptyWithoutCandidates() {
        for (Strategy s : Strategy.values()) {
            assertThat(s.newChooser(random, outstanding).choose(List.of())).isEmpty();
        }
    }

    @Test
    void strategiesParseFromTheirWireNames() {
        for (Strategy s : Strategy.values()) {
            assertThat(Strategy.parse(s.wire())).isEqualTo(s);
        }
        assertThat(Strategy.LEAST_OUTSTANDING.wire()).isEqualTo("least-outstanding");
        assertThatThrownBy(() -> Strategy.parse("fastest")).hasMessageContaining("round-robin");
    }

    @Test
    void outstandingNeverGoesNegativeAndForgetsIdleInstances() {
        Instance a = instance("a", 1);
        outstanding.finished(a);
        assertThat(outstanding.inFlight(a)).isZero();
        outstanding.started(a);
        outstanding.forgetIfIdle(a);
        assertThat(outstanding.inFlight(a)).isEqualTo(1);
        outstanding.finished(a);
        outstanding.forgetIfIdle(a);
        assertThat(outstanding.inFlight(a)).isZero();
    }

    static Map<String, Integer> count(Chooser chooser, List<Instance> candidates, int n) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(chooser.choose(candidates).orElseThrow().id(), 1, Integer::sum);
        }
        return counts;
    }

    static void assertWithinFivePercent(Map<String, Integer> counts, Map<String, Integer> expected) {
        expected.forEach((id, want) -> assertThat(counts.getOrDefault(id, 0))
                .as("picks of %s (all: %s)", id, counts)
                .isBetween((int) Math.floor(want * 0.95), (int) Math.ceil(want * 1.05)));
    }
}
