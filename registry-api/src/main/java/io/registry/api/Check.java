package io.registry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;

/**
 * A health-check specification. Durations are null where the type does not use them;
 * {@link Validation} fills defaults so a stored check is always complete.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Check(
        CheckType type,
        Duration ttl,
        String url,
        Duration interval,
        Duration timeout,
        Duration deregisterAfter,
        Integer rise,
        Integer fall) {

    public static final Duration DEFAULT_DEREGISTER_AFTER = Duration.ofSeconds(60);
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_RISE = 1;
    public static final int DEFAULT_FALL = 3;

    public static Check none() {
        return new Check(CheckType.NONE, null, null, null, null, null, null, null);
    }

    public static Check ttl(Duration ttl) {
        return new Check(CheckType.TTL, ttl, null, null, null, DEFAULT_DEREGISTER_AFTER, DEFAULT_RISE, DEFAULT_FALL);
    }
}
