package io.registry.statemachine;

import io.registry.api.Check;
import io.registry.api.CheckType;
import io.registry.api.Instance;
import io.registry.api.Status;
import io.registry.statemachine.command.Batch;
import io.registry.statemachine.command.Command;
import io.registry.statemachine.command.Deregister;
import io.registry.statemachine.command.Entry;
import io.registry.statemachine.command.Expire;
import io.registry.statemachine.command.Register;
import io.registry.statemachine.command.SetStatus;
import io.registry.statemachine.core.RegistryState;
import io.registry.statemachine.core.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * jqwik generators. Names and indices come from tiny pools so commands collide: the same instance is
 * registered, expired and re-registered within one short history, and observed indices sometimes match.
 */
public final class Gen {
    private Gen() {
    }

    public static Arbitrary<String> services() {
        return Arbitraries.of("pay", "cart", "auth");
    }

    public static Arbitrary<String> ids() {
        return Arbitraries.of("a", "b", "c");
    }

    public static Arbitrary<Status> statuses() {
        return Arbitraries.of(Status.class);
    }

    /** Mostly valid instances, a few invalid (port 0) so Rejected results appear in histories. */
    public static Arbitrary<Instance> registrations() {
        Arbitrary<Integer> ports = Arbitraries.frequencyOf(
                Tuple.of(9, Arbitraries.integers().between(1, 65535)),
                Tuple.of(1, Arbitraries.just(0)));
        Arbitrary<List<String>> tags = Arbitraries.of("v1", "v2", "canary").list().uniqueElements().ofMaxSize(2);
        Arbitrary<Map<String, String>> meta = Arbitraries.maps(Arbitraries.of("team", "tier"),
                Arbitraries.of("core", "edge")).ofMaxSize(2);
        Arbitrary<Check> checks = Arbitraries.of(Check.none(), Check.ttl(Duration.ofSeconds(15)),
                new Check(CheckType.HTTP, null, "http://h/health", Duration.ofSeconds(10), Duration.ofSeconds(2),
                        null, 2, 3),
                new Check(CheckType.TCP, null, null, null, null, Duration.ofMinutes(2), null, null));
        return Combinators.combine(services(), ids(), Arbitraries.of("10.0.0.1", "10.0.0.2"), ports, tags, meta,
                        checks, statuses().injectNull(0.2))
                .as((s, id, address, port, t, m, check, status) -> new Instance(s, id, address, port, t, m, 100,
                        "zone-a", check, status, 0, 0, 0, 0));
    }

