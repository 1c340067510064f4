package io.registry.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CpuMeterTest {

    @Test
    void userPlusSystemTicksAreReadAfterTheCommandName() {
        String stat = "4242 (java (weird) name) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1234 567 0 0 20 0 40 0 99";
        assertThat(CpuMeter.parseStat(stat)).isEqualTo(1234 + 567);
    }

    @Test
    void measuresItsOwnProcess() throws Exception {
        CpuMeter meter = new CpuMeter(java.util.Map.of()).start();
        long until = System.nanoTime() + 200_000_000L;
        long x = 0;
        while (System.nanoTime() < until) {
            x += System.nanoTime() % 7;
        }
        assertThat(x).isNotNegative();
        assertThat(meter.stop()).containsKey("bench");
    }
}
