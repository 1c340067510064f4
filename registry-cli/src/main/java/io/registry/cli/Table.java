package io.registry.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A table of left-aligned columns separated by two spaces, with an upper-case header. Widths come from
 * the plain text, colours are applied after padding, so colour codes never break the alignment.
 */
final class Table {
    private static final String GAP = "  ";

    /** A cell: its text and how to colour it. */
    record Cell(String text, UnaryOperator<String> colour) {
        static Cell of(Object value) {
            return new Cell(value == null ? "-" : String.valueOf(value), UnaryOperator.identity());
        }
    }

    private final List<String> header;
    private final List<List<Cell>> rows = new ArrayList<>();

    Table(String... header) {
        this.header = List.of(header);
    }

    /** A row of plain values; null shows as "-". */
    Table row(Object... values) {
        List<Cell> cells = new ArrayList<>();
        for (Object v : values) {
            cells.add(v instanceof Cell c ? c : Cell.of(v));
        }
        if (cells.size() != header.size()) {
            throw new IllegalArgumentException(cells.size() + " cells for " + header.size() + " columns");
        }
        rows.add(cells);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    List<String> render(Style style) {
        int[] widths = new int[header.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = header.get(c).length();
            for (List<Cell> row : rows) {
                widths[c] = Math.max(widths[c], row.get(c).text().length());
            }
        }
        List<String> lines = new ArrayList<>();
        List<Cell> head = header.stream().map(h -> new Cell(h, style::bold)).toList();
        lines.add(line(head, widths));
        rows.forEach(row -> lines.add(line(row, widths)));
        return lines;
    }

    private static String line(List<Cell> cells, int[] widths) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            Cell cell = cells.get(c);
            boolean last = c == cells.size() - 1;
            String padded = last ? cell.text() : pad(cell.text(), widths[c]);
            String trailing = padded.substring(cell.text().length());
            sb.append(cell.colour().apply(cell.text())).append(trailing);
            if (!last) {
                sb.append(GAP);
            }
        }
        return sb.toString().stripTrailing();
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }
}
