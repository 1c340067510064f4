package io.registry.bench.jmh;

import io.registry.api.Check;
import io.registry.api.Instance;
import io.registry.api.Status;
import io.registry.statemachine.command.Register;
import io.registry.statemachine.core.RegistryState;
import io.registry.statemachine.core.Result;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Typical instances for the JMH benchmarks: a TTL check, two tags, two metadata pairs, a zone. */
final class Fixtures {
    private Fixtures() {
    }

    static Instance instance(String service, int n) {
        return new Instance(service, "instance-" + n, "10.0." + (n >> 8 & 255) + "." + (n & 255), 8080,
                List.of("http", "v2"), Map.of("version", "1.4.2", "team", "payments"), 100, "zone-a",
                Check.ttl(Duration.ofSeconds(15)), Status.PASSING, 0, 0, 0, 0);
    }

    /** A state holding {@code count} instances of {@code service}, applied at indices 1..count. */
    static RegistryState state(String service, int count) {
        RegistryState state = new RegistryState();
        for (int i = 0; i < count; i++) {
            Result r = state.apply(new Register(instance(service, i)), i + 1, 1_700_000_000_000L);
            if (!(r instanceof Result.Stored)) {
                throw new IllegalStateException("fixture registration refused: " + r);
            }
        }
        state.drainChangedServices();
        return state;
    }
}
