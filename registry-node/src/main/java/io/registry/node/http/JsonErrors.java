package io.registry.node.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.registry.api.ApiException;
import java.util.stream.Collectors;

/** Turns Jackson's complaints into messages a caller can act on, without internals. */
final class JsonErrors {
    private JsonErrors() {
    }

    static ApiException describe(JsonProcessingException e) {
        if (e instanceof JsonParseException p) {
            return ApiException.badRequest("invalid_json", "the body is not valid JSON (line "
                    + p.getLocation().getLineNr() + ", column " + p.getLocation().getColumnNr() + "): "
                    + p.getOriginalMessage().split("\n")[0]);
        }
        String field = e instanceof JsonMappingException m ? path(m) : "";
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", "));
            return ApiException.badRequest("unknown_field", "unknown field '" + field + "' in the body; "
                    + "known fields here: " + known);
        }
        Throwable cause = e.getCause();
        if (cause instanceof IllegalArgumentException iae && cause.getMessage() != null) {
            return ApiException.badRequest("invalid_field", "field '" + field + "': " + iae.getMessage());
        }
        if (e instanceof InvalidFormatException f) {
            return ApiException.badRequest("invalid_field", "field '" + field + "' cannot be "
                    + quote(f.getValue()) + ": it must be " + article(f.getTargetType()));
        }
        if (e instanceof MismatchedInputException mi && mi.getTargetType() != null) {
            if (field.isEmpty()) {
                return ApiException.badRequest("invalid_json", "the body must be a JSON object such as "
                        + "{\"address\":\"10.0.0.5\",\"port\":8080}");
            }
            return ApiException.badRequest("invalid_field", "field '" + field + "' must be "
                    + article(mi.getTargetType()));
        }
        return ApiException.badRequest("invalid_json", "the body could not be read"
                + (field.isEmpty() ? "" : " at field '" + field + "'") + ": " + e.getOriginalMessage().split("\n")[0]);
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String quote(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }

    private static String article(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (java.util.Map.class.isAssignableFrom(type)) {
            return "an object of string values";
        }
        if (type.isEnum()) {
            return "one of the documented values";
        }
        return "a JSON object";
    }
}
