package io.registry.client;

/** Stops what it was returned for (a listener); closing twice is harmless. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
