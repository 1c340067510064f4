package io.registry.statemachine;

import io.registry.api.Check;
import io.registry.api.Instance;
import io.registry.api.Status;
import io.registry.statemachine.command.Entry;
import io.registry.statemachine.core.RegistryState;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Small builders shared by the state machine tests. */
public final class Fixtures {
    private Fixtures() {
    }

    /** A valid instance as a client would send it: indices and times zero, apply assigns them. */
    public static Instance instance(String service, String id) {
        return instance(service, id, Status.PASSING);
    }

    public static Instance instance(String service, String id, Status status) {
        return new Instance(service, id, "10.0.0.1", 8080, List.of("v1"), Map.of("team", "core"), 100, "zone-a",
                Check.ttl(Duration.ofSeconds(15)), status, 0, 0, 0, 0);
    }

    /** Apply entries with indices 1, 2, 3, ... */
    public static RegistryState replay(List<Entry> entries) {
        RegistryState state = new RegistryState();
        applyFrom(state, entries, 0);
        return state;
    }

    /** Apply {@code entries[from..]} with index = position + 1, as if they followed the first {@code from}. */
    public static void applyFrom(RegistryState state, List<Entry> entries, int from) {
        for (int i = from; i < entries.size(); i++) {
            Entry e = entries.get(i);
            state.apply(e.command(), i + 1, e.leaderTimeMillis());
        }
    }
}
