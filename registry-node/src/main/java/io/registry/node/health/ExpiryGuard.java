package io.registry.node.health;

import io.registry.node.config.HealthSettings;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mass-expiry protection. If more than a share of the TTL instances would lapse within one TTL window,
 * the likelier fault is the leader's own (a pause, a partition from its clients), so lease-driven
 * transitions are let through at a bounded rate only. Time is passed in; not thread-safe (one duty loop).
 */
public final class ExpiryGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ExpiryGuard.class);

    private final HealthSettings settings;
    private final ArrayDeque<Long> recent = new ArrayDeque<>();
    private boolean protecting;
    private double tokens;
    private long lastRefill;

    public ExpiryGuard(HealthSettings settings) {
        this.settings = settings;
    }

    /**
     * @param due lease-driven transitions due now
     * @param tracked how many TTL instances the leader tracks
     * @param windowMillis the TTL window to count lapses over
     * @return the transitions to propose now
     */
    public List<Due> admit(List<Due> due, int tracked, long windowMillis, long now) {
        while (!recent.isEmpty() && recent.peekFirst() <= now - Math.max(1000, windowMillis)) {
            recent.pollFirst();
        }
        double share = settings.protectionShare() * tracked;
        int lapsing = recent.size() + due.size();
        // Hysteresis: once on, stay on until the backlog drains or halves below the share, so the
        // transitions held back are not all released at once the moment the count dips under it.
        boolean mass = tracked >= settings.protectionMinInstances()
                && (protecting ? !due.isEmpty() && lapsing > share / 2 : lapsing > share);
        if (mass != protecting) {
            protecting = mass;
            tokens = 1;
            lastRefill = now;
            if (mass) {
                LOG.warn("Mass-expiry protection ON: {} of {} TTL instances would lapse within {} ms; assuming the "
                        + "fault is this leader's and expiring at most {}/s", recent.size() + due.size(), tracked,
                        windowMillis, settings.protectionRatePerSecond());
            } else {
                LOG.warn("Mass-expiry protection OFF: lapses are back under {}% of {} TTL instances",
                        Math.round(settings.protectionShare() * 100), tracked);
            }
        }
        List<Due> admitted = due;
        if (protecting) {
            double rate = settings.protectionRatePerSecond();
            tokens = Math.min(Math.max(1, rate), tokens + (now - lastRefill) * rate / 1000.0);
            lastRefill = now;
            int allowed = (int) Math.min(due.size(), Math.floor(tokens));
            tokens -= allowed;
            admitted = new ArrayList<>(due.subList(0, allowed));
        }
        for (int i = 0; i < admitted.size(); i++) {
            recent.addLast(now);
        }
        return admitted;
    }

    public boolean protecting() {
        return protecting;
    }

    public void reset() {
        recent.clear();
        protecting = false;
    }
}
