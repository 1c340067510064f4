package io.registry.statemachine.command;

import io.registry.api.Instance;

/**
 * Register or replace an instance. Indices and times in {@code instance} are ignored: apply assigns
 * them from the log index and the leader-stamped time. Re-registering keeps the createIndex and
 * registeredAt of the instance it replaces.
 */
public record Register(Instance instance) implements Command {
}
