package io.registry.client;

import io.registry.api.Instance;
import io.registry.api.Responses;
import io.registry.client.balance.Outstanding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The client's cached copy of one service's instances, kept fresh by a {@link Watch}: every event carries
 * the full list, which replaces the cache. Reads never touch the network. After a reconnect the new node's
 * first list is ignored if it is older (lower index) than the cache, so the view never goes back in time
 * when it fails over to a lagging node; that node's later events apply as usual.
 */
public final class ServiceView {
    private static final System.Logger LOG = System.getLogger(ServiceView.class.getName());
    private static final Comparator<Instance> BY_ID = Comparator.comparing(Instance::id);

    /** An immutable state of the view: all instances and the healthy ones, sorted by id. */
    public record Snapshot(String service, long index, List<Instance> instances, List<Instance> healthy,
                           boolean loaded, String node) {
        static Snapshot empty(String service) {
            return new Snapshot(service, -1, List.of(), List.of(), false, null);
        }

        static Snapshot of(String service, Responses.Instances list, String node) {
            List<Instance> all = new ArrayList<>(list.instances() == null ? List.of() : list.instances());
            all.sort(BY_ID);
            List<Instance> healthy = all.stream().filter(i -> i.status() != null && i.status().healthy()).toList();
            return new Snapshot(service, list.index(), List.copyOf(all), healthy, true, node);
        }
    }

    private final String service;
    private final Executor notifier;
    private final Outstanding outstanding;
    private final CopyOnWriteArrayList<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private final long createdNanos = System.nanoTime();
    private final java.util.concurrent.atomic.AtomicBoolean warned = new java.util.concurrent.atomic.AtomicBoolean();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition updated = lock.newCondition();
    private volatile Snapshot snapshot;
    private boolean freshConnection;
    private Watch watch;

    ServiceView(String service, Executor notifier, Outstanding outstanding) {
        this.service = service;
        this.notifier = notifier;
        this.outstanding = outstanding;
        this.snapshot = Snapshot.empty(service);
    }

    void attach(Watch source) {
        this.watch = source;
    }

    public String service() {
        return service;
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /** Every instance, any status, sorted by id. */
    public List<Instance> instances() {
        return snapshot.instances();
    }

    /** Passing and warning instances, sorted by id: what {@link RegistryClient#choose} picks from. */
    public List<Instance> healthy() {
        return snapshot.healthy();
    }

    /** The service index the cache reflects; -1 before the first list arrived. */
    public long index() {
        return snapshot.index();
    }

    public boolean isLoaded() {
        return snapshot.loaded();
    }

    /** The node the view's watch is streaming from, or null while reconnecting. */
    public String connectedNode() {
        Watch w = watch;
        return w == null ? null : w.connectedNode();
    }

    /** Waits until the view satisfies {@code condition}; false if it still does not after {@code timeout}. */
    public boolean await(Predicate<Snapshot> condition, Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (!condition.test(snapshot)) {
                if (left <= 0) {
                    return false;
                }
                left = updated.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Calls {@code listener} on every change from now on; if the view is loaded, first with the current list
     * (as a change from empty).
     */
    public Subscription onChange(ChangeListener listener) {
        lock.lock();
        try {
            listeners.add(listener);
            Snapshot now = snapshot;
            if (now.loaded()) {
                Change initial = Change.between(service, now.index(), now.node(), List.of(), now.instances());
                notifier.execute(() -> call(listener, initial));
            }
        } finally {
            lock.unlock();
        }
        return () -> listeners.remove(listener);
    }

    WatchListener watchListener() {
        return new WatchListener() {
            @Override
            public void onConnected(String node) {
                lock.lock();
                try {
                    freshConnection = true;
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void onInstances(Responses.Instances instances, String node) {
                apply(instances, node);
            }
        };
    }

    private void apply(Responses.Instances list, String node) {
        Snapshot next = Snapshot.of(service, list, node);
        lock.lock();
        try {
            Snapshot previous = snapshot;
            boolean first = freshConnection;
            freshConnection = false;
            if (first && previous.loaded() && next.index() < previous.index()) {
                LOG.log(System.Logger.Level.DEBUG, () -> "ignoring the older list of " + service + " from " + node
                        + " (index " + next.index() + " < " + previous.index() + ")");
                return;
            }
            snapshot = next;
            updated.signalAll();
            Change change = Change.between(service, next.index(), node, previous.instances(), next.instances());
            change.removed().forEach(outstanding::forgetIfIdle);
            if (!previous.loaded() || !change.isEmpty()) {
                // posted under the lock so listeners see changes in the order they were applied
                for (ChangeListener l : listeners) {
                    notifier.execute(() -> call(l, change));
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void call(ChangeListener listener, Change change) {
        if (!listeners.contains(listener)) {
            return;
        }
        try {
            listener.onChange(change);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "change listener of " + service + " failed", e);
        }
    }

    void close() {
        Watch w = watch;
        if (w != null) {
            w.close();
        }
        listeners.clear();
        notifyWaiters();
    }

    private void notifyWaiters() {
        lock.lock();
        try {
            updated.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** True the first time only: one warning per view that never loaded. */
    boolean firstWarning() {
        return warned.compareAndSet(false, true);
    }

    /**
     * For {@link RegistryClient#discover}: waits for the first list, at most {@code timeout} after the view
     * was created, so that later calls on an unreachable cluster return at once instead of each waiting.
     */
    boolean awaitLoaded(Duration timeout) {
        long left = createdNanos + timeout.toNanos() - System.nanoTime();
        if (left <= 0) {
            return snapshot.loaded();
        }
        try {
            return await(Snapshot::loaded, Duration.ofNanos(left));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return snapshot.loaded();
        }
    }
}
