package io.registry.statemachine.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.registry.api.Check;
import io.registry.api.Instance;
import io.registry.api.Status;
import io.registry.statemachine.Fixtures;
import io.registry.statemachine.Gen;
import io.registry.statemachine.command.Batch;
import io.registry.statemachine.command.Command;
import io.registry.statemachine.command.Entry;
import io.registry.statemachine.command.Expire;
import io.registry.statemachine.command.Register;
import io.registry.statemachine.command.SetStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

class RegistryStateProperties {

    @Provide
    Arbitrary<List<Entry>> histories() {
        return Gen.histories(40);
    }

    @Property(tries = 300)
    void replayingAHistoryTwiceGivesEqualStates(@ForAll("histories") List<Entry> history) {
        RegistryState first = Fixtures.replay(history);
        RegistryState second = Fixtures.replay(history);

        assertThat(second).isEqualTo(first).hasSameHashCodeAs(first);
        assertThat(second.digest()).isEqualTo(first.digest());
        assertThat(second.instances("pay")).isEqualTo(first.instances("pay"));
    }

    @Property(tries = 300)
    void applyKeepsItsInvariants(@ForAll("histories") List<Entry> history) {
        RegistryState state = new RegistryState();
        for (int i = 0; i < history.size(); i++) {
            Entry e = history.get(i);
            long before = state.registryIndex();
            state.apply(e.command(), i + 1, e.leaderTimeMillis());
            assertThat(state.registryIndex()).isIn(before, (long) i + 1);
            assertInvariants(state);
        }
    }

    private static void assertInvariants(RegistryState state) {
        int total = 0;
        long highest = 0;
        for (String service : state.indexedServices()) {
            long serviceIndex = state.serviceIndex(service);
            highest = Math.max(highest, serviceIndex);
            for (Instance i : state.instances(service)) {
                assertThat(i.service()).isEqualTo(service);
                assertThat(i.createIndex()).isPositive().isLessThanOrEqualTo(i.modifyIndex());
                assertThat(i.modifyIndex()).isLessThanOrEqualTo(serviceIndex);
                total++;
            }
        }
        assertThat(state.size()).isEqualTo(total);
        assertThat(state.registryIndex()).isEqualTo(highest).isLessThanOrEqualTo(state.lastIndex());
    }

    /**
     * Any top-level Expire or SetStatus whose observed index is not the instance's current modifyIndex
     * leaves the instance untouched. (Batch members are covered by the next property.)
     */
    @Property(tries = 500)
    void staleExpireOrSetStatusNeverTouchesANewerRegistration(@ForAll("histories") List<Entry> history) {
        RegistryState state = new RegistryState();
        boolean staleAgainstLiveInstance = false;
        for (int i = 0; i < history.size(); i++) {
            Entry e = history.get(i);
            Target target = Target.of(e.command());
            Optional<Instance> before = target == null ? Optional.empty() : state.instance(target.service, target.id);
            Result result = state.apply(e.command(), i + 1, e.leaderTimeMillis());
            if (target != null && !before.map(b -> b.modifyIndex() == target.observed).orElse(false)) {
                assertThat(result).isInstanceOf(Result.Ignored.class);
                assertThat(state.instance(target.service, target.id)).isEqualTo(before);
                staleAgainstLiveInstance |= before.isPresent();
            }
        }
        // Guards the generator: with too few collisions this property would pass without testing anything.
        Statistics.label("stale command met a live instance").collect(staleAgainstLiveInstance);
        Statistics.label("stale command met a live instance").coverage(
                checker -> checker.check(true).percentage(p -> p > 20));
    }

    /** What an Expire or SetStatus aims at; null for other commands. */
    private record Target(String service, String id, long observed) {
        static Target of(Command c) {
            if (c instanceof Expire x) {
                return new Target(x.service(), x.id(), x.observedModifyIndex());
            }
            if (c instanceof SetStatus s) {
                return new Target(s.service(), s.id(), s.observedModifyIndex());
            }
            return null;
        }
    }

