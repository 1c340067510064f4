package io.registry.statemachine.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.registry.statemachine.Gen;
import io.registry.statemachine.command.Command;
import io.registry.statemachine.command.Entry;
import io.registry.statemachine.core.Result;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class EntryCodecProperties {
    private static final List<Function<byte[], ?>> DECODERS = List.of(
            EntryCodec::decode, EntryCodec::decodeCommand, EntryCodec::decodeResult);

    @Provide
    Arbitrary<Command> commands() {
        return Gen.anyCommands();
    }

    @Provide
    Arbitrary<Entry> entries() {
        return Gen.anyEntries();
    }

    @Provide
    Arbitrary<Result> results() {
        return Gen.anyResults();
    }

    @Property(tries = 400)
    void everyCommandRoundTrips(@ForAll("commands") Command command) {
        assertThat(EntryCodec.decodeCommand(EntryCodec.encodeCommand(command))).isEqualTo(command);
    }

    @Property(tries = 400)
    void everyEntryRoundTrips(@ForAll("entries") Entry entry) {
        assertThat(EntryCodec.decode(EntryCodec.encode(entry))).isEqualTo(entry);
    }

    @Property(tries = 400)
    void stampingAnEncodedCommandEqualsEncodingTheStampedEntry(@ForAll("entries") Entry entry) {
        byte[] command = EntryCodec.encodeCommand(entry.command());
        assertThat(EntryCodec.stamp(command, entry.leaderTimeMillis())).isEqualTo(EntryCodec.encode(entry));
    }

    @Property(tries = 200)
    void stampingRefusesBytesThatAreNotACommand(@ForAll("results") Result result) {
        assertThatThrownBy(() -> EntryCodec.stamp(EntryCodec.encodeResult(result), 1L))
                .isInstanceOf(CodecException.class);
    }

    @Property(tries = 400)
    void everyResultRoundTrips(@ForAll("results") Result result) {
        assertThat(EntryCodec.decodeResult(EntryCodec.encodeResult(result))).isEqualTo(result);
    }

    @Property(tries = 200)
    void equalEntriesEncodeToEqualBytes(@ForAll("entries") Entry entry) {
        byte[] once = EntryCodec.encode(entry);
        byte[] again = EntryCodec.encode(EntryCodec.decode(once));

        assertThat(again).isEqualTo(once);
    }

    @Property(tries = 200)
    void everyTruncationIsACodecException(@ForAll("entries") Entry entry, @ForAll("commands") Command command,
                                          @ForAll("results") Result result) {
        assertEveryPrefixFails(EntryCodec.encode(entry), EntryCodec::decode);
        assertEveryPrefixFails(EntryCodec.encodeCommand(command), EntryCodec::decodeCommand);
        assertEveryPrefixFails(EntryCodec.encodeResult(result), EntryCodec::decodeResult);
    }

    private static void assertEveryPrefixFails(byte[] bytes, Function<byte[], ?> decoder) {
        for (int length = 0; length < bytes.length; length++) {
            byte[] prefix = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> decoder.apply(prefix)).isInstanceOf(CodecException.class);
        }
    }

    @Property(tries = 500)
    void corruptedBytesDecodeOrThrowCodecExceptionNeverAnythingElse(
            @ForAll("entries") Entry entry, @ForAll @IntRange(min = 0, max = 10_000) int where,
            @ForAll @IntRange(min = 1, max = 255) int xor) {
        byte[] bytes = EntryCodec.encode(entry);
        bytes[where % bytes.length] ^= (byte) xor;
        for (Function<byte[], ?> decoder : DECODERS) {
            decodesOrThrowsCodecException(decoder, bytes);
        }
    }

    @Property(tries = 500)
    void garbageDecodesOrThrowsCodecExceptionNeverAnythingElse(@ForAll @Size(max = 64) byte[] garbage) {
        for (Function<byte[], ?> decoder : DECODERS) {
            decodesOrThrowsCodecException(decoder, garbage);
        }
    }

    private static void decodesOrThrowsCodecException(Function<byte[], ?> decoder, byte[] bytes) {
        try {
            decoder.apply(bytes);
        } catch (CodecException expected) {
            // the only failure allowed
        }
    }

    @Property(tries = 200)
    void unknownVersionIsACodecException(@ForAll("entries") Entry entry, @ForAll("versions") byte version) {
        byte[] bytes = EntryCodec.encode(entry);
        bytes[0] = version;

        assertThatThrownBy(() -> EntryCodec.decode(bytes)).isInstanceOf(CodecException.class)
                .hasMessageContaining("version " + (version & 0xFF));
    }

    @Provide
    Arbitrary<Byte> versions() {
        return Arbitraries.bytes().filter(b -> b != EntryCodec.VERSION);
    }

    @Property(tries = 200)
    void unknownCommandTagIsACodecException(@ForAll("commands") Command command, @ForAll("unusedTags") byte tag) {
        byte[] bytes = EntryCodec.encodeCommand(command);
        bytes[1] = tag;

        assertThatThrownBy(() -> EntryCodec.decodeCommand(bytes)).isInstanceOf(CodecException.class)
                .hasMessageContaining("unknown command tag");
    }

    @Provide
    Arbitrary<Byte> unusedTags() {
        return Arbitraries.bytes().filter(b -> b < EntryCodec.REGISTER || b > EntryCodec.BATCH);
    }
}
