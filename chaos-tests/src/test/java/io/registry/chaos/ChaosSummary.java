package io.registry.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** The table printed at the end of a run and written to target/chaos-summary.md. */
final class ChaosSummary {
    record Row(String scenario, String result, long acknowledged, long lost, long unavailabilityMillis,
               long targetMillis, long readsOk, long readsFailed, long seconds, String notes) {
    }

    private static final List<Row> ROWS = new ArrayList<>();

    private ChaosSummary() {
    }

    static synchronized void add(Row row) {
        ROWS.add(row);
    }

    static synchronized String table() {
        StringBuilder out = new StringBuilder();
        out.append("| scenario | result | acknowledged ops | lost | unavailability ms | target ms | reads ok / failed | seconds | notes |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row r : ROWS) {
            out.append("| ").append(r.scenario()).append(" | ").append(r.result())
                    .append(" | ").append(r.acknowledged()).append(" | ").append(r.lost())
                    .append(" | ").append(dash(r.unavailabilityMillis())).append(" | ").append(dash(r.targetMillis()))
                    .append(" | ").append(r.readsOk()).append(" / ").append(r.readsFailed())
                    .append(" | ").append(r.seconds()).append(" | ").append(r.notes()).append(" |\n");
        }
        return out.toString();
    }

    private static String dash(long value) {
        return value < 0 ? "-" : Long.toString(value);
    }

    static synchronized void write() {
        if (ROWS.isEmpty()) {
            return;
        }
        String table = table();
        System.out.println("\nChaos summary\n" + table);
        Path file = Path.of(System.getProperty("chaos.summary", "target/chaos-summary.md"));
        String text = "# Chaos summary\n\nRun " + OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS)
                + ", seed " + ChaosScenario.SEED + ".\n\n" + table;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
