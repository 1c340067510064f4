package io.registry.api;

import static io.registry.api.Limits.*;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Input validation shared by the HTTP facade (before the log) and the state machine (again in apply).
 * Every failure is a 400 whose message names the field, the rule and an example of a good value.
 */
public final class Validation {
    private static final CharClass SERVICE = CharClass.of("abcdefghijklmnopqrstuvwxyz0123456789-");
    private static final CharClass ID = CharClass.of(CharClass.LETTERS_AND_DIGITS + "_.:-");
    private static final CharClass ADDRESS = CharClass.of(CharClass.LETTERS_AND_DIGITS + "_.:%-");
    private static final CharClass META_KEY = CharClass.of(CharClass.LETTERS_AND_DIGITS + "_.-");
    private static final CharClass ZONE = META_KEY;

    private Validation() {
    }

    public static String serviceName(String service) {
        if (service == null || service.isEmpty() || service.length() > SERVICE_NAME_MAX_CHARS
                || !SERVICE.matchesAll(service) || service.charAt(0) == '-' || service.endsWith("-")) {
            throw bad("invalid_service", "service name '" + service + "' must be 1-" + SERVICE_NAME_MAX_CHARS
                    + " characters of a-z, 0-9 and '-', not starting or ending with '-' (e.g. 'payments-api')");
        }
        return service;
    }

    public static String instanceId(String id) {
        if (id == null || id.isEmpty() || id.length() > INSTANCE_ID_MAX_CHARS || !ID.matchesAll(id)) {
            throw bad("invalid_id", "instance id '" + id + "' must be 1-" + INSTANCE_ID_MAX_CHARS
                    + " characters of A-Z, a-z, 0-9, '_', '.', ':' and '-' (e.g. 'payments-1')");
        }
        return id;
    }

    /** The instance a registration describes, with defaults applied; indices and times are zero. */
    public static Instance instance(String service, String id, Registration body) {
        serviceName(service);
        instanceId(id);
        if (body == null) {
            throw bad("missing_body", "the request needs a JSON body such as {\"address\":\"10.0.0.5\",\"port\":8080}");
        }
        String address = address(body.address());
        int port = port(body.port());
        List<String> tags = tags(body.tags());
        Map<String, String> metadata = metadata(body.metadata());
        int weight = weight(body.weight());
        String zone = zone(body.zone());
        Check check = check(body.check());
        Status status = body.status() == null ? Status.PASSING : body.status();
        return new Instance(service, id, address, port, tags, metadata, weight, zone, check, status, 0, 0, 0, 0);
    }

    /** Re-check an instance already built (the state machine asserts this again in apply). */
    public static Instance instance(Instance i) {
        Registration r = new Registration(i.address(), i.port(), i.tags(), i.metadata(), i.weight(), i.zone(),
                i.check(), i.status());
        Instance checked = instance(i.service(), i.id(), r);
        return checked.withIndices(i.createIndex(), i.modifyIndex(), i.registeredAt(), i.lastStatusChange());
    }

    private static String address(String address) {
        if (address == null || address.isBlank()) {
            throw bad("missing_field", "field 'address' is required: the host name or IP clients connect to "
                    + "(e.g. \"address\":\"10.0.0.5\")");
        }
        if (address.length() > ADDRESS_MAX_CHARS || !ADDRESS.matchesAll(address)) {
            throw bad("invalid_address", "address '" + address + "' must be a host name or IP of at most "
                    + ADDRESS_MAX_CHARS + " characters (e.g. 'api-1.internal' or '10.0.0.5')");
        }
        return address;
    }

    private static int port(Integer port) {
        if (port == null) {
            throw bad("missing_field", "field 'port' is required: a number from 1 to 65535 (e.g. \"port\":8080)");
        }
        if (port < 1 || port > 65535) {
            throw bad("invalid_port", "port " + port + " is out of range: use a number from 1 to 65535");
        }
        return port;
    }

    private static List<String> tags(List<String> tags) {
        if (tags == null) {
            return List.of();
        }
        if (tags.size() > TAGS_MAX) {
            throw bad("too_many_tags", tags.size() + " tags given; at most " + TAGS_MAX + " are allowed");
        }
        for (String tag : tags) {
            if (tag == null || tag.isEmpty() || tag.length() > TAG_MAX_CHARS) {
                throw bad("invalid_tag", "each tag must be 1-" + TAG_MAX_CHARS + " characters (e.g. \"tags\":[\"v2\"])");
            }
        }
        return List.copyOf(tags);
    }

