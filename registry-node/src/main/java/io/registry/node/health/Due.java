package io.registry.node.health;

import io.registry.api.Status;
import io.registry.statemachine.command.Command;
import io.registry.statemachine.command.Expire;
import io.registry.statemachine.command.SetStatus;

/** A transition the leader should replicate: a status change, or removal ({@code status == null}). */
public record Due(String service, String id, long observedModifyIndex, Status status, boolean fromLease) {

    public static Due expire(String service, String id, long modifyIndex, boolean fromLease) {
        return new Due(service, id, modifyIndex, null, fromLease);
    }

    public static Due status(String service, String id, long modifyIndex, Status status, boolean fromLease) {
        return new Due(service, id, modifyIndex, status, fromLease);
    }

    public boolean isExpire() {
        return status == null;
    }

    public Command command() {
        return isExpire() ? new Expire(service, id, observedModifyIndex)
                : new SetStatus(service, id, status, observedModifyIndex);
    }
}
