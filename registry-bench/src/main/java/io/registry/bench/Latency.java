package io.registry.bench;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of one run in milliseconds. Histograms record microseconds from 1 µs to 10 min with three
 * significant digits, so a percentile is exact to 0.1 %.
 */
public record Latency(long count, double p50, double p99, double p999, double max) {
    public static final long HIGHEST_MICROS = 600_000_000L;
    public static final Latency NONE = new Latency(0, 0, 0, 0, 0);

    public static Histogram histogram() {
        return new Histogram(1, HIGHEST_MICROS, 3);
    }

    /** Records a latency given in nanoseconds, clamped into the histogram's range. */
    public static void record(Histogram h, long nanos) {
        h.recordValue(Math.max(1, Math.min(HIGHEST_MICROS, nanos / 1000)));
    }

    public static Latency of(Histogram h) {
        if (h.getTotalCount() == 0) {
            return NONE;
        }
        return new Latency(h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)),
                ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()));
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
