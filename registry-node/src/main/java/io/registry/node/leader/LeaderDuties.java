package io.registry.node.leader;

import io.registry.api.ApiException;
import io.registry.api.CheckType;
import io.registry.api.Instance;
import io.registry.api.Responses;
import io.registry.api.Status;
import io.registry.node.config.HealthSettings;
import io.registry.node.health.Due;
import io.registry.node.health.ExpiryGuard;
import io.registry.node.health.HealthChecker;
import io.registry.node.health.LeaseTable;
import io.registry.node.health.Prober;
import io.registry.node.read.RegistryReader;
import io.registry.statemachine.command.Command;
import io.registry.statemachine.command.SetStatus;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What only the leader does: keep TTL leases, run active checks, and replicate the transitions they
 * cause (SetStatus, Expire) through the normal write path. Started on leader-ready with one TTL (or
 * interval) of grace for every instance, stopped when leadership is lost; start and stop are idempotent.
 */
public final class LeaderDuties implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderDuties.class);
    static final long TICK_MILLIS = 100;
    /** How often at most the leases and checks of a changed service are brought in line with it. */
    static final long RECONCILE_SPACING_MILLIS = 100;

    private final HealthSettings settings;
    private final RegistryReader reader;
    private final Function<Command, CompletableFuture<?>> proposer;
    private final LongSupplier clock;
    private final Prober prober;
    private final LeaseTable leases = new LeaseTable();
    private ExpiryGuard guard;
    private ScheduledExecutorService loop;
    private HealthChecker checker;
    private volatile boolean running;
    private volatile boolean protecting;
    /** Instances changed since the last reconcile, by service; each set is only touched inside compute/remove. */
    private final Map<String, Set<String>> dirty = new ConcurrentHashMap<>();
    /** Services to walk whole (a snapshot replaced the state). */
    private final Set<String> dirtyWhole = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean reconcileScheduled = new AtomicBoolean();

    public LeaderDuties(HealthSettings settings, RegistryReader reader, Function<Command, CompletableFuture<?>> proposer,
                        LongSupplier clock, Prober prober) {
        this.settings = settings;
        this.reader = reader;
        this.proposer = proposer;
        this.clock = clock;
        this.prober = prober;
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "leader-duties");
            t.setDaemon(true);
            return t;
        });
        guard = new ExpiryGuard(settings);
        checker = new HealthChecker(loop, prober, settings.maxConcurrentProbes(), this::propose, clock);
        running = true;
        ScheduledExecutorService l = loop;
        l.execute(() -> reconcile(Set.copyOf(reader.services().services().stream()
                .map(Responses.ServiceSummary::name).toList())));
        l.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        LOG.info("Leader duties started: leases and health checks run here");
    }

    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        protecting = false;
        loop.shutdownNow();
        leases.clear();
        dirty.clear();
        dirtyWhole.clear();
        reconcileScheduled.set(false);
        LOG.info("Leader duties stopped");
    }

    public boolean running() {
        return running;
    }

    public boolean protecting() {
        return protecting;
    }

    /** Called after apply with the instances that changed, by service. */
    public void changed(Map<String, Set<String>> instances) {
        if (!running) {
            return;
        }
        // compute, not computeIfAbsent + addAll: the add must not land in a set the loop has already taken.
        instances.forEach((service, ids) -> dirty.compute(service, (s, pending) -> {
            Set<String> merged = pending == null ? new HashSet<>() : pending;
            merged.addAll(ids);
            return merged;
        }));
        scheduleReconcile();
    }

    /** Called when a snapshot replaced the state: these services are walked whole. */
    public void reloaded(Set<String> services) {
        if (!running) {
            return;
        }
        dirtyWhole.addAll(services);
        scheduleReconcile();
    }

    private void scheduleReconcile() {
        ScheduledExecutorService l = loop;
        if (l == null) {
            return;
        }
        // Under a write burst one pass per RECONCILE_SPACING_MILLIS covers every batch applied meanwhile.
        if (reconcileScheduled.compareAndSet(false, true)) {
            try {
                l.schedule(this::reconcileDirty, RECONCILE_SPACING_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopped) {
                reconcileScheduled.set(false);   // leadership ended meanwhile
            }
        }
    }

    private void reconcileDirty() {
        reconcileScheduled.set(false);
        Set<String> whole = drain(dirtyWhole);
        reconcile(whole);
        long now = clock.getAsLong();
        for (String service : Set.copyOf(dirty.keySet())) {
            Set<String> ids = dirty.remove(service);
            if (ids == null || whole.contains(service)) {
                continue;
            }
            // Per instance, not per service: walking a service of 100,000 instances for each batch of
            // registrations cost the leader most of a core (JFR, docs/BENCHMARKS.md).
            for (String id : ids) {
                Optional<Instance> applied = reader.instance(service, id);
                leases.update(service, id, applied, now);
                checker.update(service, id, applied);
            }
        }
    }

    private static Set<String> drain(Set<String> set) {
        Set<String> out = new HashSet<>();
        for (Iterator<String> it = set.iterator(); it.hasNext(); ) {
            out.add(it.next());
            it.remove();
        }
        return out;
    }

    /** Walks whole services: at the start of a term, and after a snapshot replaced the state. */
    private void reconcile(Set<String> services) {
        long now = clock.getAsLong();
        for (String service : services) {
            List<Instance> instances = reader.service(service).instances();
            leases.reconcile(service, instances, now);
            checker.reconcile(service, instances);
        }
    }

    private void tick() {
        try {
            long now = clock.getAsLong();
            List<Due> admitted = guard.admit(leases.due(now), leases.size(), leases.longestTtlMillis(), now);
            protecting = guard.protecting();
            for (Due due : admitted) {
                leases.proposed(due, now);
                propose(due);
            }
            for (Due revival : leases.revivals(now)) {
                leases.proposed(revival, now);
                propose(revival);
            }
            checker.due(now).forEach(this::propose);
        } catch (RuntimeException e) {
            LOG.error("leader duty tick failed; continuing", e);
        }
    }

    private void propose(Due due) {
        if (due.isExpire()) {
            LOG.info("Expiring {}/{} ({})", due.service(), due.id(), due.fromLease() ? "TTL lapsed" : "check failing");
        } else {
            LOG.info("{}/{} is now {} ({})", due.service(), due.id(), due.status().wire(),
                    due.fromLease() ? (due.status() == Status.PASSING ? "heartbeats again" : "TTL lapsed") : "check result");
        }
        proposer.apply(due.command()).whenComplete((r, e) -> {
            if (e != null) {
                LOG.warn("could not replicate {}: {}", due, e.toString());
            }
        });
    }

    /**
     * Renews a TTL lease on this (leader) node. Unknown instance: 404 so the client re-registers. A
     * critical instance that heartbeats again is replicated as passing.
     */
    public Responses.Heartbeat heartbeat(String service, String id) {
        if (!running) {
            throw ApiException.unavailable("not_leader", "this node is not the ready leader; send heartbeats to "
                    + "any node and it forwards them");
        }
        long now = clock.getAsLong();
        Optional<LeaseTable.Renewal> renewal = leases.renew(service, id, now);
        if (renewal.isEmpty()) {
            // The lease may not be tracked yet (a registration applied a moment ago): look at the state.
            Instance instance = reader.instance(service, id).orElseThrow(() -> ApiException.notFound("not_found", "no instance '" + id + "' in service '"
                            + service + "'; register it again (PUT /v1/services/" + service + "/instances/" + id + ")"));
            if (instance.check().type() != CheckType.TTL) {
                throw ApiException.badRequest("not_ttl", "instance '" + id + "' has a " + instance.check().type().wire()
                        + " check; heartbeats renew ttl checks only");
            }
            leases.track(instance, now);
            renewal = leases.renew(service, id, now);
        }
        LeaseTable.Renewal r = renewal.orElseThrow(() -> ApiException.notFound("not_found", "no instance '" + id
                + "' in service '" + service + "'"));
        if (r.revive()) {
            LOG.info("{}/{} heartbeats again: passing", service, id);
            proposer.apply(new SetStatus(service, id, Status.PASSING, r.modifyIndex()));
        }
        return new Responses.Heartbeat(service, id, r.revive() ? Status.PASSING : r.status(), r.modifyIndex());
    }

    @Override
    public void close() {
        stop();
    }
}
