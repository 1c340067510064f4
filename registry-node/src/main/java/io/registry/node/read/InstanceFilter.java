package io.registry.node.read;

import io.registry.api.Instance;
import io.registry.api.Status;
import java.util.List;
import java.util.Map;

/** The filters of {@code GET /v1/services/{service}/instances}; all given filters must match. */
public record InstanceFilter(boolean healthy, boolean passing, List<String> tags, String zone,
                             Map<String, String> metadata) {

    public static final InstanceFilter ALL = new InstanceFilter(false, false, List.of(), null, Map.of());

    public boolean isEmpty() {
        return !healthy && !passing && tags.isEmpty() && zone == null && metadata.isEmpty();
    }

    public boolean test(Instance i) {
        if (passing && i.status() != Status.PASSING) {
            return false;
        }
        if (healthy && !i.status().healthy()) {
            return false;
        }
        if (zone != null && !zone.equals(i.zone())) {
            return false;
        }
        if (!i.tags().containsAll(tags)) {
            return false;
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (!e.getValue().equals(i.metadata().get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    public List<Instance> apply(List<Instance> instances) {
        return isEmpty() ? instances : instances.stream().filter(this::test).toList();
    }
}
