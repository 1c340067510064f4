package io.registry.client;

import io.registry.api.Instance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One change of a service's instance list as a watcher saw it: the new full list (sorted by id) and what
 * differs from the previous one. {@code updated} holds instances whose content changed (status, address,
 * tags, ...), compared without their indices and times. {@code node} is the node the list came from (null
 * for a listener's replay of the current list when the node is unknown).
 */
public record Change(String service, long index, String node, List<Instance> instances, List<Instance> added,
                     List<Instance> removed, List<Instance> updated) {

    public Change {
        instances = List.copyOf(instances);
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        updated = List.copyOf(updated);
    }

    /** True when the membership or the content of some instance differs. */
    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && updated.isEmpty();
    }

    /** The difference from {@code before} to {@code after} (both lists of one service). */
    public static Change between(String service, long index, String node, List<Instance> before,
                                 List<Instance> after) {
        Map<String, Instance> old = new LinkedHashMap<>();
        before.forEach(i -> old.put(i.id(), i));
        List<Instance> added = new ArrayList<>();
        List<Instance> updated = new ArrayList<>();
        for (Instance now : after) {
            Instance was = old.remove(now.id());
            if (was == null) {
                added.add(now);
            } else if (!sameContent(was, now)) {
                updated.add(now);
            }
        }
        return new Change(service, index, node, after, added, new ArrayList<>(old.values()), updated);
    }

    static boolean sameContent(Instance a, Instance b) {
        return a.port() == b.port() && a.weight() == b.weight()
                && Objects.equals(a.address(), b.address()) && Objects.equals(a.tags(), b.tags())
                && Objects.equals(a.metadata(), b.metadata()) && Objects.equals(a.zone(), b.zone())
                && Objects.equals(a.check(), b.check()) && a.status() == b.status()
                && a.createIndex() == b.createIndex();
    }
}
