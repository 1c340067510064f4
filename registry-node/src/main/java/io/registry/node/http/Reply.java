package io.registry.node.http;

import io.registry.api.ApiError;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP answer before encoding: status, a body serialized as JSON, and extra headers. */
public record Reply(int status, Object body, Map<String, String> headers) {

    public static Reply ok(Object body) {
        return new Reply(200, body, new LinkedHashMap<>());
    }

    public static Reply error(int status, String code, String message) {
        return new Reply(status, new ApiError(code, message), new LinkedHashMap<>());
    }

    /** A plain-text body (the Prometheus exposition format), sent as is. */
    public static Reply text(String body, String contentType) {
        Reply reply = new Reply(200, new Text(body), new LinkedHashMap<>());
        reply.headers.put("Content-Type", contentType);
        return reply;
    }

    /** JSON encoded already (a cached service view): written as is. */
    public static Reply json(byte[] encoded) {
        return new Reply(200, new Encoded(encoded), new LinkedHashMap<>());
    }

    public record Encoded(byte[] json) {
    }

    /** Marks a body that is written verbatim rather than as JSON. */
    public record Text(String body) {
    }

    public Reply header(String name, Object value) {
        headers.put(name, String.valueOf(value));
        return this;
    }
}