    /** Commands as the leader would propose them, with observed indices from a small range. */
    public static Arbitrary<Command> commands() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, simpleCommands()),
                Tuple.of(1, simpleCommands().list().ofMaxSize(4).map(Batch::new)),
                Tuple.of(1, Arbitraries.lazy(Gen::nestedBatches)));
    }

    public static Arbitrary<Command> simpleCommands() {
        // Negative values are resolved against the replayed state by resolveObserved; see there.
        Arbitrary<Long> observed = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.longs().between(0, 12)),
                Tuple.of(2, Arbitraries.longs().between(-3, -1)));
        return Arbitraries.frequencyOf(
                Tuple.of(4, registrations().map(Register::new)),
                Tuple.of(2, Combinators.combine(services(), ids()).as(Deregister::new)),
                Tuple.of(2, Combinators.combine(services(), ids(), observed).as(Expire::new)),
                Tuple.of(3, Combinators.combine(services(), ids(), statuses(), observed)
                        .as(SetStatus::new)));
    }

    private static Arbitrary<Command> nestedBatches() {
        return Combinators.combine(simpleCommands(), simpleCommands().list().ofMaxSize(2).map(Batch::new))
                .as((a, inner) -> new Batch(List.of(a, inner)));
    }

    /**
     * Histories to replay with indices 1, 2, 3, ... Leader times are random, not monotonic: apply must
     * not care. Observed indices are partly resolved against the state so far, so Expire and SetStatus
     * often match the live instance and often are just stale, the two cases worth testing.
     */
    public static Arbitrary<List<Entry>> histories(int maxSize) {
        return Combinators.combine(Arbitraries.longs().between(1_000, 2_000_000), commands())
                .as(Entry::new).list().ofMaxSize(maxSize).withSizeDistribution(RandomDistribution.uniform())
                .map(Gen::resolveObserved);
    }

    /**
     * Replace a negative observed index by one taken from the target instance before the entry applies:
     * -1 its modifyIndex (current), -2 its modifyIndex - 1 (stale), -3 its createIndex (stale once modified).
     */
    static List<Entry> resolveObserved(List<Entry> raw) {
        RegistryState scratch = new RegistryState();
        List<Entry> resolved = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            Entry e = raw.get(i);
            Entry r = new Entry(e.leaderTimeMillis(), resolve(scratch, e.command()));
            scratch.apply(r.command(), i + 1, r.leaderTimeMillis());
            resolved.add(r);
        }
        return resolved;
    }

    private static Command resolve(RegistryState state, Command c) {
        if (c instanceof Batch b) {
            return new Batch(b.commands().stream().map(inner -> resolve(state, inner)).toList());
        }
        if (c instanceof Expire x && x.observedModifyIndex() < 0) {
            return new Expire(x.service(), x.id(), observed(state, x.service(), x.id(), x.observedModifyIndex()));
        }
        if (c instanceof SetStatus s && s.observedModifyIndex() < 0) {
            return new SetStatus(s.service(), s.id(), s.status(),
                    observed(state, s.service(), s.id(), s.observedModifyIndex()));
        }
        return c;
    }

    private static long observed(RegistryState state, String service, String id, long hint) {
        return state.instance(service, id).map(i -> hint == -1 ? i.modifyIndex()
                : hint == -2 ? i.modifyIndex() - 1 : i.createIndex()).orElse(0L);
    }

    // ---- codec inputs: every field, every null, non-ASCII text --------------------------------------

    public static Arbitrary<String> text() {
        // Whole code points only: a lone surrogate is not text and UTF-8 cannot carry it.
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("abcxyz-_.:09").withChars("éß日本\u0000").ofMaxLength(12),
                Arbitraries.of("", "🙂", "a🙂b", "payments-api"));
    }

    public static Arbitrary<Duration> durations() {
        return Arbitraries.longs().between(0, 7L * 24 * 3600 * 1000).map(Duration::ofMillis);
    }

    public static Arbitrary<Check> anyChecks() {
        return Combinators.combine(Arbitraries.of(CheckType.class).injectNull(0.1), durations().injectNull(0.3),
                        text().injectNull(0.3), durations().injectNull(0.3), durations().injectNull(0.3),
                        durations().injectNull(0.3), Arbitraries.integers().injectNull(0.3),
                        Arbitraries.integers().injectNull(0.3))
                .as(Check::new);
    }

    /** Any Instance the record can hold, valid or not: the codec must carry what it is given. */
    public static Arbitrary<Instance> anyInstances() {
        Arbitrary<Map<String, String>> meta = Arbitraries.maps(text(), text()).ofMaxSize(4);
        Arbitrary<Instance> head = Combinators.combine(text().injectNull(0.05), text().injectNull(0.05),
                        text().injectNull(0.05), Arbitraries.integers(), text().list().ofMaxSize(3), meta,
                        Arbitraries.integers(), text().injectNull(0.3))
                .as((s, id, address, port, tags, m, weight, zone) -> new Instance(s, id, address, port, tags, m,
                        weight, zone, null, null, 0, 0, 0, 0));
        return Combinators.combine(head, anyChecks().injectNull(0.2), statuses().injectNull(0.1),
                        Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs())
                .as((i, check, status, c, m, r, l) -> new Instance(i.service(), i.id(), i.address(), i.port(),
                        i.tags(), i.metadata(), i.weight(), i.zone(), check, status, c, m, r, l));
    }

    /** Commands nested at most two batches deep, within what the codec accepts. */
    public static Arbitrary<Command> anyCommands() {
        return anyCommands(2);
    }

    private static Arbitrary<Command> anyCommands(int depth) {
        if (depth == 0) {
            return anySimpleCommand();
        }
        return Arbitraries.frequencyOf(Tuple.of(3, anySimpleCommand()),
                Tuple.of(1, Arbitraries.lazy(() -> anyCommands(depth - 1)).list().ofMaxSize(3).map(Batch::new)));
    }

    private static Arbitrary<Command> anySimpleCommand() {
        return Arbitraries.oneOf(anyInstances().map(Register::new),
                Combinators.combine(text().injectNull(0.1), text().injectNull(0.1)).as(Deregister::new),
                Combinators.combine(text(), text(), Arbitraries.longs()).as(Expire::new),
                Combinators.combine(text(), text(), statuses().injectNull(0.1), Arbitraries.longs())
                        .as(SetStatus::new));
    }

    public static Arbitrary<Entry> anyEntries() {
        return Combinators.combine(Arbitraries.longs(), anyCommands()).as(Entry::new);
    }

    public static Arbitrary<Result> anyResults() {
        return anyResults(2);
    }

    private static Arbitrary<Result> anyResults(int depth) {
        Arbitrary<Result> simple = Arbitraries.oneOf(
                anyInstances().map(Result.Stored::new),
                anyInstances().map(Result.Removed::new),
                Combinators.combine(text().injectNull(0.1), text().injectNull(0.1)).as(Result.Rejected::new),
                text().injectNull(0.1).map(Result.Ignored::new));
        if (depth == 0) {
            return simple;
        }
        Arbitrary<Result> batched = Arbitraries.lazy(() -> anyResults(depth - 1)).list().ofMaxSize(3)
                .map(Result.Batched::new);
        return Arbitraries.frequencyOf(Tuple.of(3, simple), Tuple.of(1, batched));
    }
}
