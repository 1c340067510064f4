package io.registry.statemachine.command;

/** Remove an instance on request; unknown instances are rejected with {@code not_found}. */
public record Deregister(String service, String id) implements Command {
}
