package io.registry.statemachine.core;

import io.registry.api.ApiException;
import io.registry.api.Check;
import io.registry.api.Instance;
import io.registry.api.Validation;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The replicated registry: a pure function of the log entries applied to it. No clock, no threads, no
 * I/O, and not thread-safe: the Ratis adapter serialises writers and readers with a lock.
 *
 * <p>Each service keeps its instances in a {@link TreeMap} so a change costs one tree update (a service
 * may hold 100,000 instances) and listings come out sorted without a sort.
 */
public final class RegistryState {
    private static final Rejected NESTED_BATCH = new Rejected("invalid_command",
            "a batch cannot contain another batch; put its commands directly in the outer batch");

    private final Map<String, Service> services = new HashMap<>();
    /** Changed since the last drain: service name to the ids of its instances that changed or left. */
    private Map<String, Set<String>> changed = new HashMap<>();
    private long lastIndex;
    private long registryIndex;
    private int size;

    /** A service's instances and index. Kept after its last instance leaves so blocking queries see the index. */
    private static final class Service {
        final String name;
        final TreeMap<String, Instance> instances = new TreeMap<>();
        long index;

        Service(String name) {
            this.name = name;
        }

        boolean sameContent(Service other) {
            return index == other.index && instances.equals(other.instances);
        }
    }

    /**
     * Apply one log entry's command. Never throws: bad commands answer {@link Rejected}, stale ones
     * {@link Ignored}. Log indices start at 1; an index at or below {@link #lastIndex()} changes nothing,
     * so a replayed entry is harmless.
     */
    public Result apply(Command command, long index, long leaderTimeMillis) {
        if (index <= lastIndex) {
            return new Ignored("already applied");
        }
        lastIndex = index;
        if (command instanceof Batch batch) {
            List<Result> results = new ArrayList<>(batch.commands().size());
            for (Command inner : batch.commands()) {
                results.add(inner instanceof Batch ? NESTED_BATCH : applySafely(inner, index, leaderTimeMillis));
            }
            return new Batched(results);
        }
        return applySafely(command, index, leaderTimeMillis);
    }

    /**
     * Errors (out of memory) are deliberately not caught: turning them into a result on one replica only
     * would silently diverge it from the others.
     */
    private Result applySafely(Command command, long index, long time) {
        try {
            return applyOne(command, index, time);
        } catch (RuntimeException e) {
            return new Rejected("internal", "the command could not be applied: " + e);
        }
    }

    // Java 17 has no pattern switch; a new Command type falls through to the Rejected at the end.
    private Result applyOne(Command command, long index, long time) {
        if (command instanceof Register r) {
            return register(r, index, time);
        }
        if (command instanceof Deregister d) {
            return deregister(d, index);
        }
        if (command instanceof Expire e) {
            return expire(e, index);
        }
        if (command instanceof SetStatus s) {
            return setStatus(s, index, time);
        }
        if (command == null) {
            return new Rejected("invalid_command", "the entry holds no command");
        }
        return new Rejected("invalid_command", "unknown command " + command.getClass().getSimpleName()
                + "; a node older than the leader cannot apply it");
    }

    private Result register(Register command, long index, long time) {
        if (command.instance() == null) {
            return new Rejected("invalid_command", "a register command needs an instance");
        }
        Instance checked;
        try {
            checked = Validation.instance(command.instance());
        } catch (ApiException e) {
            return new Rejected(e.code(), e.getMessage());
        }
        Service service = services.computeIfAbsent(checked.service(), Service::new);
        Instance old = service.instances.get(checked.id());
        Instance stored = old == null
                ? stamp(checked, service.name, index, index, time, time)
                : stamp(checked, service.name, old.createIndex(), index, old.registeredAt(),
                        old.status() == checked.status() ? old.lastStatusChange() : time);
        // Nothing between computeIfAbsent and touch can throw (validated id, immutable fields), so a new
        // service never stays behind without an index.
        service.instances.put(stored.id(), stored);
        if (old == null) {
            size++;
        }
        touch(service, stored.id(), index);
        return new Stored(stored);
    }

