package io.registry.node.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline: the only way tests wait (no bare sleeps). */
public final class Await {
    private static final long POLL_MILLIS = 20;

    private Await() {
    }

    public static void until(Duration timeout, String what, BooleanSupplier condition) {
        value(timeout, what, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
    }

    /** As {@link #until(Duration, String, BooleanSupplier)}, naming what was last seen when it times out. */
    public static void until(Duration timeout, String what, BooleanSupplier condition, Supplier<?> lastSeen) {
        try {
            until(timeout, what, condition);
        } catch (AssertionError timedOut) {
            throw new AssertionError(timedOut.getMessage() + "; last seen: " + lastSeen.get(), timedOut);
        }
    }

    /** Polls until the supplier returns non-null (exceptions count as "not yet") and returns that value. */
    public static <T> T value(Duration timeout, String what, Supplier<T> supplier) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable last = null;
        while (true) {
            try {
                T value = supplier.get();
                if (value != null) {
                    return value;
                }
            } catch (RuntimeException | AssertionError e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError error = new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for "
                        + what + (last == null ? "" : " (last error: " + last + ")"));
                if (last != null) {
                    error.addSuppressed(last);
                }
                throw error;
            }
            pause();
        }
    }

    /** Asserts that {@code condition} holds at every poll for the whole {@code period}. */
    public static void holds(Duration period, String what, BooleanSupplier condition) {
        long end = System.nanoTime() + period.toNanos();
        while (System.nanoTime() < end) {
            if (!condition.getAsBoolean()) {
                throw new AssertionError("stopped holding: " + what);
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
