package io.registry.node.config;

/**
 * Leader-side health settings. Mass-expiry protection: when more than {@code protectionShare} of the
 * TTL instances (and at least {@code protectionMinInstances}) would expire within one TTL window, the
 * leader assumes the fault is its own and expires at most {@code protectionRatePerSecond} per second.
 */
public record HealthSettings(double protectionShare, int protectionMinInstances, double protectionRatePerSecond,
                             int maxConcurrentProbes) {

    public static final HealthSettings DEFAULT = new HealthSettings(0.5, 10, 20.0, 256);

    public HealthSettings {
        if (protectionShare <= 0 || protectionShare > 1) {
            throw new ConfigException("--protection-share must be above 0 and at most 1 (got " + protectionShare + ")");
        }
        if (protectionMinInstances < 1) {
            throw new ConfigException("--protection-min-instances must be at least 1");
        }
        if (protectionRatePerSecond <= 0) {
            throw new ConfigException("--protection-rate must be above 0 expiries per second");
        }
        if (maxConcurrentProbes < 1) {
            throw new ConfigException("--max-concurrent-probes must be at least 1");
        }
    }
}
