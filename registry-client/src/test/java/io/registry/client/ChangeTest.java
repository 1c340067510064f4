package io.registry.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.registry.api.Check;
import io.registry.api.Instance;
import io.registry.api.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangeTest {
    static Instance instance(String id, Status status, long modifyIndex) {
        return new Instance("web", id, "10.0.0.1", 80, List.of(), Map.of(), 100, null, Check.none(), status,
                1, modifyIndex, 0, 0);
    }

    @Test
    void reportsAddedRemovedAndUpdatedInstances() {
        List<Instance> before = List.of(instance("a", Status.PASSING, 1), instance("b", Status.PASSING, 1),
                instance("c", Status.PASSING, 1));
        List<Instance> after = List.of(instance("a", Status.PASSING, 1), instance("b", Status.CRITICAL, 5),
                instance("d", Status.PASSING, 5));
        Change change = Change.between("web", 5, "n1", before, after);
        assertThat(change.added()).extracting(Instance::id).containsExactly("d");
        assertThat(change.removed()).extracting(Instance::id).containsExactly("c");
        assertThat(change.updated()).extracting(Instance::id).containsExactly("b");
        assertThat(change.isEmpty()).isFalse();
    }

    @Test
    void aNewModifyIndexWithTheSameContentIsNoChange() {
        Change change = Change.between("web", 9, "n1", List.of(instance("a", Status.PASSING, 1)),
                List.of(instance("a", Status.PASSING, 9)));
        assertThat(change.isEmpty()).isTrue();
    }
}