    private static Map<String, String> metadata(Map<String, String> metadata) {
        if (metadata == null) {
            return Map.of();
        }
        if (metadata.size() > METADATA_MAX) {
            throw bad("too_much_metadata", metadata.size() + " metadata pairs given; at most " + METADATA_MAX
                    + " are allowed");
        }
        metadata.forEach((k, v) -> {
            if (k.length() > METADATA_KEY_MAX_CHARS || !META_KEY.matchesAll(k)) {
                throw bad("invalid_metadata", "metadata key '" + k + "' must be 1-" + METADATA_KEY_MAX_CHARS
                        + " characters of A-Z, a-z, 0-9, '_', '.' and '-'");
            }
            if (v == null || v.length() > METADATA_VALUE_MAX_CHARS) {
                throw bad("invalid_metadata", "metadata value of '" + k + "' must be a string of at most "
                        + METADATA_VALUE_MAX_CHARS + " characters");
            }
        });
        return Map.copyOf(metadata);
    }

    private static int weight(Integer weight) {
        if (weight == null) {
            return WEIGHT_DEFAULT;
        }
        if (weight < WEIGHT_MIN || weight > WEIGHT_MAX) {
            throw bad("invalid_weight", "weight " + weight + " is out of range: use " + WEIGHT_MIN + " to "
                    + WEIGHT_MAX + " (default " + WEIGHT_DEFAULT + ")");
        }
        return weight;
    }

    private static String zone(String zone) {
        if (zone == null) {
            return null;
        }
        if (zone.isEmpty() || zone.length() > ZONE_MAX_CHARS || !ZONE.matchesAll(zone)) {
            throw bad("invalid_zone", "zone '" + zone + "' must be 1-" + ZONE_MAX_CHARS
                    + " characters of A-Z, a-z, 0-9, '_', '.' and '-' (e.g. 'eu-west-1a')");
        }
        return zone;
    }

    /** A complete check: the type's required fields present and in range, defaults filled. */
    public static Check check(Check c) {
        if (c == null || c.type() == null) {
            if (c != null && (c.ttl() != null || c.url() != null || c.interval() != null)) {
                throw bad("invalid_check", "field 'check.type' is required: one of ttl, http, tcp, none");
            }
            return Check.none();
        }
        Duration deregisterAfter = within("check.deregisterAfter",
                c.deregisterAfter() == null ? Check.DEFAULT_DEREGISTER_AFTER : c.deregisterAfter(),
                DEREGISTER_AFTER_MIN, DEREGISTER_AFTER_MAX);
        int rise = threshold("check.rise", c.rise() == null ? Check.DEFAULT_RISE : c.rise());
        int fall = threshold("check.fall", c.fall() == null ? Check.DEFAULT_FALL : c.fall());
        return switch (c.type()) {
            case NONE -> Check.none();
            case TTL -> {
                if (c.ttl() == null) {
                    throw bad("invalid_check", "a ttl check needs 'ttl', how long a heartbeat keeps the instance "
                            + "alive (e.g. {\"type\":\"ttl\",\"ttl\":\"15s\"})");
                }
                yield new Check(CheckType.TTL, within("check.ttl", c.ttl(), TTL_MIN, TTL_MAX), null, null, null,
                        deregisterAfter, rise, fall);
            }
            case HTTP -> {
                String url = c.url();
                if (url == null || !(url.startsWith("http://") || url.startsWith("https://")) || url.length() > 2048) {
                    throw bad("invalid_check", "an http check needs 'url', an http:// or https:// address of at most "
                            + "2048 characters (e.g. \"url\":\"http://10.0.0.5:8080/health\")");
                }
                Probe p = probe(c);
                yield new Check(CheckType.HTTP, null, url, p.interval, p.timeout, deregisterAfter, rise, fall);
            }
            case TCP -> {
                Probe p = probe(c);
                yield new Check(CheckType.TCP, null, null, p.interval, p.timeout, deregisterAfter, rise, fall);
            }
        };
    }

    private record Probe(Duration interval, Duration timeout) {
    }

    private static Probe probe(Check c) {
        Duration interval = within("check.interval", c.interval() == null ? Check.DEFAULT_INTERVAL : c.interval(),
                INTERVAL_MIN, INTERVAL_MAX);
        Duration timeout = c.timeout() == null ? Check.DEFAULT_TIMEOUT : c.timeout();
        if (timeout.compareTo(interval) > 0) {
            timeout = c.timeout() == null ? interval : timeout;
        }
        within("check.timeout", timeout, Duration.ofMillis(10), interval);
        return new Probe(interval, timeout);
    }

    private static Duration within(String field, Duration d, Duration min, Duration max) {
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw bad("invalid_check", "'" + field + "' " + Durations.format(d) + " is out of range: use "
                    + Durations.format(min) + " to " + Durations.format(max));
        }
        return d;
    }

    private static int threshold(String field, int n) {
        if (n < 1 || n > THRESHOLD_MAX) {
            throw bad("invalid_check", "'" + field + "' " + n + " is out of range: use 1 to " + THRESHOLD_MAX);
        }
        return n;
    }

    private static ApiException bad(String code, String message) {
        return ApiException.badRequest(code, message);
    }
}