    private Result deregister(Deregister command, long index) {
        Service service = find(command.service(), command.id());
        if (service == null) {
            String svc = command.service();
            return new Rejected("not_found", "no instance '" + command.id() + "' in service '" + svc
                    + "'; list them with GET /v1/services/" + svc + "/instances");
        }
        return new Removed(remove(service, command.id(), index));
    }

    private Result expire(Expire command, long index) {
        Service service = find(command.service(), command.id());
        if (service == null) {
            return new Ignored("not registered");
        }
        if (service.instances.get(command.id()).modifyIndex() != command.observedModifyIndex()) {
            return new Ignored("re-registered since");
        }
        return new Removed(remove(service, command.id(), index));
    }

    private Result setStatus(SetStatus command, long index, long time) {
        if (command.status() == null) {
            return new Rejected("invalid_command", "a set-status command needs a status: passing, warning or critical");
        }
        Service service = find(command.service(), command.id());
        if (service == null) {
            return new Ignored("not registered");
        }
        Instance current = service.instances.get(command.id());
        if (current.modifyIndex() != command.observedModifyIndex()) {
            return new Ignored("changed since");
        }
        if (current.status() == command.status()) {
            return new Ignored("unchanged");
        }
        Instance stored = current.withStatus(command.status(), index, time);
        service.instances.put(stored.id(), stored);
        touch(service, stored.id(), index);
        return new Stored(stored);
    }

    /** The service holding instance {@code id}, or null; tolerates nulls from unvalidated commands. */
    private Service find(String service, String id) {
        if (service == null || id == null) {
            return null;
        }
        Service s = services.get(service);
        return s != null && s.instances.containsKey(id) ? s : null;
    }

    private Instance remove(Service service, String id, long index) {
        Instance old = service.instances.remove(id);
        size--;
        touch(service, id, index);
        return old;
    }

    private void touch(Service service, String id, long index) {
        service.index = index;
        registryIndex = index;
        changed.computeIfAbsent(service.name, n -> new HashSet<>()).add(id);
    }

    /** One copy of the service name is shared by all its instances instead of one per decoded entry. */
    private static Instance stamp(Instance i, String service, long create, long modify, long registered,
                                  long statusChanged) {
        return new Instance(service, i.id(), i.address(), i.port(), i.tags(), i.metadata(), i.weight(), i.zone(),
                i.check(), i.status(), create, modify, registered, statusChanged);
    }

    // ---- queries ------------------------------------------------------------------------------------

    /** The highest index passed to {@link #apply}, changed or not; 0 before the first. */
    public long lastIndex() {
        return lastIndex;
    }

    /** The highest index that changed anything; 0 before the first change. */
    public long registryIndex() {
        return registryIndex;
    }

    /** The highest index that changed {@code service}, still reported after its last instance left; 0 if never. */
    public long serviceIndex(String service) {
        Service s = service == null ? null : services.get(service);
        return s == null ? 0 : s.index;
    }

    /** The service's instances sorted by id: an immutable copy the caller may keep (cache it per index). */
    public List<Instance> instances(String service) {
        Service s = service == null ? null : services.get(service);
        return s == null ? List.of() : List.copyOf(s.instances.values());
    }

    public Optional<Instance> instance(String service, String id) {
        Service s = service == null || id == null ? null : services.get(service);
        return s == null ? Optional.empty() : Optional.ofNullable(s.instances.get(id));
    }

    /** Services with at least one instance, sorted. */
    public List<String> serviceNames() {
        List<String> names = new ArrayList<>(services.size());
        for (Service s : services.values()) {
            if (!s.instances.isEmpty()) {
                names.add(s.name);
            }
        }
        names.sort(null);
        return names;
    }

    /** Every service that has an index, including those whose instances all left, sorted (for snapshots). */
    public List<String> indexedServices() {
        List<String> names = new ArrayList<>(services.keySet());
        names.sort(null);
        return names;
    }

    /** Total instances over all services. */
    public int size() {
        return size;
    }

