package io.registry.statemachine.core;

import static io.registry.statemachine.Fixtures.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.registry.api.Check;
import io.registry.api.Instance;
import io.registry.api.Status;
import io.registry.statemachine.command.Batch;
import io.registry.statemachine.command.Command;
import io.registry.statemachine.command.Deregister;
import io.registry.statemachine.command.Expire;
import io.registry.statemachine.command.Register;
import io.registry.statemachine.command.SetStatus;
import io.registry.statemachine.core.Result.Batched;
import io.registry.statemachine.core.Result.Ignored;
import io.registry.statemachine.core.Result.Rejected;
import io.registry.statemachine.core.Result.Removed;
import io.registry.statemachine.core.Result.Stored;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RegistryStateTest {
    private final RegistryState state = new RegistryState();

    private Instance stored(Result r) {
        assertThat(r).isInstanceOf(Stored.class);
        return ((Stored) r).instance();
    }

    @Test
    void newRegistrationTakesIndexAndLeaderTime() {
        Instance i = stored(state.apply(new Register(instance("pay", "a")), 5, 1000));

        assertThat(i.createIndex()).isEqualTo(5);
        assertThat(i.modifyIndex()).isEqualTo(5);
        assertThat(i.registeredAt()).isEqualTo(1000);
        assertThat(i.lastStatusChange()).isEqualTo(1000);
        assertThat(state.instance("pay", "a")).contains(i);
        assertThat(state.registryIndex()).isEqualTo(5);
        assertThat(state.serviceIndex("pay")).isEqualTo(5);
        assertThat(state.size()).isEqualTo(1);
    }

    @Test
    void aCopyHasTheSameContentAndLaterAppliesDoNotReachIt() {
        state.apply(new Register(instance("pay", "a")), 1, 1000);
        state.apply(new Register(instance("pay", "b")), 2, 1000);
        state.apply(new Register(instance("web", "c")), 3, 1000);
        state.apply(new Deregister("web", "c"), 4, 1000);

        RegistryState copy = state.copy();
        assertThat(copy).isEqualTo(state);
        assertThat(copy.digest()).isEqualTo(state.digest());
        assertThat(copy.serviceIndex("web")).as("an emptied service keeps its index").isEqualTo(4);

        state.apply(new Register(instance("pay", "d")), 5, 2000);
        state.apply(new Deregister("pay", "a"), 6, 2000);
        assertThat(copy.instance("pay", "a")).isPresent();
        assertThat(copy.instance("pay", "d")).isEmpty();
        assertThat(copy.size()).isEqualTo(2);
        assertThat(copy.registryIndex()).isEqualTo(4);
        assertThat(copy.lastIndex()).isEqualTo(4);
    }

    @Test
    void registrationIgnoresIndicesAndTimesItCarries() {
        Instance forged = instance("pay", "a").withIndices(99, 99, 12345, 12345);

        Instance i = stored(state.apply(new Register(forged), 3, 700));

        assertThat(List.of(i.createIndex(), i.modifyIndex(), i.registeredAt(), i.lastStatusChange()))
                .containsExactly(3L, 3L, 700L, 700L);
    }

    @Test
    void registrationFillsValidationDefaults() {
        Instance bare = new Instance("pay", "a", "10.0.0.1", 80, List.of(), Map.of(), 100, null, null,
                null, 0, 0, 0, 0);

        Instance i = stored(state.apply(new Register(bare), 1, 1));

        assertThat(i.status()).isEqualTo(Status.PASSING);
        assertThat(i.check()).isEqualTo(Check.none());
    }

    @Test
    void reRegistrationKeepsCreateIndexAndRegisteredAt() {
        state.apply(new Register(instance("pay", "a")), 1, 1000);

        Instance again = stored(state.apply(new Register(instance("pay", "a")), 4, 5000));

        assertThat(again.createIndex()).isEqualTo(1);
        assertThat(again.registeredAt()).isEqualTo(1000);
        assertThat(again.modifyIndex()).isEqualTo(4);
        assertThat(again.lastStatusChange()).as("status unchanged keeps its time").isEqualTo(1000);
        assertThat(state.size()).isEqualTo(1);
    }

    @Test
    void reRegistrationWithNewStatusStampsStatusChange() {
        state.apply(new Register(instance("pay", "a", Status.PASSING)), 1, 1000);

        Instance again = stored(state.apply(new Register(instance("pay", "a", Status.WARNING)), 2, 3000));

        assertThat(again.lastStatusChange()).isEqualTo(3000);
        assertThat(again.registeredAt()).isEqualTo(1000);
    }

    @Test
    void invalidRegistrationIsRejectedWithValidationCode() {
        Instance badPort = new Instance("pay", "a", "10.0.0.1", 0, List.of(), Map.of(), 100, null, null,
                null, 0, 0, 0, 0);

        Result r = state.apply(new Register(badPort), 1, 1);

        assertThat(r).isInstanceOf(Rejected.class);
        assertThat(((Rejected) r).code()).isEqualTo("invalid_port");
        assertThat(state.size()).isZero();
        assertThat(state.registryIndex()).isZero();
        assertThat(state.lastIndex()).isEqualTo(1);
    }

    @Test
    void nullCommandsAreRejectedNotThrown() {
        assertThat(state.apply(null, 1, 1)).isInstanceOf(Rejected.class);
        assertThat(state.apply(new Register(null), 2, 1)).isInstanceOf(Rejected.class);
        assertThat(state.apply(new SetStatus("pay", "a", null, 0), 3, 1)).isInstanceOf(Rejected.class);
        assertThat(state.apply(new Deregister(null, null), 4, 1)).isInstanceOf(Rejected.class);
        assertThat(state.apply(new Expire(null, "a", 0), 5, 1)).isEqualTo(new Ignored("not registered"));
    }

    @Test
    void deregisterRemovesAndReturnsTheInstance() {
        Instance i = stored(state.apply(new Register(instance("pay", "a")), 1, 1));

        assertThat(state.apply(new Deregister("pay", "a"), 2, 2)).isEqualTo(new Removed(i));
        assertThat(state.instance("pay", "a")).isEmpty();
        assertThat(state.size()).isZero();
    }

    @Test
    void deregisterUnknownIsRejectedNotFound() {
        Result r = state.apply(new Deregister("pay", "ghost"), 1, 1);

        assertThat(r).isEqualTo(new Rejected("not_found",
                "no instance 'ghost' in service 'pay'; list them with GET /v1/services/pay/instances"));
        assertThat(state.registryIndex()).isZero();
    }

    @Test
    void expireRemovesTheRegistrationItObserved() {
        Instance i = stored(state.apply(new Register(instance("pay", "a")), 1, 1));

        assertThat(state.apply(new Expire("pay", "a", 1), 2, 2)).isEqualTo(new Removed(i));
        assertThat(state.size()).isZero();
    }

    @Test
    void staleExpireNeverRemovesNewerRegistration() {
        state.apply(new Register(instance("pay", "a")), 1, 1);
        Instance fresh = stored(state.apply(new Register(instance("pay", "a")), 2, 2));

        assertThat(state.apply(new Expire("pay", "a", 1), 3, 3)).isEqualTo(new Ignored("re-registered since"));
        assertThat(state.instance("pay", "a")).contains(fresh);
        assertThat(state.serviceIndex("pay")).isEqualTo(2);
        assertThat(state.registryIndex()).isEqualTo(2);
    }

    @Test
    void expireOfUnknownInstanceIsIgnored() {
        assertThat(state.apply(new Expire("pay", "a", 1), 1, 1)).isEqualTo(new Ignored("not registered"));
    }

    @Test
    void setStatusStoresNewStatusWithIndexAndTime() {
        state.apply(new Register(instance("pay", "a")), 1, 1000);

        Instance i = stored(state.apply(new SetStatus("pay", "a", Status.CRITICAL, 1), 2, 2000));

        assertThat(i.status()).isEqualTo(Status.CRITICAL);
        assertThat(i.modifyIndex()).isEqualTo(2);
        assertThat(i.lastStatusChange()).isEqualTo(2000);
        assertThat(i.createIndex()).isEqualTo(1);
        assertThat(i.registeredAt()).isEqualTo(1000);
        assertThat(state.serviceIndex("pay")).isEqualTo(2);
    }

    @Test
    void staleSetStatusNeverChangesNewerRegistration() {
        state.apply(new Register(instance("pay", "a")), 1, 1);
        Instance fresh = stored(state.apply(new Register(instance("pay", "a")), 2, 2));

        Result r = state.apply(new SetStatus("pay", "a", Status.CRITICAL, 1), 3, 3);

        assertThat(r).isEqualTo(new Ignored("changed since"));
        assertThat(state.instance("pay", "a")).contains(fresh);
    }

    @Test
    void setStatusToSameStatusIsIgnoredUnchanged() {
        state.apply(new Register(instance("pay", "a")), 1, 1);

        assertThat(state.apply(new SetStatus("pay", "a", Status.PASSING, 1), 2, 2)).isEqualTo(new Ignored("unchanged"));
        assertThat(state.registryIndex()).isEqualTo(1);
        assertThat(state.drainChangedServices()).containsExactly("pay");
        assertThat(state.drainChangedServices()).isEmpty();
    }

    @Test
    void setStatusOfUnknownInstanceIsIgnored() {
        assertThat(state.apply(new SetStatus("pay", "a", Status.CRITICAL, 0), 1, 1)).isInstanceOf(Ignored.class);
    }

    @Test
    void alreadyAppliedIndexChangesNothing() {
        state.apply(new Register(instance("pay", "a")), 5, 1);
        long digest = state.digest();

        assertThat(state.apply(new Deregister("pay", "a"), 5, 2)).isEqualTo(new Ignored("already applied"));
        assertThat(state.apply(new Deregister("pay", "a"), 4, 2)).isEqualTo(new Ignored("already applied"));
        assertThat(state.digest()).isEqualTo(digest);
        assertThat(state.lastIndex()).isEqualTo(5);
    }

    @Test
    void lastIndexAdvancesEvenWhenNothingChanges() {
        state.apply(new Deregister("pay", "ghost"), 7, 1);

        assertThat(state.lastIndex()).isEqualTo(7);
        assertThat(state.registryIndex()).isZero();
    }

    @Test
    void batchAppliesEachCommandInOrderWithOneIndexAndTime() {
        Result r = state.apply(new Batch(List.of(
                new Register(instance("pay", "a")),
                new SetStatus("pay", "a", Status.WARNING, 9),
                new Deregister("pay", "zzz"),
                new Register(instance("cart", "b")))), 9, 4242);

        assertThat(r).isInstanceOf(Batched.class);
        List<Result> results = ((Batched) r).results();
        assertThat(results).hasSize(4);
        assertThat(stored(results.get(1)).status()).as("sees the register before it").isEqualTo(Status.WARNING);
        assertThat(results.get(2)).isInstanceOf(Rejected.class);
        assertThat(stored(results.get(3)).createIndex()).isEqualTo(9);
        assertThat(stored(results.get(3)).registeredAt()).isEqualTo(4242);
        assertThat(state.lastIndex()).isEqualTo(9);
        assertThat(state.drainChangedServices()).containsExactlyInAnyOrder("pay", "cart");
    }

    @Test
    void nestedBatchIsRejectedButItsSiblingsApply() {
        Result r = state.apply(new Batch(List.of(
                new Batch(List.of(new Register(instance("pay", "x")))),
                new Register(instance("pay", "a")))), 1, 1);

        List<Result> results = ((Batched) r).results();
        assertThat(results.get(0)).isInstanceOf(Rejected.class);
        assertThat(((Rejected) results.get(0)).code()).isEqualTo("invalid_command");
        assertThat(results.get(1)).isInstanceOf(Stored.class);
        assertThat(state.instance("pay", "x")).isEmpty();
    }

    @Test
    void emptyBatchAdvancesOnlyTheLastIndex() {
        assertThat(state.apply(new Batch(List.of()), 3, 1)).isEqualTo(new Batched(List.of()));
        assertThat(state.lastIndex()).isEqualTo(3);
        assertThat(state.registryIndex()).isZero();
    }

    @Test
    void serviceIndexAdvancesWhenLastInstanceLeaves() {
        state.apply(new Register(instance("pay", "a")), 1, 1);
        state.apply(new Deregister("pay", "a"), 2, 2);

        assertThat(state.serviceIndex("pay")).isEqualTo(2);
        assertThat(state.instances("pay")).isEmpty();
        assertThat(state.serviceNames()).isEmpty();
        assertThat(state.indexedServices()).containsExactly("pay");
    }

    @Test
    void serviceIndexIsZeroForUnknownService() {
        assertThat(state.serviceIndex("nope")).isZero();
        assertThat(state.serviceIndex(null)).isZero();
        assertThat(state.instances("nope")).isEmpty();
    }

    @Test
    void serviceIndexMovesOnlyForTheServiceThatChanged() {
        state.apply(new Register(instance("pay", "a")), 1, 1);
        state.apply(new Register(instance("cart", "a")), 2, 1);

        assertThat(state.serviceIndex("pay")).isEqualTo(1);
        assertThat(state.serviceIndex("cart")).isEqualTo(2);
        assertThat(state.registryIndex()).isEqualTo(2);
    }

    @Test
    void instancesAreSortedByIdAndImmutable() {
        for (String id : List.of("c", "a", "b")) {
            state.apply(new Register(instance("pay", id)), state.lastIndex() + 1, 1);
        }

        List<Instance> list = state.instances("pay");

        assertThat(list).extracting(Instance::id).containsExactly("a", "b", "c");
        assertThatThrownBy(() -> list.remove(0))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void serviceNamesListOnlyServicesWithInstancesSorted() {
        state.apply(new Register(instance("pay", "a")), 1, 1);
        state.apply(new Register(instance("auth", "a")), 2, 1);
        state.apply(new Register(instance("cart", "a")), 3, 1);
        state.apply(new Deregister("cart", "a"), 4, 1);

        assertThat(state.serviceNames()).containsExactly("auth", "pay");
        assertThat(state.size()).isEqualTo(2);
    }

    @Test
    void drainReturnsEachChangedServiceOnce() {
        state.apply(new Register(instance("pay", "a")), 1, 1);
        state.apply(new Register(instance("pay", "b")), 2, 1);
        state.apply(new Expire("cart", "a", 0), 3, 1);

        assertThat(state.drainChangedServices()).isEqualTo(Set.of("pay"));
        assertThat(state.drainChangedServices()).isEmpty();
    }

    @Test
    void equalHistoriesGiveEqualStatesAndDigests() {
        RegistryState other = new RegistryState();
        for (RegistryState s : List.of(state, other)) {
            s.apply(new Register(instance("pay", "a")), 1, 10);
            s.apply(new SetStatus("pay", "a", Status.CRITICAL, 1), 2, 20);
        }

        assertThat(state).isEqualTo(other).hasSameHashCodeAs(other);
        assertThat(state.digest()).isEqualTo(other.digest());

        other.apply(new Deregister("pay", "zzz"), 3, 30);
        assertThat(state).isNotEqualTo(other);
        assertThat(state.digest()).isNotEqualTo(other.digest());
    }

    @Test
    void digestSeesEveryInstanceField() {
        RegistryState other = new RegistryState();
        state.apply(new Register(instance("pay", "a")), 1, 10);
        Instance i = instance("pay", "a");
        Command differentMetadata = new Register(new Instance(i.service(), i.id(), i.address(), i.port(), i.tags(),
                Map.of("team", "edge"), i.weight(), i.zone(), i.check(), i.status(), 0, 0, 0, 0));
        other.apply(differentMetadata, 1, 10);

        assertThat(state.digest()).isNotEqualTo(other.digest());
        assertThat(state).isNotEqualTo(other);
    }

    @Test
    void restorerRefusesStatesApplyCouldNotProduce() {
        assertThatThrownBy(() -> RegistryState.restorer(5, 6))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RegistryState.restorer(5, 5).service("pay", 3).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("highest service index");
        assertThatThrownBy(() -> RegistryState.restorer(5, 5).service("pay", 5)
                        .instance(instance("pay", "a").withIndices(1, 6, 0, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
    }

    @Test
    void drainChangesNamesEveryInstanceThatChangedOrLeftByService() {
        state.apply(new Register(instance("pay", "a")), 1, 1);
        state.apply(new Register(instance("pay", "b")), 2, 2);
        state.apply(new Register(instance("cart", "c")), 3, 3);
        assertThat(state.drainChanges()).isEqualTo(Map.of("pay", Set.of("a", "b"), "cart", Set.of("c")));

        state.apply(new SetStatus("pay", "a", Status.CRITICAL, 1), 4, 4);
        state.apply(new Deregister("cart", "c"), 5, 5);
        state.apply(new Deregister("cart", "ghost"), 6, 6);

        assertThat(state.drainChanges()).isEqualTo(Map.of("pay", Set.of("a"), "cart", Set.of("c")));
        assertThat(state.drainChanges()).isEmpty();
    }
}
