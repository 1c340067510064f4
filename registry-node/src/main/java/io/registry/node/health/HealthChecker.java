package io.registry.node.health;

import io.registry.api.Check;
import io.registry.api.CheckType;
import io.registry.api.Instance;
import io.registry.api.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Active HTTP and TCP checks, run only on the leader. Each instance is probed every interval from a
 * jittered start; at most {@code maxConcurrent} probes are in flight; results are folded through
 * rise/fall thresholds and only transitions are proposed. All state is confined to {@code loop}.
 */
public final class HealthChecker {
    private static final class Target {
        Instance instance;
        final CheckState state;
        ScheduledFuture<?> next;
        long proposedUntil;

        Target(Instance instance) {
            this.instance = instance;
            this.state = new CheckState(instance.status());
        }
    }

    private final ScheduledExecutorService loop;
    private final Prober prober;
    private final Semaphore permits;
    private final Consumer<Due> propose;
    private final LongSupplier clock;
    private final Map<String, Map<String, Target>> byService = new HashMap<>();

    public HealthChecker(ScheduledExecutorService loop, Prober prober, int maxConcurrent, Consumer<Due> propose,
                         LongSupplier clock) {
        this.loop = loop;
        this.prober = prober;
        this.permits = new Semaphore(maxConcurrent);
        this.propose = propose;
        this.clock = clock;
    }

    /** Call on {@code loop}: starts, updates or stops the probes of a whole service's instances. */
    public void reconcile(String service, List<Instance> instances) {
        Map<String, Target> targets = byService.computeIfAbsent(service, s -> new HashMap<>());
        Set<String> present = new HashSet<>();
        for (Instance i : instances) {
            if (probed(i)) {
                present.add(i.id());
                upsert(targets, i);
            }
        }
        targets.entrySet().removeIf(e -> {
            boolean gone = !present.contains(e.getKey());
            if (gone) {
                e.getValue().next.cancel(false);
            }
            return gone;
        });
        if (targets.isEmpty()) {
            byService.remove(service);
        }
    }

    /**
     * Call on {@code loop}: brings one instance's probe in line with its applied record ({@code applied}
     * empty: the instance is gone), without walking its service.
     */
    public void update(String service, String id, Optional<Instance> applied) {
        Instance i = applied.filter(HealthChecker::probed).orElse(null);
        if (i != null) {
            upsert(byService.computeIfAbsent(service, s -> new HashMap<>()), i);
            return;
        }
        Map<String, Target> targets = byService.get(service);
        Target stopped = targets == null ? null : targets.remove(id);
        if (stopped != null) {
            stopped.next.cancel(false);
        }
        if (targets != null && targets.isEmpty()) {
            byService.remove(service);
        }
    }

    private static boolean probed(Instance i) {
        CheckType type = i.check().type();
        return type == CheckType.HTTP || type == CheckType.TCP;
    }

    private void upsert(Map<String, Target> targets, Instance i) {
        Target t = targets.get(i.id());
        if (t != null && !sameProbe(t.instance, i)) {
            t.next.cancel(false);
            t = null;
        }
        if (t == null) {
            Target fresh = new Target(i);
            // One interval of grace: a new leader does not expire what it has not probed itself.
            fresh.proposedUntil = clock.getAsLong() + i.check().interval().toMillis();
            targets.put(i.id(), fresh);
            long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, i.check().interval().toMillis()));
            schedule(fresh, jitter);
        } else if (t.instance.modifyIndex() != i.modifyIndex()) {
            t.instance = i;
            t.state.applied(i.status());
            t.proposedUntil = 0;
        }
    }

    private static boolean sameProbe(Instance a, Instance b) {
        Check x = a.check();
        Check y = b.check();
        return x.equals(y) && a.address().equals(b.address()) && a.port() == b.port();
    }

    private void schedule(Target t, long delayMillis) {
        t.next = loop.schedule(() -> probe(t), delayMillis, TimeUnit.MILLISECONDS);
    }

    private void probe(Target t) {
        long interval = t.instance.check().interval().toMillis();
        schedule(t, interval);
        if (!permits.tryAcquire()) {
            return; // saturated: skip this round rather than queue probes without bound
        }
        Instance probed = t.instance;
        prober.probe(probed).whenComplete((status, error) -> {
            permits.release();
            loop.execute(() -> observe(t, probed, error == null ? status : Status.CRITICAL));
        });
    }

    private void observe(Target t, Instance probed, Status result) {
        if (t.instance != probed || t.next.isCancelled()) {
            return; // re-registered or removed while the probe ran
        }
        Check check = probed.check();
        Status next = t.state.observe(result, check.rise(), check.fall());
        long now = clock.getAsLong();
        if (next != null && now >= t.proposedUntil) {
            t.proposedUntil = now + LeaseTable.RETRY_AFTER_MILLIS;
            propose.accept(Due.status(probed.service(), probed.id(), probed.modifyIndex(), next, false));
        }
    }

    /** Call on {@code loop}: instances critical for longer than their deregisterAfter. */
    public List<Due> due(long now) {
        List<Due> due = new ArrayList<>();
        for (Map<String, Target> targets : byService.values()) {
            for (Target t : targets.values()) {
                Instance i = t.instance;
                if (i.status() == Status.CRITICAL && now >= t.proposedUntil
                        && now - i.lastStatusChange() >= i.check().deregisterAfter().toMillis()) {
                    t.proposedUntil = now + LeaseTable.RETRY_AFTER_MILLIS;
                    due.add(Due.expire(i.service(), i.id(), i.modifyIndex(), false));
                }
            }
        }
        return due;
    }

    public int size() {
        return byService.values().stream().mapToInt(Map::size).sum();
    }

    public void clear() {
        byService.values().forEach(m -> m.values().forEach(t -> t.next.cancel(false)));
        byService.clear();
    }
}
