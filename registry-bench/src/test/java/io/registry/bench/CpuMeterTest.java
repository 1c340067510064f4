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

    @Test
    void theJitCompilerThreadsOfANodeAreMeasuredApartAndNotCountedTwice() {
        long self = ProcessHandle.current().pid();
        assertThat(CpuMeter.compilerTicks(self)).as("this JVM's C1/C2 threads").isNotNegative();

        // This JVM stands in for a node: its compiler threads are part of its CPU, reported as "jit" beside it.
        java.util.Map<String, Double> cpu = new CpuMeter(java.util.Map.of("n1", self)).start().stop();
        assertThat(cpu).containsKeys("n1", CpuMeter.JIT);
        cpu.put("n1", 50.0);
        cpu.put(CpuMeter.JIT, 10.0);
        assertThat(Table.nodesCpu(cpu)).isEqualTo(50.0);
    }
}
