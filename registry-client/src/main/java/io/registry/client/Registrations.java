package io.registry.client;

import io.registry.api.Check;
import io.registry.api.CheckType;
import io.registry.api.Registration;
import io.registry.api.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the {@link Registration} body: {@code Registrations.of("10.0.0.5", 8080).tag("v2").ttl(Duration.ofSeconds(15)).build()}.
 * Fields left unset take the server's defaults (weight 100, no zone, no check). Not thread-safe.
 */
public final class Registrations {
    private final String address;
    private final int port;
    private final List<String> tags = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private Integer weight;
    private String zone;
    private Check check;
    private Duration deregisterAfter;
    private Status status;

    private Registrations(String address, int port) {
        this.address = Objects.requireNonNull(address, "address");
        this.port = port;
    }

    public static Registrations of(String address, int port) {
        return new Registrations(address, port);
    }

    public Registrations tag(String tag) {
        tags.add(tag);
        return this;
    }

    public Registrations tags(List<String> more) {
        tags.addAll(more);
        return this;
    }

    public Registrations meta(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public Registrations metadata(Map<String, String> more) {
        metadata.putAll(more);
        return this;
    }

    public Registrations weight(int w) {
        this.weight = w;
        return this;
    }

    public Registrations zone(String z) {
        this.zone = z;
        return this;
    }

    /** The instance renews a lease by heartbeat; {@link RegistryClient#register} sends them at ttl/3. */
    public Registrations ttl(Duration ttl) {
        this.check = new Check(CheckType.TTL, ttl, null, null, null, null, null, null);
        return this;
    }

    /** The leader GETs {@code url} every {@code interval} (null for the server's defaults of 10s and 2s). */
    public Registrations httpCheck(String url, Duration interval, Duration timeout) {
        this.check = new Check(CheckType.HTTP, null, url, interval, timeout, null, null, null);
        return this;
    }

    /** The leader opens a TCP connection to address:port every {@code interval}. */
    public Registrations tcpCheck(Duration interval, Duration timeout) {
        this.check = new Check(CheckType.TCP, null, null, interval, timeout, null, null, null);
        return this;
    }

    /** How long the instance may stay critical before the leader removes it (server default 60s). */
    public Registrations deregisterAfter(Duration after) {
        this.deregisterAfter = after;
        return this;
    }

    public Registrations status(Status initial) {
        this.status = initial;
        return this;
    }

    public Registration build() {
        Check withDeregister = check;
        if (deregisterAfter != null) {
            Check c = check == null ? new Check(CheckType.NONE, null, null, null, null, null, null, null) : check;
            withDeregister = new Check(c.type(), c.ttl(), c.url(), c.interval(), c.timeout(), deregisterAfter,
                    c.rise(), c.fall());
        }
        return new Registration(address, port, List.copyOf(tags), Map.copyOf(metadata), weight, zone,
                withDeregister, status);
    }
}
