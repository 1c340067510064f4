package io.registry.client;

/**
 * Told about every change of a discovered service, in order, on the client's notifier thread (one for the
 * whole client: keep the work short or hand it off). An exception thrown here is logged and ignored.
 */
@FunctionalInterface
public interface ChangeListener {
    void onChange(Change change);
}
