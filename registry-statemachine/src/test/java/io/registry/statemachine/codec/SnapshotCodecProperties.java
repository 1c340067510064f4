package io.registry.statemachine.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.registry.statemachine.Fixtures;
import io.registry.statemachine.Gen;
import io.registry.statemachine.command.Entry;
import io.registry.statemachine.core.RegistryState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class SnapshotCodecProperties {

    @Provide
    Arbitrary<List<Entry>> histories() {
        return Gen.histories(40);
    }

    static byte[] snapshot(RegistryState state) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            SnapshotCodec.write(state, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static RegistryState restore(byte[] bytes) {
        try {
            return SnapshotCodec.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Property(tries = 300)
    void snapshotThenRestThenReplayEqualsPlainReplay(@ForAll("histories") List<Entry> history,
                                                     @ForAll @IntRange(max = 40) int cut) {
        int k = Math.min(cut, history.size());
        RegistryState plain = Fixtures.replay(history);

        RegistryState restored = restore(snapshot(Fixtures.replay(history.subList(0, k))));
        Fixtures.applyFrom(restored, history, k);

        assertThat(restored).isEqualTo(plain);
        assertThat(restored.digest()).isEqualTo(plain.digest());
        assertThat(snapshot(restored)).isEqualTo(snapshot(plain));
    }

    @Property(tries = 200)
    void restoredStateEqualsTheOriginal(@ForAll("histories") List<Entry> history) {
        RegistryState state = Fixtures.replay(history);

        RegistryState restored = restore(snapshot(state));

        assertThat(restored).isEqualTo(state);
        assertThat(restored.digest()).isEqualTo(state.digest());
        for (String service : state.indexedServices()) {
            assertThat(restored.serviceIndex(service)).isEqualTo(state.serviceIndex(service));
        }
    }

    @Property(tries = 100)
    void everyTruncationIsACodecException(@ForAll("histories") List<Entry> history) {
        byte[] bytes = snapshot(Fixtures.replay(history));
        for (int length = 0; length < bytes.length; length++) {
            byte[] prefix = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> restore(prefix)).isInstanceOf(CodecException.class);
        }
    }

    @Property(tries = 300)
    void everySingleBitFlipIsACodecException(@ForAll("histories") List<Entry> history,
                                             @ForAll @IntRange(max = 1_000_000) int where) {
        byte[] bytes = snapshot(Fixtures.replay(history));
        int bit = where % (bytes.length * 8);
        bytes[bit / 8] ^= (byte) (1 << (bit % 8));

        assertThatThrownBy(() -> restore(bytes)).isInstanceOf(CodecException.class);
    }
}