    /**
     * The instances changed since the previous call (registered, updated or gone), by service, handed over
     * to the caller (no copy is kept): the adapter uses them to invalidate caches, wake watchers and keep
     * the leader's leases and checks in step without walking whole services.
     */
    public Map<String, Set<String>> drainChanges() {
        if (changed.isEmpty()) {
            return Map.of();
        }
        Map<String, Set<String>> drained = changed;
        changed = new HashMap<>();
        return drained;
    }

    /** The services changed since the previous call; drains like {@link #drainChanges()}. */
    public Set<String> drainChangedServices() {
        return drainChanges().keySet();
    }

    // ---- content identity -----------------------------------------------------------------------------

    /**
     * A 64-bit hash of every index and every field of every instance, equal on equal states on any JVM,
     * to compare replicas. It walks the whole state: call it from checkers, not per request.
     */
    public long digest() {
        Hasher h = new Hasher().add(lastIndex).add(registryIndex).add(size);
        for (String name : indexedServices()) {
            Service s = services.get(name);
            h.add(name).add(s.index).add(s.instances.size());
            for (Instance i : s.instances.values()) {
                hashInstance(h, i);
            }
        }
        return h.value();
    }

    private static void hashInstance(Hasher h, Instance i) {
        h.add(i.service()).add(i.id()).add(i.address()).add(i.port()).add(i.tags().size());
        for (String tag : i.tags()) {
            h.add(tag);
        }
        // Map iteration order differs between JVMs, so metadata pairs are combined order-independently.
        long pairs = 0;
        for (Map.Entry<String, String> e : i.metadata().entrySet()) {
            pairs += new Hasher().add(e.getKey()).add(e.getValue()).value();
        }
        h.add(i.metadata().size()).add(pairs).add(i.weight()).add(i.zone());
        hashCheck(h, i.check());
        // Ordinals, not enum hashCodes: those are identity hashes and differ between JVMs.
        h.add(i.status() == null ? -1 : i.status().ordinal());
        h.add(i.createIndex()).add(i.modifyIndex()).add(i.registeredAt()).add(i.lastStatusChange());
    }

    private static void hashCheck(Hasher h, Check c) {
        if (c == null) {
            h.add(-1);
            return;
        }
        h.add(c.type() == null ? -1 : c.type().ordinal()).add(c.ttl()).add(c.url()).add(c.interval())
                .add(c.timeout()).add(c.deregisterAfter()).add(c.rise()).add(c.fall());
    }

    /**
     * A copy of the content that later applies to this state do not change, for writing a snapshot while
     * applies go on. Instances are immutable and shared; each service's tree is copied in linear time (a
     * sorted source needs no comparisons). Pending {@link #drainChanges} stay with this state.
     */
    public RegistryState copy() {
        RegistryState copy = new RegistryState();
        for (Service s : services.values()) {
            Service c = new Service(s.name);
            c.instances.putAll(s.instances);
            c.index = s.index;
            copy.services.put(c.name, c);
        }
        copy.lastIndex = lastIndex;
        copy.registryIndex = registryIndex;
        copy.size = size;
        return copy;
    }

    /** Equal when every index and instance is equal; pending {@link #drainChanges} are not content. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RegistryState other) || lastIndex != other.lastIndex
                || registryIndex != other.registryIndex || size != other.size
                || services.size() != other.services.size()) {
            return false;
        }
        for (Service s : services.values()) {
            Service theirs = other.services.get(s.name);
            if (theirs == null || !s.sameContent(theirs)) {
                return false;
            }
        }
        return true;
    }

    /** Cheap on purpose (equal states have equal indices and sizes); use {@link #digest()} to compare content. */
    @Override
    public int hashCode() {
        return Long.hashCode(lastIndex) * 31 + size;
    }

    @Override
    public String toString() {
        return "RegistryState{lastIndex=" + lastIndex + ", registryIndex=" + registryIndex + ", services="
                + services.size() + ", instances=" + size + "}";
    }

    // ---- restore from a snapshot ----------------------------------------------------------------------

