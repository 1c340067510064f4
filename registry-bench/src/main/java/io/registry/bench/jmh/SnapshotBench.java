package io.registry.bench.jmh;

import io.registry.statemachine.codec.SnapshotCodec;
import io.registry.statemachine.core.RegistryState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code SnapshotCodec} write and read of {@code size} instances in 100 services, in memory (no disk):
 * the codec's share of the "snapshot of 100,000 instances written and loaded in ≤ 2 s" target.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class SnapshotBench {
    @Param({"100000"})
    public int size;

    private RegistryState state;
    private byte[] bytes;

    @Setup
    public void setup() throws IOException {
        state = new RegistryState();
        for (int i = 0; i < size; i++) {
            state.apply(new io.registry.statemachine.command.Register(Fixtures.instance("service-" + i % 100, i)),
                    i + 1, EntryCodecBench.TIME);
        }
        state.drainChangedServices();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.write(state, out);
        bytes = out.toByteArray();
    }

    @Benchmark
    public long write() throws IOException {
        CountingStream out = new CountingStream();
        SnapshotCodec.write(state, out);
        return out.count;
    }

    @Benchmark
    public RegistryState read() throws IOException {
        return SnapshotCodec.read(new ByteArrayInputStream(bytes));
    }

    /** Discards bytes: measures encoding, not copying into a growing array. */
    static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
