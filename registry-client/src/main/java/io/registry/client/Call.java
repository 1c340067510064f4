package io.registry.client;

import io.registry.api.Instance;
import io.registry.client.balance.Outstanding;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A call in flight to one instance, counted by the least-outstanding strategy until closed. Use it in
 * try-with-resources around the request you send to {@link #instance()}; closing twice is harmless.
 */
public final class Call implements AutoCloseable {
    private final Instance instance;
    private final Outstanding outstanding;
    private final AtomicBoolean finished = new AtomicBoolean();

    Call(Instance instance, Outstanding outstanding) {
        this.instance = instance;
        this.outstanding = outstanding;
        outstanding.started(instance);
    }

    public Instance instance() {
        return instance;
    }

    /** "host:port" of the instance, ready for a URI. IPv6 addresses get brackets. */
    public String hostPort() {
        String host = instance.address().contains(":") ? "[" + instance.address() + "]" : instance.address();
        return host + ":" + instance.port();
    }

    @Override
    public void close() {
        if (finished.compareAndSet(false, true)) {
            outstanding.finished(instance);
        }
    }
}
