package io.registry.statemachine.command;

import io.registry.api.Status;

/**
 * A health transition observed by the leader. Ignored unless the instance's modifyIndex equals
 * {@code observedModifyIndex}, for the same reason as {@link Expire}.
 */
public record SetStatus(String service, String id, Status status, long observedModifyIndex) implements Command {
}
