package io.registry.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders results as an aligned text table plus one detail line per run. Pure: strings in, string out. */
public final class Table {
    static final List<String> HEADERS = List.of("scenario", "run", "conc", "ops/s", "p50 ms", "p99 ms",
            "p999 ms", "max ms", "samples", "errors", "cpu bench%", "cpu nodes%", "cpu other%");

    private Table() {
    }

    public static String render(List<ScenarioResult> results) {
        List<List<String>> rows = new ArrayList<>();
        for (ScenarioResult r : results) {
            rows.add(row(r));
        }
        StringBuilder out = new StringBuilder(format(HEADERS, rows));
        for (ScenarioResult r : results) {
            String details = details(r);
            if (!details.isEmpty()) {
                out.append(r.scenario()).append('#').append(r.run()).append(": ").append(details).append('\n');
            }
        }
        return out.toString();
    }

    static List<String> row(ScenarioResult r) {
        Latency l = r.latency();
        Object conc = r.params().getOrDefault("concurrency", "-");
        return List.of(r.scenario(), String.valueOf(r.run()), String.valueOf(conc),
                r.opsPerSec() > 0 ? grouped(Math.round(r.opsPerSec())) : "-", millis(l.p50()), millis(l.p99()),
                millis(l.p999()), millis(l.max()), grouped(l.count()), grouped(r.errors()),
                percent(r.cpuPercent().get("bench")), percent(nodesCpu(r.cpuPercent())),
                percent(r.cpuPercent().get("other")));
    }

    /** Left-aligns the first column, right-aligns the others (numbers), two spaces between columns. */
    public static String format(List<String> headers, List<List<String>> rows) {
        int[] width = new int[headers.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = headers.get(c).length();
            for (List<String> row : rows) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, headers, width);
        for (List<String> row : rows) {
            line(out, row, width);
        }
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells, int[] width) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < width.length; c++) {
            String cell = cells.get(c);
            String pad = " ".repeat(width[c] - cell.length());
            if (c > 0) {
                line.append("  ");
            }
            line.append(c == 0 ? cell + pad : pad + cell);
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    static String details(ScenarioResult r) {
        List<String> parts = new ArrayList<>();
        if (!r.errorKinds().isEmpty()) {
            parts.add("errors " + join(r.errorKinds()));
        }
        if (!r.extra().isEmpty()) {
            parts.add(join(r.extra()));
        }
        if (r.cpuPercent().size() > 1) {
            parts.add("cpu% " + join(r.cpuPercent()));
        }
        return String.join("; ", parts);
    }

    private static String join(Map<String, ?> map) {
        List<String> parts = new ArrayList<>();
        map.forEach((k, v) -> parts.add(k + "=" + (v instanceof Double d ? String.format(Locale.ROOT, "%.1f", d) : v)));
        return String.join(" ", parts);
    }

    /** The node processes' CPU together (everything but the bench, the machine, others and the JIT share), or null. */
    public static Double nodesCpu(Map<String, Double> cpu) {
        double sum = 0;
        boolean any = false;
        for (Map.Entry<String, Double> e : cpu.entrySet()) {
            if (!e.getKey().equals("bench") && !e.getKey().equals("machine") && !e.getKey().equals("other")
                    && !e.getKey().equals(CpuMeter.JIT)) {
                sum += e.getValue();
                any = true;
            }
        }
        return any ? sum : null;
    }

    static String grouped(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String millis(double ms) {
        return ms == 0 ? "-" : String.format(Locale.ROOT, ms < 10 ? "%.2f" : "%.1f", ms);
    }

    static String percent(Double p) {
        return p == null ? "-" : String.format(Locale.ROOT, "%.0f", p);
    }
}
