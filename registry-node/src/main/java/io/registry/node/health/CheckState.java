package io.registry.node.health;

import io.registry.api.Status;

/**
 * Rise/fall thresholds for one actively checked instance: a status is proposed only after
 * {@code rise} good or {@code fall} failed probes in a row. Pure; time-free.
 */
public final class CheckState {
    private Status status;
    private Status lastResult;
    private int streak;

    public CheckState(Status current) {
        this.status = current;
    }

    /** Records a probe result; returns the status to propose, or null if nothing should change. */
    public Status observe(Status result, int rise, int fall) {
        streak = result == lastResult ? streak + 1 : 1;
        lastResult = result;
        int needed = result == Status.CRITICAL ? fall : rise;
        return streak >= needed && result != status ? result : null;
    }

    /** The status as applied (after our own proposal, or an operator's re-registration). */
    public void applied(Status current) {
        status = current;
    }

    public Status status() {
        return status;
    }
}
