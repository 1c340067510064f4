package io.registry.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.registry.api.Json;
import java.io.PrintWriter;

/** Writes results to the command's output in the chosen format. */
final class Printer {
    private static final ObjectWriter PRETTY = Json.lenient().writerWithDefaultPrettyPrinter();
    private static final ObjectWriter COMPACT = Json.lenient().writer();

    private final PrintWriter out;
    private final Format format;
    private final Style style;

    Printer(PrintWriter out, Format format, Style style) {
        this.out = out;
        this.format = format;
        this.style = style;
    }

    boolean json() {
        return format == Format.JSON;
    }

    Style style() {
        return style;
    }

    /** A JSON document, pretty-printed. */
    void document(Object value) {
        out.println(write(PRETTY, value));
        out.flush();
    }

    /** A JSON document on one line (a stream of events, one per line). */
    void jsonLine(Object value) {
        out.println(write(COMPACT, value));
        out.flush();
    }

    void table(Table table) {
        table.render(style).forEach(out::println);
        out.flush();
    }

    void line(String text) {
        out.println(text);
        out.flush();
    }

    /** Label and value pairs, the labels padded to one width. */
    void pairs(String[][] pairs) {
        int width = 0;
        for (String[] p : pairs) {
            width = Math.max(width, p[0].length());
        }
        for (String[] p : pairs) {
            out.println(style.bold(p[0]) + " ".repeat(width - p[0].length() + 2) + p[1]);
        }
        out.flush();
    }

    private static String write(ObjectWriter writer, Object value) {
        try {
            return writer.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot print " + value + " as JSON", e);
        }
    }
}
