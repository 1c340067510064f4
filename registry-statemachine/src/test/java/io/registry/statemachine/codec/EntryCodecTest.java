package io.registry.statemachine.codec;

import static io.registry.statemachine.Fixtures.instance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.registry.api.Instance;
import io.registry.api.Status;
import io.registry.statemachine.command.Batch;
import io.registry.statemachine.command.Command;
import io.registry.statemachine.command.Deregister;
import io.registry.statemachine.command.Entry;
import io.registry.statemachine.command.Expire;
import io.registry.statemachine.command.Register;
import io.registry.statemachine.command.SetStatus;
import io.registry.statemachine.core.Result;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EntryCodecTest {

    /** Pins the version 1 layout: a change here means old logs no longer read, so bump the version instead. */
    @Test
    void layoutOfVersionOneIsStable() {
        byte[] bytes = EntryCodec.encode(new Entry(0x0102030405060708L, new Expire("pay", "a", 7)));

        assertThat(HexFormat.of().formatHex(bytes))
                .isEqualTo("01" + "10" + "0102030405060708" + "03" + "04706179" + "0261" + "0000000000000007");
    }

    @Test
    void entriesOfEveryCommandRoundTrip() {
        List<Command> all = List.of(new Register(instance("pay", "a")), new Deregister("pay", "a"),
                new Expire("pay", "a", 3), new SetStatus("pay", "a", Status.CRITICAL, 4),
                new Batch(List.of(new Register(instance("pay", "b")), new Deregister("cart", "z"))));
        for (Command c : all) {
            Entry e = new Entry(123, c);
            assertThat(EntryCodec.decode(EntryCodec.encode(e))).isEqualTo(e);
        }
    }

    @Test
    void metadataOrderDoesNotChangeTheBytes() {
        Instance a = instance("pay", "a");
        Instance b = new Instance(a.service(), a.id(), a.address(), a.port(), a.tags(),
                Map.of("z", "1", "a", "2", "m", "3"), a.weight(), a.zone(), a.check(), a.status(), 1, 1, 1, 1);
        Instance c = new Instance(a.service(), a.id(), a.address(), a.port(), a.tags(),
                Map.of("m", "3", "z", "1", "a", "2"), a.weight(), a.zone(), a.check(), a.status(), 1, 1, 1, 1);

        assertThat(EntryCodec.encodeCommand(new Register(b))).isEqualTo(EntryCodec.encodeCommand(new Register(c)));
    }

    @Test
    void unknownVersionFailsLoudlyNamingIt() {
        byte[] bytes = EntryCodec.encodeCommand(new Deregister("pay", "a"));
        bytes[0] = 2;

        assertThatThrownBy(() -> EntryCodec.decodeCommand(bytes)).isInstanceOf(CodecException.class)
                .hasMessageContaining("unsupported command version 2");
    }

    @Test
    void bytesOfOneKindFedToAnotherDecoderFail() {
        byte[] entry = EntryCodec.encode(new Entry(1, new Deregister("pay", "a")));
        byte[] command = EntryCodec.encodeCommand(new Deregister("pay", "a"));
        byte[] result = EntryCodec.encodeResult(new Result.Ignored("x"));

        assertThatThrownBy(() -> EntryCodec.decodeCommand(entry)).isInstanceOf(CodecException.class)
                .hasMessageContaining("unknown command tag 16");
        assertThatThrownBy(() -> EntryCodec.decode(command)).isInstanceOf(CodecException.class)
                .hasMessageContaining("expected a log entry");
        assertThatThrownBy(() -> EntryCodec.decodeResult(command)).isInstanceOf(CodecException.class)
                .hasMessageContaining("unknown result tag 2");
        assertThatThrownBy(() -> EntryCodec.decodeCommand(result)).isInstanceOf(CodecException.class);
    }

    @Test
    void truncationNamesTheOffset() {
        byte[] bytes = EntryCodec.encode(new Entry(1, new Expire("pay", "a", 7)));
        byte[] cut = Arrays.copyOf(bytes, bytes.length - 3);

        assertThatThrownBy(() -> EntryCodec.decode(cut)).isInstanceOf(CodecException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void trailingBytesAreRejected() {
        byte[] bytes = EntryCodec.encodeCommand(new Deregister("pay", "a"));
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);

        assertThatThrownBy(() -> EntryCodec.decodeCommand(longer)).isInstanceOf(CodecException.class)
                .hasMessageContaining("trailing");
    }

    @Test
    void emptyAndNullInputAreCodecExceptions() {
        assertThatThrownBy(() -> EntryCodec.decode(new byte[0])).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> EntryCodec.decode(null)).isInstanceOf(CodecException.class);
    }

    @Test
    void hugeDeclaredCountsFailWithoutAllocating() {
        // version, BATCH, varint 0x7fffffff: a corrupt count must not become new ArrayList(2^31).
        byte[] bytes = {1, EntryCodec.BATCH, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07};

        assertThatThrownBy(() -> EntryCodec.decodeCommand(bytes)).isInstanceOf(CodecException.class)
                .hasMessageContaining("exceeds");
    }

    @Test
    void deeplyNestedBatchesFailInsteadOfOverflowingTheStack() {
        byte[] bytes = new byte[1 + 2 * 10_000];
        bytes[0] = 1;
        for (int i = 1; i < bytes.length; i += 2) {
            bytes[i] = EntryCodec.BATCH;
            bytes[i + 1] = 1;
        }

        assertThatThrownBy(() -> EntryCodec.decodeCommand(bytes)).isInstanceOf(CodecException.class)
                .hasMessageContaining("nested");
    }

    @Test
    void nullFieldsSurviveTheTrip() {
        Instance bare = new Instance(null, null, null, 0, List.of(), Map.of(), 0, null, null, null,
                0, 0, 0, 0);
        Result r = new Result.Batched(List.of(new Result.Stored(bare), new Result.Rejected(null, null),
                new Result.Ignored(null)));

        assertThat(EntryCodec.decodeResult(EntryCodec.encodeResult(r))).isEqualTo(r);
    }
}
