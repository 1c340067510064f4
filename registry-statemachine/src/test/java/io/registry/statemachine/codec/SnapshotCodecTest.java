package io.registry.statemachine.codec;

import static io.registry.statemachine.codec.SnapshotCodecProperties.restore;
import static io.registry.statemachine.codec.SnapshotCodecProperties.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.registry.api.Check;
import io.registry.api.Instance;
import io.registry.api.Status;
import io.registry.statemachine.Fixtures;
import io.registry.statemachine.command.Batch;
import io.registry.statemachine.command.Command;
import io.registry.statemachine.command.Deregister;
import io.registry.statemachine.command.Register;
import io.registry.statemachine.core.RegistryState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotCodecTest {
    private static final long BOUND_NANOS = 4_000_000_000L;

    @Test
    void emptyStateRoundTrips() {
        RegistryState empty = new RegistryState();

        assertThat(restore(snapshot(empty))).isEqualTo(empty);
    }

    @Test
    void serviceIndexSurvivesRestoreAfterLastInstanceLeft() {
        RegistryState state = new RegistryState();
        state.apply(new Register(Fixtures.instance("pay", "a")), 1, 1);
        state.apply(new Deregister("pay", "a"), 2, 2);

        RegistryState restored = restore(snapshot(state));

        assertThat(restored.serviceIndex("pay")).isEqualTo(2);
        assertThat(restored.serviceNames()).isEmpty();
        assertThat(restored.lastIndex()).isEqualTo(2);
    }

    @Test
    void unknownVersionFailsLoudly() {
        byte[] bytes = snapshot(new RegistryState());
        bytes[0] = 9;

        assertThatThrownBy(() -> restore(bytes)).isInstanceOf(CodecException.class)
                .hasMessageContaining("unsupported snapshot version 9");
    }

    @Test
    void trailingBytesAreRejected() {
        byte[] bytes = snapshot(new RegistryState());

        assertThatThrownBy(() -> restore(Arrays.copyOf(bytes, bytes.length + 1)))
                .isInstanceOf(CodecException.class).hasMessageContaining("trailing");
    }

    @Test
    void truncationIsNamed() {
        byte[] bytes = snapshot(new RegistryState());

        assertThatThrownBy(() -> restore(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(CodecException.class).hasMessageContaining("truncated");
    }

    @Test
    void writeFlushesWithoutClosingTheCallersStream() throws Exception {
        class Tracking extends ByteArrayOutputStream {
            boolean closed;

            @Override
            public void close() {
                closed = true;
            }
        }
        Tracking out = new Tracking();

        SnapshotCodec.write(new RegistryState(), out);

        assertThat(out.closed).isFalse();
        assertThat(SnapshotCodec.read(new ByteArrayInputStream(out.toByteArray()))).isEqualTo(new RegistryState());
    }

    @Test
    void hundredThousandInstancesWriteAndLoadQuickly() throws Exception {
        // Warm both paths on a smaller state: the bound is about the codec, not class loading and the JIT.
        restore(snapshot(bigState(20_000)));
        RegistryState state = bigState(100_000);

        long t0 = System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 24);
        SnapshotCodec.write(state, out);
        long writeNanos = System.nanoTime() - t0;
        byte[] bytes = out.toByteArray();
        long t1 = System.nanoTime();
        RegistryState loaded = SnapshotCodec.read(new ByteArrayInputStream(bytes));
        long readNanos = System.nanoTime() - t1;

        System.out.printf("snapshot of %,d instances: %,d bytes, write %d ms, read %d ms%n", state.size(),
                bytes.length, writeNanos / 1_000_000, readNanos / 1_000_000);
        assertThat(loaded.size()).isEqualTo(100_000);
        assertThat(loaded.digest()).isEqualTo(state.digest());
        assertThat(writeNanos).as("write nanos").isLessThan(BOUND_NANOS);
        assertThat(readNanos).as("read nanos").isLessThan(BOUND_NANOS);
    }

    /** Realistic instances: a few tags and metadata pairs, a TTL check, spread over 20 services. */
    static RegistryState bigState(int count) {
        RegistryState state = new RegistryState();
        int perBatch = 1000;
        for (int start = 0; start < count; start += perBatch) {
            List<Command> batch = new ArrayList<>(perBatch);
            for (int i = start; i < Math.min(count, start + perBatch); i++) {
                batch.add(new Register(new Instance("service-" + i % 20, "instance-" + i, "10.1." + i / 250 % 250
                        + "." + i % 250, 8080, List.of("v2", "blue"), Map.of("team", "core", "version", "2.4." + i % 7),
                        100, "zone-" + i % 3, Check.ttl(Duration.ofSeconds(15)), Status.PASSING, 0, 0, 0, 0)));
            }
            state.apply(new Batch(batch), state.lastIndex() + 1, 1_700_000_000_000L + start);
        }
        return state;
    }
}
