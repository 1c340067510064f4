package io.registry.statemachine.command;

import java.util.List;

/** Many commands in one log entry, applied in order, each with its own result. Never nested. */
public record Batch(List<Command> commands) implements Command {
    public Batch {
        commands = List.copyOf(commands);
    }
}
