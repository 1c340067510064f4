package io.registry.chaos;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Conditions with deadlines. Tests never sleep bare: they wait for something, or hold for a stated time. */
final class Waits {
    static final Duration POLL = Duration.ofMillis(50);

    private Waits() {
    }

    /** Polls {@code probe} until it yields a value; fails with {@code what} and the last answer at the deadline. */
    static <T> T until(String what, Duration timeout, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                Optional<T> value = probe.get();
                if (value.isPresent()) {
                    return value.get();
                }
            } catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what, last);
            }
            park(POLL);
        }
    }

    static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(what, timeout, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }

    /** Lets a scenario's stated time pass ("pause the leader for 5 s"), immune to early wake-ups. */
    static void hold(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        for (long left = duration.toNanos(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    /** For pacing load generators: parks until {@code deadlineNanos} (System.nanoTime based). */
    static void parkUntil(long deadlineNanos) {
        for (long left = deadlineNanos - System.nanoTime(); left > 0; left = deadlineNanos - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private static void park(Duration duration) {
        parkUntil(System.nanoTime() + duration.toNanos());
    }

    /** A daemon thread for load and observers: a hung one must not keep the test JVM alive. */
    static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, "chaos-" + name);
        t.setDaemon(true);
        return t;
    }

    /** Joins each thread for up to {@code each}, so that what they record is complete; then forgets them. */
    static void joinAll(List<Thread> threads, Duration each) {
        for (Thread t : threads) {
            try {
                t.join(each.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        threads.clear();
    }
}
