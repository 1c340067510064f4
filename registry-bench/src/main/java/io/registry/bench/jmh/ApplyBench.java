package io.registry.bench.jmh;

import io.registry.api.Status;
import io.registry.statemachine.command.Register;
import io.registry.statemachine.command.SetStatus;
import io.registry.statemachine.core.RegistryState;
import io.registry.statemachine.core.Result;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code RegistryState.apply} on a service already holding {@code size} instances: a Register that
 * replaces an existing instance (the heartbeat-free steady state of re-registration), a Register of a new
 * id, and a SetStatus that flips an instance between passing and critical with the current modifyIndex.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class ApplyBench {
    static final String SERVICE = "payments";
    static final long TIME = 1_700_000_000_000L;

    @Param({"10000"})
    public int size;

    private RegistryState state;
    private Register[] replacements;
    private long[] modifyIndex;
    private long index;
    private int cursor;
    private int fresh;

    @Setup(Level.Trial)
    public void setup() {
        state = Fixtures.state(SERVICE, size);
        index = size;
        replacements = new Register[size];
        modifyIndex = new long[size];
        for (int i = 0; i < size; i++) {
            replacements[i] = new Register(Fixtures.instance(SERVICE, i));
            modifyIndex[i] = i + 1;
        }
    }

    @Benchmark
    public Result registerReplace() {
        int i = next();
        Result r = state.apply(replacements[i], ++index, TIME);
        modifyIndex[i] = index;
        drainSometimes();
        return r;
    }

    @Benchmark
    public Result registerNew() {
        Result r = state.apply(new Register(Fixtures.instance(SERVICE, size + fresh++)), ++index, TIME);
        drainSometimes();
        return r;
    }

    @Benchmark
    public Result setStatus() {
        int i = next();
        Status status = (index & 1) == 0 ? Status.CRITICAL : Status.PASSING;
        Result r = state.apply(new SetStatus(SERVICE, "instance-" + i, status, modifyIndex[i]), ++index, TIME);
        modifyIndex[i] = index;
        drainSometimes();
        return r;
    }

    private int next() {
        cursor = cursor + 1 == size ? 0 : cursor + 1;
        return cursor;
    }

    /** The adapter drains the changed-services set after every entry; so do we, cheaply. */
    private void drainSometimes() {
        if ((index & 1023) == 0) {
            state.drainChangedServices();
        }
    }
}
