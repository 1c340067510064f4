package io.registry.client;

import io.registry.api.CheckType;
import io.registry.api.Instance;
import io.registry.api.Registration;
import io.registry.api.Responses;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An instance this client registered and keeps alive: for a ttl check it heartbeats every ttl/3, and when a
 * heartbeat answers 404 (the registry forgot the instance: expired, deregistered by an operator, lost a
 * lease) it registers it again. {@link #close()} stops the heartbeats and deregisters.
 */
public final class ManagedRegistration implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ManagedRegistration.class.getName());

    private final RegistryClient client;
    private final String service;
    private final String id;
    private final Registration registration;
    private final ReentrantLock beatLock = new ReentrantLock();
    private final AtomicLong heartbeats = new AtomicLong();
    private final AtomicLong failedHeartbeats = new AtomicLong();
    private final AtomicLong reRegistrations = new AtomicLong();
    private volatile Responses.Registered registered;
    private volatile boolean closed;
    private volatile ScheduledFuture<?> schedule;

    ManagedRegistration(RegistryClient client, String service, String id, Registration registration,
                        Responses.Registered registered) {
        this.client = client;
        this.service = service;
        this.id = id;
        this.registration = registration;
        this.registered = registered;
    }

    /** The heartbeat period: a third of the ttl; null when the check is not a ttl check. */
    static Duration heartbeatPeriod(Registration registration) {
        if (registration.check() == null || registration.check().type() != CheckType.TTL
                || registration.check().ttl() == null) {
            return null;
        }
        return registration.check().ttl().dividedBy(3);
    }

    void scheduled(ScheduledFuture<?> task) {
        this.schedule = task;
    }

    public String service() {
        return service;
    }

    public String id() {
        return id;
    }

    /** The instance as the registry stored it at the last (re-)registration. */
    public Instance instance() {
        return registered.instance();
    }

    /** The index of the last (re-)registration. */
    public long index() {
        return registered.index();
    }

    public long heartbeatsSent() {
        return heartbeats.get();
    }

    public long heartbeatsFailed() {
        return failedHeartbeats.get();
    }

    public long reRegistrations() {
        return reRegistrations.get();
    }

    public boolean isClosed() {
        return closed;
    }

    /** One heartbeat; skipped if the previous one is still in flight. Runs on the client's heartbeat pool. */
    void beat() {
        if (closed || !beatLock.tryLock()) {
            return;
        }
        try {
            if (closed) {
                return;
            }
            if (client.heartbeat(service, id)) {
                heartbeats.incrementAndGet();
            } else {
                registered = client.registerOnce(service, id, registration);
                reRegistrations.incrementAndGet();
                LOG.log(System.Logger.Level.INFO, () -> "re-registered " + service + "/" + id
                        + " after the registry answered its heartbeat with 404");
            }
        } catch (RegistryException e) {
            failedHeartbeats.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, () -> "heartbeat of " + service + "/" + id + " failed: "
                    + e.getMessage());
        } finally {
            beatLock.unlock();
        }
    }

    /**
     * Stops the heartbeats and deregisters, throwing if the registry could not be told. Returns false if the
     * registry did not know the instance any more.
     */
    public boolean deregister() {
        stop();
        return client.deregister(service, id).isPresent();
    }

    /** Stops the heartbeats and deregisters, best effort: a failure is logged, not thrown. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            deregister();
        } catch (RegistryException e) {
            LOG.log(System.Logger.Level.WARNING, () -> "could not deregister " + service + "/" + id
                    + "; it will expire by its check: " + e.getMessage());
        }
    }

    /** Waits out a heartbeat in flight so that it cannot re-register the instance after we deregister it. */
    private void stop() {
        closed = true;
        ScheduledFuture<?> task = schedule;
        if (task != null) {
            task.cancel(false);
        }
        beatLock.lock();
        beatLock.unlock();
        client.forget(this);
    }
}
