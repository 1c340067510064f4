package io.registry.bench.load;

import java.util.function.LongConsumer;

/**
 * Finds the {@code id:} of each complete server-sent event in a byte stream without keeping the (large)
 * {@code data:} lines: only the first few characters of every line are looked at. An event is complete at
 * its blank line; events without an id (keepalive comments) are skipped.
 */
public final class SseScanner {
    private static final int PREFIX_CHARS = 32;

    private final LongConsumer onEvent;
    private final StringBuilder prefix = new StringBuilder(PREFIX_CHARS);
    private int lineLength;
    private long eventId = -1;

    public SseScanner(LongConsumer onEvent) {
        this.onEvent = onEvent;
    }

    public void feed(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            feed(bytes[i]);
        }
    }

    public void feed(byte b) {
        if (b == '\n') {
            endLine();
        } else if (b != '\r') {
            lineLength++;
            if (prefix.length() < PREFIX_CHARS) {
                prefix.append((char) (b & 0xff));
            }
        }
    }

    private void endLine() {
        if (lineLength == 0) {
            if (eventId >= 0) {
                onEvent.accept(eventId);
            }
            eventId = -1;
        } else if (prefix.length() > 3 && prefix.charAt(0) == 'i' && prefix.charAt(1) == 'd' && prefix.charAt(2) == ':') {
            try {
                eventId = Long.parseLong(prefix.substring(3).trim());
            } catch (NumberFormatException e) {
                eventId = -1;
            }
        }
        lineLength = 0;
        prefix.setLength(0);
    }
}
