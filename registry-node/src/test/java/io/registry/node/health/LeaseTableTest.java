package io.registry.node.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.registry.api.Check;
import io.registry.api.Instance;
import io.registry.api.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LeaseTableTest {
    private final LeaseTable leases = new LeaseTable();

    static Instance ttl(String id, long ttlMillis, long deregisterMillis, Status status, long modifyIndex, long since) {
        Check check = new Check(io.registry.api.CheckType.TTL, Duration.ofMillis(ttlMillis), null, null, null,
                Duration.ofMillis(deregisterMillis), 1, 3);
        return new Instance("svc", id, "10.0.0.1", 80, List.of(), Map.of(), 100, null, check, status, 1, modifyIndex,
                0, since);
    }

    @Test
    void newLeaseGetsOneTtlOfGraceThenGoesCritical() {
        leases.reconcile("svc", List.of(ttl("a", 1000, 5000, Status.PASSING, 5, 0)), 10_000);
        assertThat(leases.due(10_999)).isEmpty();
        assertThat(leases.due(11_000)).containsExactly(Due.status("svc", "a", 5, Status.CRITICAL, true));
    }

    @Test
    void heartbeatPushesTheDeadline() {
        leases.reconcile("svc", List.of(ttl("a", 1000, 5000, Status.PASSING, 5, 0)), 0);
        assertThat(leases.renew("svc", "a", 900)).isPresent();
        assertThat(leases.due(1500)).isEmpty();
        assertThat(leases.due(1900)).hasSize(1);
    }

    @Test
    void unknownInstanceHasNoLease() {
        assertThat(leases.renew("svc", "ghost", 0)).isEmpty();
    }

    @Test
    void proposedTransitionIsNotProposedAgainUntilTheRetryDelay() {
        leases.reconcile("svc", List.of(ttl("a", 1000, 5000, Status.PASSING, 5, 0)), 0);
        Due due = leases.due(1000).get(0);
        leases.proposed(due, 1000);
        assertThat(leases.due(1100)).isEmpty();
        assertThat(leases.due(1000 + LeaseTable.RETRY_AFTER_MILLIS)).hasSize(1);
    }

    @Test
    void heartbeatThatRacesTheCriticalStatusStillRevivesOnceItApplies() {
        leases.reconcile("svc", List.of(ttl("a", 1000, 5000, Status.PASSING, 5, 0)), 0);
        leases.proposed(leases.due(1000).get(0), 1000);
        // The heartbeat comes after the lapse was proposed but before the lease saw it applied.
        assertThat(leases.renew("svc", "a", 1050).orElseThrow().revive()).isFalse();
        assertThat(leases.revivals(1060)).isEmpty();
        leases.reconcile("svc", List.of(ttl("a", 1000, 5000, Status.CRITICAL, 6, 1010)), 1100);
        assertThat(leases.revivals(1100)).containsExactly(Due.status("svc", "a", 6, Status.PASSING, true));
        leases.proposed(leases.revivals(1100).get(0), 1100);
        assertThat(leases.revivals(1200)).as("not proposed twice while it commits").isEmpty();
    }

    @Test
    void criticalLeaseWithoutHeartbeatIsNotRevived() {
        leases.reconcile("svc", List.of(ttl("a", 1000, 5000, Status.PASSING, 5, 0)), 0);
        leases.reconcile("svc", List.of(ttl("a", 1000, 5000, Status.CRITICAL, 6, 1000)), 1000);
        assertThat(leases.revivals(1500)).isEmpty();
    }

    @Test
    void criticalLeaseIsExpiredAfterDeregisterAfter() {
        leases.reconcile("svc", List.of(ttl("a", 1000, 5000, Status.PASSING, 5, 0)), 0);
        leases.reconcile("svc", List.of(ttl("a", 1000, 5000, Status.CRITICAL, 6, 1000)), 1000);
        assertThat(leases.due(5999)).isEmpty();
        assertThat(leases.due(6000)).containsExactly(Due.expire("svc", "a", 6, true));
    }

    @Test
    void heartbeatOnCriticalInstanceAsksToReviveOnce() {
        leases.reconcile("svc", List.of(ttl("a", 1000, 5000, Status.CRITICAL, 6, 0)), 0);
        LeaseTable.Renewal first = leases.renew("svc", "a", 100).orElseThrow();
        assertThat(first.revive()).isTrue();
        assertThat(first.modifyIndex()).isEqualTo(6);
        assertThat(leases.renew("svc", "a", 200).orElseThrow().revive()).isFalse();
    }

    @Test
    void reRegistrationCountsAsSignOfLifeAndRemovedInstancesLoseTheirLease() {
        leases.reconcile("svc", List.of(ttl("a", 1000, 5000, Status.PASSING, 5, 0)), 0);
        leases.reconcile("svc", List.of(ttl("a", 1000, 5000, Status.PASSING, 9, 0)), 800);
        assertThat(leases.due(1500)).isEmpty();
        leases.reconcile("svc", List.of(), 900);
        assertThat(leases.size()).isZero();
        assertThat(leases.renew("svc", "a", 950)).isEmpty();
    }

    @Test
    void updateTracksOneInstanceAndDropsItWhenGoneLeavingTheOthers() {
        leases.reconcile("svc", List.of(ttl("a", 1000, 5000, Status.PASSING, 5, 0)), 0);
        leases.update("svc", "b", Optional.of(ttl("b", 2000, 5000, Status.PASSING, 6, 0)), 100);
        assertThat(leases.size()).isEqualTo(2);
        assertThat(leases.due(2000)).containsExactly(Due.status("svc", "a", 5, Status.CRITICAL, true));

        leases.update("svc", "a", Optional.empty(), 2000);

        assertThat(leases.renew("svc", "a", 2000)).isEmpty();
        assertThat(leases.due(2100)).containsExactly(Due.status("svc", "b", 6, Status.CRITICAL, true));
    }

    @Test
    void updateDropsTheLeaseOfAnInstanceReRegisteredWithoutATtlCheck() {
        leases.update("svc", "a", Optional.of(ttl("a", 1000, 5000, Status.PASSING, 5, 0)), 0);
        Instance plain = new Instance("svc", "a", "10.0.0.1", 80, List.of(), Map.of(), 100, null, Check.none(),
                Status.PASSING, 1, 7, 0, 0);

        leases.update("svc", "a", Optional.of(plain), 10);

        assertThat(leases.size()).isZero();
        assertThat(leases.due(5000)).isEmpty();
    }
}
