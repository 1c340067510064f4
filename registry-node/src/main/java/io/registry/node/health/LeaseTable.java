package io.registry.node.health;

import io.registry.api.CheckType;
import io.registry.api.Instance;
import io.registry.api.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The leader's TTL leases, in memory only: heartbeats are never written to the log. Time is passed in
 * by the caller. Thread-safe: heartbeats renew from HTTP threads while the duty loop reads deadlines.
 */
public final class LeaseTable {
    /** How long after proposing a transition we wait for it to apply before proposing it again. */
    static final long RETRY_AFTER_MILLIS = 2_000;

    static final class Lease {
        final String service;
        final String id;
        volatile long ttlMillis;
        volatile long deregisterAfterMillis;
        volatile long deadline;
        volatile long modifyIndex;
        volatile Status status;
        volatile long statusSince;
        volatile long proposedUntil;
        volatile long lastBeat;

        Lease(String service, String id) {
            this.service = service;
            this.id = id;
        }
    }

    /** What a heartbeat found. */
    public record Renewal(long modifyIndex, Status status, boolean revive) {
    }

    private final Map<String, Map<String, Lease>> byService = new ConcurrentHashMap<>();

    /**
     * Brings the table in line with a service's instances as applied. A new lease, or a registration
     * (a change that leaves the instance healthy), counts as a sign of life: deadline = now + ttl.
     */
    public void reconcile(String service, List<Instance> instances, long now) {
        Map<String, Lease> leases = byService.computeIfAbsent(service, s -> new ConcurrentHashMap<>());
        Set<String> present = new java.util.HashSet<>();
        for (Instance i : instances) {
            if (i.check().type() == CheckType.TTL) {
                present.add(i.id());
                track(leases, service, i, now);
            }
        }
        leases.keySet().retainAll(present);
        if (leases.isEmpty()) {
            byService.remove(service, leases);
        }
    }

    /**
     * Brings one instance's lease in line with its applied record, without walking its service: tracked
     * if it is a TTL instance, dropped if it is gone ({@code applied} empty) or no longer a TTL instance.
     */
    public void update(String service, String id, Optional<Instance> applied, long now) {
        if (applied.isPresent() && applied.get().check().type() == CheckType.TTL) {
            track(applied.get(), now);
            return;
        }
        Map<String, Lease> leases = byService.get(service);
        if (leases != null) {
            leases.remove(id);
            if (leases.isEmpty()) {
                byService.remove(service, leases);
            }
        }
    }

    /** Brings one TTL instance's lease in line with its applied record (a heartbeat that beat the reconcile). */
    public void track(Instance instance, long now) {
        if (instance.check().type() == CheckType.TTL) {
            track(byService.computeIfAbsent(instance.service(), s -> new ConcurrentHashMap<>()), instance.service(),
                    instance, now);
        }
    }

    private static void track(Map<String, Lease> leases, String service, Instance i, long now) {
        Lease lease = leases.computeIfAbsent(i.id(), id -> new Lease(service, id));
        boolean changed = lease.modifyIndex != i.modifyIndex();
        lease.ttlMillis = i.check().ttl().toMillis();
        lease.deregisterAfterMillis = i.check().deregisterAfter().toMillis();
        lease.status = i.status();
        lease.statusSince = i.lastStatusChange();
        if (changed) {
            if (lease.modifyIndex == 0 || i.status() != Status.CRITICAL) {
                lease.deadline = Math.max(lease.deadline, now + lease.ttlMillis);
            }
            lease.modifyIndex = i.modifyIndex();
            lease.proposedUntil = 0;
        }
    }

    /** Renews a lease; empty if the instance has no TTL lease here (unknown, or another check type). */
    public Optional<Renewal> renew(String service, String id, long now) {
        Map<String, Lease> leases = byService.get(service);
        Lease lease = leases == null ? null : leases.get(id);
        if (lease == null) {
            return Optional.empty();
        }
        lease.deadline = now + lease.ttlMillis;
        lease.lastBeat = now;
        boolean revive = lease.status == Status.CRITICAL && now >= lease.proposedUntil;
        if (revive) {
            lease.proposedUntil = now + RETRY_AFTER_MILLIS;
        }
        return Optional.of(new Renewal(lease.modifyIndex, lease.status, revive));
    }

    /**
     * Transitions due at {@code now}: a lapsed healthy lease goes critical; an instance critical for
     * {@code deregisterAfter} with its lease still lapsed is removed.
     */
    public List<Due> due(long now) {
        List<Due> due = new ArrayList<>();
        for (Map<String, Lease> leases : byService.values()) {
            for (Lease l : leases.values()) {
                if (now < l.proposedUntil || now < l.deadline) {
                    continue;
                }
                if (l.status != Status.CRITICAL) {
                    due.add(Due.status(l.service, l.id, l.modifyIndex, Status.CRITICAL, true));
                } else if (now - Math.max(l.statusSince, l.deadline - l.ttlMillis) >= l.deregisterAfterMillis) {
                    due.add(Due.expire(l.service, l.id, l.modifyIndex, true));
                }
            }
        }
        return due;
    }

    /**
     * Critical TTL instances that heartbeated after they turned critical, whose heartbeat could not revive
     * them at once because the lease had not yet seen the critical status applied (leases follow the
     * applied state a moment late). Not rate-limited: reviving is never a mass-expiry risk.
     */
    public List<Due> revivals(long now) {
        List<Due> due = new ArrayList<>();
        for (Map<String, Lease> leases : byService.values()) {
            for (Lease l : leases.values()) {
                if (l.status == Status.CRITICAL && l.lastBeat > l.statusSince && now < l.deadline
                        && now >= l.proposedUntil) {
                    due.add(Due.status(l.service, l.id, l.modifyIndex, Status.PASSING, true));
                }
            }
        }
        return due;
    }

    /** Marks a transition as proposed so the next ticks do not propose it again while it commits. */
    public void proposed(Due due, long now) {
        Map<String, Lease> leases = byService.get(due.service());
        Lease lease = leases == null ? null : leases.get(due.id());
        if (lease != null && lease.modifyIndex == due.observedModifyIndex()) {
            lease.proposedUntil = now + RETRY_AFTER_MILLIS;
        }
    }

    /** The longest TTL tracked: the window mass-expiry protection counts over. */
    public long longestTtlMillis() {
        long longest = 0;
        for (Map<String, Lease> leases : byService.values()) {
            for (Lease l : leases.values()) {
                longest = Math.max(longest, l.ttlMillis);
            }
        }
        return longest;
    }

    public int size() {
        return byService.values().stream().mapToInt(Map::size).sum();
    }

    public void clear() {
        byService.clear();
    }
}
