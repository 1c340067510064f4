package io.registry.statemachine.command;

/**
 * Every change to the registry is one of these. A new command breaks the build until every
 * exhaustive switch over it (apply, codec) handles it.
 */
public sealed interface Command permits Register, Deregister, Expire, SetStatus, Batch {
}
