package io.registry.client;

/**
 * The server-sent-events line protocol (the parts the registry uses): {@code event:}, {@code id:},
 * {@code data:} (repeatable, joined with newlines), comment lines starting with {@code :}, and a blank
 * line that completes an event. Not thread-safe: one parser per connection.
 */
final class SseParser {
    /** A complete event; {@code type} is {@code message} when the server named none. */
    record Event(String type, String id, String data) {
    }

    private String type;
    private String id;
    private StringBuilder data;

    /** Feeds one line (without its line terminator); returns the event it completes, or null. */
    Event line(String line) {
        if (line.isEmpty()) {
            return dispatch();
        }
        if (line.charAt(0) == ':') {
            return null;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> type = value;
            case "id" -> id = value;
            case "data" -> {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
            default -> {
                // "retry" and unknown fields: ignored, as the SSE spec says
            }
        }
        return null;
    }

    private Event dispatch() {
        Event event = data == null ? null : new Event(type == null ? "message" : type, id, data.toString());
        type = null;
        data = null;
        // the last event id persists across events, as in the SSE spec
        return event;
    }
}