    /** The sharpest form: register, then any number of stale Expire/SetStatus in one batch or alone. */
    @Property(tries = 300)
    void freshRegistrationSurvivesStaleLeaderCommands(@ForAll("histories") List<Entry> history,
                                                      @ForAll("staleCommands") List<Command> stale) {
        RegistryState state = Fixtures.replay(history);
        long fresh = state.lastIndex() + 1;
        state.apply(new Register(Fixtures.instance("pay", "a")), fresh, 1);
        Instance registered = state.instance("pay", "a").orElseThrow();

        List<Command> older = stale.stream().map(c -> olderThan(c, fresh)).toList();

        state.apply(new Batch(older), fresh + 1, 2);
        for (Command c : older) {
            state.apply(c, state.lastIndex() + 1, 3);
        }

        assertThat(state.instance("pay", "a")).contains(registered);
    }

    /** The same command, observing an index before {@code fresh}. */
    private static Command olderThan(Command c, long fresh) {
        if (c instanceof Expire x) {
            return new Expire(x.service(), x.id(), x.observedModifyIndex() % fresh);
        }
        SetStatus s = (SetStatus) c;
        return new SetStatus(s.service(), s.id(), s.status(), s.observedModifyIndex() % fresh);
    }

    @Provide
    Arbitrary<List<Command>> staleCommands() {
        Arbitrary<Long> older = Arbitraries.longs().between(0, 40);
        Arbitrary<Command> expire = older.map(o -> new Expire("pay", "a", o));
        Arbitrary<Command> status = Combinators.combine(Gen.statuses(), older)
                .as((s, o) -> new SetStatus("pay", "a", s, o));
        return Arbitraries.oneOf(expire, status).list().ofMaxSize(5);
    }

    @Provide
    Arbitrary<Instance> instances() {
        return Gen.anyInstances().filter(i -> i.service() != null && i.id() != null)
                .map(i -> i.withIndices(1, 2, i.registeredAt(), i.lastStatusChange()));
    }

    /** A digest that skipped a field would let replicas diverge in it unnoticed. */
    @Property(tries = 300)
    void digestAndEqualityNoticeEveryField(@ForAll("instances") Instance base,
                                           @ForAll @IntRange(max = 13) int field) {
        Instance changed = variant(base, field);

        RegistryState a = single(base);
        RegistryState b = single(changed);

        assertThat(changed).isNotEqualTo(base);
        assertThat(b).isNotEqualTo(a);
        assertThat(b.digest()).isNotEqualTo(a.digest());
        assertThat(single(base).digest()).isEqualTo(a.digest());
    }

    private static RegistryState single(Instance i) {
        return RegistryState.restorer(5, 5).service(i.service(), 5).instance(i).build();
    }

    private static Instance variant(Instance i, int field) {
        String service = field == 0 ? i.service() + "x" : i.service();
        String id = field == 1 ? i.id() + "x" : i.id();
        String address = field == 2 ? i.address() + "x" : i.address();
        int port = field == 3 ? i.port() + 1 : i.port();
        List<String> tags = field == 4 ? plus(i.tags(), "x") : i.tags();
        Map<String, String> meta = i.metadata();
        if (field == 5) {
            meta = new HashMap<>(meta);
            meta.merge("k", "v", (old, v) -> old + v);
        }
        int weight = field == 6 ? i.weight() + 1 : i.weight();
        String zone = field == 7 ? (i.zone() == null ? "z" : null) : i.zone();
        Check check = field == 8 ? (Check.none().equals(i.check()) ? null : Check.none()) : i.check();
        Status status = field == 9 ? (i.status() == Status.PASSING ? Status.CRITICAL : Status.PASSING) : i.status();
        long create = field == 10 ? 2 : 1;
        long modify = field == 11 ? 3 : 2;
        long registered = field == 12 ? i.registeredAt() + 1 : i.registeredAt();
        long statusChanged = field == 13 ? i.lastStatusChange() + 1 : i.lastStatusChange();
        return new Instance(service, id, address, port, tags, meta, weight, zone, check, status, create, modify,
                registered, statusChanged);
    }

    private static List<String> plus(List<String> list, String more) {
        List<String> copy = new ArrayList<>(list);
        copy.add(more);
        return copy;
    }
}
