package io.registry.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void columnsAlignFirstLeftOthersRight() {
        String table = Table.format(List.of("name", "ops/s"), List.of(List.of("register", "21,000"),
                List.of("hb", "5")));
        assertThat(table).isEqualTo("""
                name       ops/s
                register  21,000
                hb             5
                """);
    }

    @Test
    void rendersARunWithGroupedCountsMillisAndDetails() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("concurrency", 64);
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpu.put("bench", 20.4);
        cpu.put("n1", 60.0);
        cpu.put("n2", 40.0);
        cpu.put("machine", 90.0);
        cpu.put("other", 59.6);
        ScenarioResult r = new ScenarioResult("register", 2, params, 215_000, 10, 21_500.4,
                new Latency(215_000, 2.345, 14.5, 31.25, 40), 3, Map.of("http-429", 3L), cpu, Map.of("sent", 215_003));
        String out = Table.render(List.of(r));
        String[] lines = out.split("\n");
        assertThat(lines[0]).startsWith("scenario").contains("ops/s").contains("p999 ms");
        assertThat(lines[1]).startsWith("register").contains("21,500").contains("2.35").contains("14.5")
                .contains("31.3").contains("215,000").contains(" 100 ").endsWith("60");
        assertThat(lines[0].length()).isEqualTo(lines[1].length());
        assertThat(lines[2]).isEqualTo("register#2: errors http-429=3; sent=215003; "
                + "cpu% bench=20.4 n1=60.0 n2=40.0 machine=90.0 other=59.6");
    }

    @Test
    void percentilesComeFromTheHistogramInMilliseconds() {
        Histogram h = Latency.histogram();
        for (int i = 1; i <= 1000; i++) {
            Latency.record(h, i * 1_000_000L); // 1 ms .. 1000 ms
        }
        Latency l = Latency.of(h);
        assertThat(l.count()).isEqualTo(1000);
        assertThat(l.p50()).isBetween(499.0, 501.0);
        assertThat(l.p99()).isBetween(989.0, 991.0);
        assertThat(l.p999()).isBetween(998.0, 1000.5);
        assertThat(l.max()).isBetween(999.0, 1000.5);
        assertThat(Latency.of(Latency.histogram())).isEqualTo(Latency.NONE);
    }

    @Test
    void emptyLatencyPrintsDashes() {
        assertThat(Table.millis(0)).isEqualTo("-");
        assertThat(Table.millis(0.4567)).isEqualTo("0.46");
        assertThat(Table.millis(123.456)).isEqualTo("123.5");
        assertThat(Table.percent(null)).isEqualTo("-");
    }
}
