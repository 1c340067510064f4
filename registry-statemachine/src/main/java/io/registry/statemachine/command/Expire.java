package io.registry.statemachine.command;

/**
 * The leader removes an instance whose lease or check failed. Ignored unless the instance's current
 * modifyIndex equals {@code observedModifyIndex}: a fresh registration is never lost to a stale expiry.
 */
public record Expire(String service, String id, long observedModifyIndex) implements Command {
}
