package io.registry.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Filters and options of {@code GET /v1/services/{service}/instances}. Immutable; each method returns a
 * new query. {@code Query.all().healthy().tag("v2").zone("eu-1")}.
 */
public final class Query {
    private final boolean healthy;
    private final boolean passing;
    private final List<String> tags;
    private final String zone;
    private final Map<String, String> metadata;
    private final Consistency consistency;
    private final long index;
    private final Duration wait;

    private Query(boolean healthy, boolean passing, List<String> tags, String zone, Map<String, String> metadata,
                  Consistency consistency, long index, Duration wait) {
        this.healthy = healthy;
        this.passing = passing;
        this.tags = List.copyOf(tags);
        this.zone = zone;
        this.metadata = Map.copyOf(metadata);
        this.consistency = consistency;
        this.index = index;
        this.wait = wait;
    }

    /** Every instance of the service, any status, default consistency, not blocking. */
    public static Query all() {
        return new Query(false, false, List.of(), null, Map.of(), null, -1, null);
    }

    /** Only passing or warning instances. */
    public Query healthy() {
        return new Query(true, passing, tags, zone, metadata, consistency, index, wait);
    }

    /** Only passing instances. */
    public Query passing() {
        return new Query(healthy, true, tags, zone, metadata, consistency, index, wait);
    }

    /** Only instances carrying this tag; repeat for several (all must match). */
    public Query tag(String tag) {
        List<String> more = new ArrayList<>(tags);
        more.add(Objects.requireNonNull(tag, "tag"));
        return new Query(healthy, passing, more, zone, metadata, consistency, index, wait);
    }

    public Query zone(String newZone) {
        return new Query(healthy, passing, tags, newZone, metadata, consistency, index, wait);
    }

    /** Only instances whose metadata has {@code key} = {@code value}. */
    public Query meta(String key, String value) {
        Map<String, String> more = new LinkedHashMap<>(metadata);
        more.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new Query(healthy, passing, tags, zone, more, consistency, index, wait);
    }

    public Query consistency(Consistency mode) {
        return new Query(healthy, passing, tags, zone, metadata, mode, index, wait);
    }

    /**
     * A blocking query: the answer comes once the service's index exceeds {@code afterIndex}, or after
     * {@code maxWait} with the same index.
     */
    public Query blocking(long afterIndex, Duration maxWait) {
        return new Query(healthy, passing, tags, zone, metadata, consistency, afterIndex,
                Objects.requireNonNull(maxWait, "maxWait"));
    }

    /** How long the server may hold the request; zero when not blocking. */
    Duration holdTime() {
        return index >= 0 && wait != null ? wait : Duration.ZERO;
    }

    /** The query string, starting with '?' when not empty. */
    String toQueryString() {
        List<String> params = new ArrayList<>();
        if (healthy) {
            params.add("healthy=true");
        }
        if (passing) {
            params.add("passing=true");
        }
        tags.forEach(t -> params.add("tag=" + encode(t)));
        if (zone != null) {
            params.add("zone=" + encode(zone));
        }
        metadata.forEach((k, v) -> params.add("meta." + encode(k) + "=" + encode(v)));
        if (consistency != null) {
            params.add("consistency=" + consistency.wire());
        }
        if (index >= 0) {
            params.add("index=" + index);
            if (wait != null) {
                params.add("wait=" + wait.toMillis() + "ms");
            }
        }
        return params.isEmpty() ? "" : "?" + String.join("&", params);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return "Query" + toQueryString();
    }
}
