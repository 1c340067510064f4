package io.registry.statemachine.core;

import io.registry.api.Instance;
import java.util.List;

/** What applying a command did. Apply never throws; a refusal is a {@link Rejected} result. */
public sealed interface Result {

    /** The instance as stored after a Register or SetStatus. */
    record Stored(Instance instance) implements Result {
    }

    /** The instance that a Deregister or Expire removed. */
    record Removed(Instance instance) implements Result {
    }

    /** The command was refused; {@code code} maps to an HTTP status (not_found → 404, others → 400). */
    record Rejected(String code, String message) implements Result {
    }

    /** A stale Expire or SetStatus that applied to an older registration: nothing changed. */
    record Ignored(String reason) implements Result {
    }

    /** One result per command of a Batch, in order. */
    record Batched(List<Result> results) implements Result {
        public Batched {
            results = List.copyOf(results);
        }
    }
}
