package io.registry.bench.jmh;

import io.registry.statemachine.codec.EntryCodec;
import io.registry.statemachine.command.Batch;
import io.registry.statemachine.command.Command;
import io.registry.statemachine.command.Entry;
import io.registry.statemachine.command.Register;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Encoding and decoding one log entry: a single Register, and a Batch of 100 Registers. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class EntryCodecBench {
    static final long TIME = 1_700_000_000_000L;

    private Entry register;
    private Entry batch;
    private byte[] registerBytes;
    private byte[] batchBytes;

    @Setup
    public void setup() {
        register = new Entry(TIME, new Register(Fixtures.instance("payments", 1)));
        List<Command> commands = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            commands.add(new Register(Fixtures.instance("payments", i)));
        }
        batch = new Entry(TIME, new Batch(commands));
        registerBytes = EntryCodec.encode(register);
        batchBytes = EntryCodec.encode(batch);
    }

    @Benchmark
    public byte[] encodeRegister() {
        return EntryCodec.encode(register);
    }

    @Benchmark
    public Entry decodeRegister() {
        return EntryCodec.decode(registerBytes);
    }

    @Benchmark
    public byte[] encodeBatchOf100() {
        return EntryCodec.encode(batch);
    }

    @Benchmark
    public Entry decodeBatchOf100() {
        return EntryCodec.decode(batchBytes);
    }
}