    /** Start rebuilding a state from a snapshot; the only way to change a state other than {@link #apply}. */
    public static Restorer restorer(long lastIndex, long registryIndex) {
        return new Restorer(lastIndex, registryIndex);
    }

    /**
     * Builds a state service by service and checks the invariants apply maintains, so a snapshot that
     * passes its checksum but breaks them (a codec bug) fails at load rather than diverging later.
     * Methods throw {@link IllegalArgumentException} naming the broken rule.
     */
    public static final class Restorer {
        private RegistryState state = new RegistryState();

        private Restorer(long lastIndex, long registryIndex) {
            require(registryIndex >= 0 && registryIndex <= lastIndex,
                    "registry index " + registryIndex + " must be between 0 and the last index " + lastIndex);
            state.lastIndex = lastIndex;
            state.registryIndex = registryIndex;
        }

        /** Declare a service and its index; its instances follow through {@link #instance}. */
        public Restorer service(String name, long serviceIndex) {
            require(name != null, "a service needs a name");
            require(serviceIndex > 0 && serviceIndex <= state.registryIndex, "service '" + name + "' index "
                    + serviceIndex + " must be between 1 and the registry index " + state.registryIndex);
            Service s = new Service(name);
            s.index = serviceIndex;
            require(live().services.putIfAbsent(name, s) == null, "service '" + name + "' appears twice");
            return this;
        }

        /** Add an instance of an already declared service, with its indices and times as stored. */
        public Restorer instance(Instance i) {
            // Tested before any message is built: this runs once per instance of a snapshot.
            Service s = live().services.get(i.service());
            if (s == null) {
                throw new IllegalArgumentException("instance '" + i.id() + "' belongs to undeclared service '"
                        + i.service() + "'");
            }
            if (i.id() == null) {
                throw new IllegalArgumentException("an instance of '" + s.name + "' has no id");
            }
            if (!(0 < i.createIndex() && i.createIndex() <= i.modifyIndex() && i.modifyIndex() <= s.index)) {
                throw new IllegalArgumentException("instance '" + i.id() + "' of '" + s.name + "' has indices create "
                        + i.createIndex() + ", modify " + i.modifyIndex() + " outside 1.." + s.index);
            }
            Instance shared = stamp(i, s.name, i.createIndex(), i.modifyIndex(), i.registeredAt(),
                    i.lastStatusChange());
            if (s.instances.put(i.id(), shared) != null) {
                throw new IllegalArgumentException("instance '" + i.id() + "' of '" + s.name + "' appears twice");
            }
            state.size++;
            return this;
        }

        /** The restored state; the restorer cannot be used afterwards. */
        public RegistryState build() {
            RegistryState built = live();
            long highest = 0;
            for (Service s : built.services.values()) {
                highest = Math.max(highest, s.index);
            }
            require(highest == built.registryIndex, "registry index " + built.registryIndex
                    + " differs from the highest service index " + highest);
            state = null;
            return built;
        }

        private RegistryState live() {
            if (state == null) {
                throw new IllegalStateException("this restorer already built its state");
            }
            return state;
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }

    /** SplitMix64-style hash over fixed-width values, so the digest is the same on every JVM. */
    private static final class Hasher {
        private long h = 0x6A09E667F3BCC909L;

        Hasher add(long v) {
            h = mix(h ^ mix(v)) + 0x9E3779B97F4A7C15L;
            return this;
        }

        Hasher add(String s) {
            if (s == null) {
                return add(-1L);
            }
            add(s.length());
            long packed = 0;
            for (int i = 0; i < s.length(); i++) {
                packed = packed << 16 | s.charAt(i);
                if ((i & 3) == 3) {
                    add(packed);
                    packed = 0;
                }
            }
            return add(packed);
        }

        Hasher add(Duration d) {
            return d == null ? add(-1L) : add(d.getSeconds()).add(d.getNano());
        }

        Hasher add(Integer n) {
            return n == null ? add(Long.MIN_VALUE) : add((long) n);
        }

        long value() {
            return mix(h);
        }

        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }
}
