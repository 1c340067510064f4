package io.registry.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.registry.bench.Latency;
import java.util.List;
import org.junit.jupiter.api.Test;

class PureScenarioPartsTest {

    @Test
    void heapUsedIsTheFirstUsedFigureOfGcHeapInfo() {
        String g1 = """
                12345:
                 garbage-first heap   total 262144K, used 171234K [0x00000000e0000000, 0x0000000100000000)
                  region size 1024K, 12 young (12288K), 2 survivors (2048K)
                 Metaspace       used 40511K, committed 41024K, reserved 1089536K
                """;
        assertThat(HeapScenario.parseUsedKb(g1)).isEqualTo(171234L);
        assertThat(HeapScenario.parseUsedKb("nothing here")).isNull();
    }

    @Test
    void watchLatencyCountsFromSendToTheFirstEventCoveringTheWrite() {
        WatchLatencyScenario.Tracker t = new WatchLatencyScenario.Tracker(List.of("a", "b"));
        // Node a sees index 10 before the writer's answer arrives; node b only afterwards.
        t.event("a", 10, 5_000_000);
        t.acked(10, 1_000_000, 6_000_000);
        t.event("b", 9, 7_000_000);
        assertThat(t.unresolved()).isEqualTo(1);
        t.event("b", 12, 9_000_000);
        assertThat(t.unresolved()).isZero();
        Latency l = Latency.of(t.sendToVisible);
        assertThat(l.count()).isEqualTo(2);
        assertThat(l.max()).isBetween(7.9, 8.1);
        assertThat(Latency.of(t.ackToVisible).max()).isBetween(2.9, 3.1);
    }
}
