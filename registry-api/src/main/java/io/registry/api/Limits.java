package io.registry.api;

import java.time.Duration;

/** Bounds on everything a caller can store; each check in {@link Validation} names its limit. */
public final class Limits {
    public static final int SERVICE_NAME_MAX_CHARS = 63;
    public static final int INSTANCE_ID_MAX_CHARS = 128;
    public static final int ADDRESS_MAX_CHARS = 253;
    public static final int TAGS_MAX = 64;
    public static final int TAG_MAX_CHARS = 256;
    public static final int METADATA_MAX = 64;
    public static final int METADATA_KEY_MAX_CHARS = 128;
    public static final int METADATA_VALUE_MAX_CHARS = 512;
    public static final int ZONE_MAX_CHARS = 64;
    public static final int WEIGHT_MIN = 1;
    public static final int WEIGHT_MAX = 1000;
    public static final int WEIGHT_DEFAULT = 100;
    public static final int THRESHOLD_MAX = 10;
    public static final Duration TTL_MIN = Duration.ofMillis(100);
    public static final Duration TTL_MAX = Duration.ofHours(24);
    public static final Duration INTERVAL_MIN = Duration.ofMillis(100);
    public static final Duration INTERVAL_MAX = Duration.ofHours(1);
    public static final Duration DEREGISTER_AFTER_MIN = Duration.ofMillis(100);
    public static final Duration DEREGISTER_AFTER_MAX = Duration.ofDays(7);

    private Limits() {
    }
}
