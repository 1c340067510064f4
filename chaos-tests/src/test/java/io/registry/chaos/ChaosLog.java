package io.registry.chaos;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One logger for the harness, with printf-style messages. */
final class ChaosLog {
    private static final Logger LOG = LoggerFactory.getLogger("io.registry.chaos");

    private ChaosLog() {
    }

    static void info(String format, Object... args) {
        LOG.info(String.format(format, args));
    }

    static void warn(String format, Object... args) {
        LOG.warn(String.format(format, args));
    }
}
