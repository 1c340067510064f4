package io.registry.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.registry.api.Check;
import io.registry.api.Instance;
import io.registry.api.Status;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The checker itself, on hand-written histories: it must catch each kind of loss, and pass a clean one. */
class HistoryCheckerTest {
    private static final long MS = 1_000_000;

    private final History history = new History();

    @Test
    void cleanHistoryPasses() {
        register("w0-0", 0, 10, 5);
        register("w0-1", 20, 30, 6);
        deregister("w0-1", 40, 50, 7);
        read(60, 70, 7, "w0-0");

        HistoryChecker.Verdict v = HistoryChecker.check(history, List.of(instance("w0-0", 5)), 0, 100 * MS);

        assertThat(v.clean()).as(v.describe()).isTrue();
        assertThat(v.acknowledged()).isEqualTo(3);
        assertThat(v.lost()).isZero();
    }

    @Test
    void lostRegistrationIsCaught() {
        register("w0-0", 0, 10, 5);

        HistoryChecker.Verdict v = HistoryChecker.check(history, List.of(), -1, 100 * MS);

        assertThat(v.lost()).isEqualTo(1);
        assertThat(v.violations()).containsKey("an acknowledged registration is lost");
    }

    @Test
    void deregistrationThatComesBackIsCaught() {
        register("w0-0", 0, 10, 5);
        deregister("w0-0", 20, 30, 6);

        HistoryChecker.Verdict v = HistoryChecker.check(history, List.of(instance("w0-0", 5)), -1, 100 * MS);

        assertThat(v.lost()).isEqualTo(1);
        assertThat(v.violations()).containsKey("an acknowledged deregistration came back");
    }

    @Test
    void unknownOutcomesMayGoEitherWay() {
        history.add(new History.Write(History.Kind.REGISTER, "w0-0", "n1", 0, 10 * MS, History.Outcome.UNKNOWN, -1, "503"));
        register("w0-1", 0, 10, 5);
        history.add(new History.Write(History.Kind.DEREGISTER, "w0-1", "n1", 20 * MS, 30 * MS, History.Outcome.UNKNOWN, -1, "io"));

        HistoryChecker.Verdict v = HistoryChecker.check(history, List.of(instance("w0-0", 4)), -1, 100 * MS);

        assertThat(v.clean()).as(v.describe()).isTrue();
    }

    @Test
    void deregisteringAnUnknownRegistrationIsJudgedByTheDeregistration() {
        history.add(new History.Write(History.Kind.REGISTER, "w0-0", "n1", 0, 10 * MS, History.Outcome.UNKNOWN, -1, "io"));
        history.add(new History.Write(History.Kind.REGISTER, "w0-1", "n1", 0, 10 * MS, History.Outcome.UNKNOWN, -1, "io"));
        history.add(new History.Write(History.Kind.DEREGISTER, "w0-0", "n1", 20 * MS, 30 * MS, History.Outcome.NOT_FOUND, -1, "404"));
        deregister("w0-1", 20, 30, 7);

        HistoryChecker.Verdict v = HistoryChecker.check(history, List.of(instance("w0-1", 4)), -1, 100 * MS);

        assertThat(v.violations()).containsOnlyKeys("an acknowledged deregistration came back");
    }

    @Test
    void linearizableReadGoingBackIsCaught() {
        register("w0-0", 0, 10, 5);
        read(20, 30, 5, "w0-0");
        read(40, 50, 4);

        HistoryChecker.Verdict v = HistoryChecker.check(history, List.of(instance("w0-0", 5)), -1, 100 * MS);

        assertThat(v.violations()).containsKeys("a linearizable read went back in index",
                "a linearizable read missed an acknowledged registration");
    }

    @Test
    void overlappingReadsMayDisagree() {
        register("w0-0", 0, 10, 5);
        read(5, 30, 5, "w0-0");
        read(6, 40, 4);

        HistoryChecker.Verdict v = HistoryChecker.check(history, List.of(instance("w0-0", 5)), -1, 100 * MS);

        assertThat(v.clean()).as(v.describe()).isTrue();
    }

    @Test
    void unavailabilityIsTheLongestGapWithoutAnAcknowledgementAfterTheFault() {
        LongStream.of(10, 20, 1500, 1510).forEach(t -> register("w0-" + t, t - 5, t, t));

        long millis = HistoryChecker.unavailability(history.writes(), 15 * MS, 1600 * MS);

        assertThat(millis).isEqualTo(1480);
    }

    private void register(String id, long startMs, long endMs, long index) {
        history.add(new History.Write(History.Kind.REGISTER, id, "n1", startMs * MS, endMs * MS, History.Outcome.ACK, index, null));
    }

    private void deregister(String id, long startMs, long endMs, long index) {
        history.add(new History.Write(History.Kind.DEREGISTER, id, "n1", startMs * MS, endMs * MS, History.Outcome.ACK, index, null));
    }

    private void read(long startMs, long endMs, long index, String... ids) {
        long[] keys = java.util.Arrays.stream(ids).mapToLong(History::key).sorted().toArray();
        history.add(new History.Read("n2", "linearizable", startMs * MS, endMs * MS, 200, index, index, keys));
    }

    private static Instance instance(String id, long index) {
        return new Instance("chaos", id, "10.0.0.1", 80, List.of(), Map.of(), 100, null, Check.none(), Status.PASSING,
                index, index, 0, 0);
    }
}
