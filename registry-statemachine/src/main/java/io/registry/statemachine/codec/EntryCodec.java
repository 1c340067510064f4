package io.registry.statemachine.codec;

import io.registry.api.Check;
import io.registry.api.CheckType;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The one owner of every byte of log entries, commands and results (and, through
 * {@link SnapshotCodec}, of the instance layout in snapshots).
 *
 * <p>Every message is {@code [version][tag][body]}. Tags share one number space across commands, entries
 * and results, so bytes handed to the wrong decoder fail loudly instead of misparsing. Bodies are
 * big-endian fixed-width numbers, unsigned LEB128 varints for lengths and counts, and strings as
 * {@code varint(utf8Length + 1)} then UTF-8 bytes, where 0 means null. Metadata is written in key order
 * so equal instances encode to equal bytes on every node. Durations are stored as whole milliseconds
 * (the wire format cannot express less).
 */
public final class EntryCodec {
    /** The only version this node writes and reads; a newer node keeps reading 1 after adding 2. */
    public static final byte VERSION = 1;

    static final byte REGISTER = 1;
    static final byte DEREGISTER = 2;
    static final byte EXPIRE = 3;
    static final byte SET_STATUS = 4;
    static final byte BATCH = 5;
    static final byte ENTRY = 16;
    static final byte STORED = 32;
    static final byte REMOVED = 33;
    static final byte REJECTED = 34;
    static final byte IGNORED = 35;
    static final byte BATCHED = 36;

    /** Apply rejects any nesting; the codec allows a little so it round-trips what it is given, and no more. */
    static final int MAX_NESTING = 4;

    private EntryCodec() {
    }

    // ---- public API -------------------------------------------------------------------------------------

    public static byte[] encode(Entry entry) {
        require(entry != null, "cannot encode a null entry");
        Writer w = new Writer(128).header(ENTRY);
        w.writeLong(entry.leaderTimeMillis());
        writeCommand(w, entry.command(), 0);
        return w.toByteArray();
    }

    public static Entry decode(byte[] bytes) {
        return decodeWhole(bytes, "log entry", r -> {
            r.expectTag(ENTRY, "log entry");
            long time = r.readLong();
            return new Entry(time, readCommand(r, 0));
        });
    }

    /** A command before the leader stamps its time: what a node sends to the leader. */
    public static byte[] encodeCommand(Command command) {
        Writer w = new Writer(128);
        w.writeByte(VERSION);
        writeCommand(w, command, 0);
        return w.toByteArray();
    }

    /**
     * The log entry for an encoded command stamped with the leader's time, without decoding the command
     * again: equal to {@code encode(new Entry(time, decodeCommand(command)))} for any valid command. Checks
     * the version and the command tag, so foreign bytes are refused before they reach the log.
     */
    public static byte[] stamp(byte[] command, long leaderTimeMillis) {
        require(command != null && command.length >= 2, "a command needs at least a version and a tag");
        if (command[0] != VERSION) {
            throw new CodecException("command has codec version " + command[0] + ", this node reads version " + VERSION);
        }
        byte tag = command[1];
        if (tag < REGISTER || tag > BATCH) {
            throw new CodecException("bytes with tag " + tag + " are not a command");
        }
        byte[] entry = new byte[command.length + 9];
        entry[0] = VERSION;
        entry[1] = ENTRY;
        for (int i = 0; i < 8; i++) {
            entry[2 + i] = (byte) (leaderTimeMillis >>> (56 - 8 * i));
        }
        System.arraycopy(command, 1, entry, 10, command.length - 1);
        return entry;
    }

    public static Command decodeCommand(byte[] bytes) {
        return decodeWhole(bytes, "command", r -> readCommand(r, 0));
    }

    public static byte[] encodeResult(Result result) {
        Writer w = new Writer(128);
        w.writeByte(VERSION);
        writeResult(w, result, 0);
        return w.toByteArray();
    }

    public static Result decodeResult(byte[] bytes) {
        return decodeWhole(bytes, "result", r -> readResult(r, 0));
    }

    /** Checks the version, runs the body decoder, insists every byte was used, and lets only CodecException out. */
    private static <T> T decodeWhole(byte[] bytes, String what, Function<Reader, T> body) {
        require(bytes != null, "cannot decode a " + what + " from null");
        try {
            Reader r = new Reader(bytes, 0, bytes.length);
            r.expectVersion(what);
            T value = body.apply(r);
            r.expectEnd(what);
            return value;
        } catch (CodecException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CodecException("malformed " + what + " of " + bytes.length + " bytes: " + e, e);
        }
    }

    // ---- commands ---------------------------------------------------------------------------------------

    private static void writeCommand(Writer w, Command command, int depth) {
        if (command instanceof Register r) {
            w.writeByte(REGISTER);
            writeInstance(w, r.instance());
        } else if (command instanceof Deregister d) {
            w.writeByte(DEREGISTER);
            w.writeString(d.service());
            w.writeString(d.id());
        } else if (command instanceof Expire e) {
            w.writeByte(EXPIRE);
            w.writeString(e.service());
            w.writeString(e.id());
            w.writeLong(e.observedModifyIndex());
        } else if (command instanceof SetStatus s) {
            w.writeByte(SET_STATUS);
            w.writeString(s.service());
            w.writeString(s.id());
            w.writeByte(statusCode(s.status()));
            w.writeLong(s.observedModifyIndex());
        } else if (command instanceof Batch b) {
            require(depth < MAX_NESTING, "batches nested deeper than " + MAX_NESTING + " cannot be encoded");
            w.writeByte(BATCH);
            w.writeVarint(b.commands().size());
            for (Command inner : b.commands()) {
                writeCommand(w, inner, depth + 1);
            }
        } else {
            throw new CodecException("cannot encode command " + command);
        }
    }

    private static Command readCommand(Reader r, int depth) {
        int tag = r.readByte();
        switch (tag) {
            case REGISTER:
                return new Register(readInstance(r));
            case DEREGISTER:
                return new Deregister(r.readString(), r.readString());
            case EXPIRE:
                return new Expire(r.readString(), r.readString(), r.readLong());
            case SET_STATUS:
                return new SetStatus(r.readString(), r.readString(), status(r.readByte()), r.readLong());
            case BATCH:
                require(depth < MAX_NESTING, "batch nested deeper than " + MAX_NESTING + " at offset " + r.pos);
                int count = r.readCount("batch commands");
                List<Command> commands = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    commands.add(readCommand(r, depth + 1));
                }
                return new Batch(commands);
            default:
                throw unknownTag(tag, "command", r);
        }
    }

    // ---- results ----------------------------------------------------------------------------------------

    private static void writeResult(Writer w, Result result, int depth) {
        if (result instanceof Result.Stored s) {
            w.writeByte(STORED);
            writeInstance(w, s.instance());
        } else if (result instanceof Result.Removed rm) {
            w.writeByte(REMOVED);
            writeInstance(w, rm.instance());
        } else if (result instanceof Result.Rejected rj) {
            w.writeByte(REJECTED);
            w.writeString(rj.code());
            w.writeString(rj.message());
        } else if (result instanceof Result.Ignored ig) {
            w.writeByte(IGNORED);
            w.writeString(ig.reason());
        } else if (result instanceof Result.Batched b) {
            require(depth < MAX_NESTING, "results nested deeper than " + MAX_NESTING + " cannot be encoded");
            w.writeByte(BATCHED);
            w.writeVarint(b.results().size());
            for (Result inner : b.results()) {
                writeResult(w, inner, depth + 1);
            }
        } else {
            throw new CodecException("cannot encode result " + result);
        }
    }

    private static Result readResult(Reader r, int depth) {
        int tag = r.readByte();
        switch (tag) {
            case STORED:
                return new Result.Stored(readInstance(r));
            case REMOVED:
                return new Result.Removed(readInstance(r));
            case REJECTED:
                return new Result.Rejected(r.readString(), r.readString());
            case IGNORED:
                return new Result.Ignored(r.readString());
            case BATCHED:
                require(depth < MAX_NESTING, "results nested deeper than " + MAX_NESTING + " at offset " + r.pos);
                int count = r.readCount("batched results");
                List<Result> results = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    results.add(readResult(r, depth + 1));
                }
                return new Result.Batched(results);
            default:
                throw unknownTag(tag, "result", r);
        }
    }

    // ---- instances (shared with SnapshotCodec) ------------------------------------------------------------

    static void writeInstance(Writer w, Instance i) {
        require(i != null, "cannot encode a null instance");
        w.writeString(i.service());
        w.writeString(i.id());
        w.writeString(i.address());
        w.writeInt(i.port());
        w.writeVarint(i.tags().size());
        for (String tag : i.tags()) {
            w.writeString(tag);
        }
        writeMetadata(w, i.metadata());
        w.writeInt(i.weight());
        w.writeString(i.zone());
        writeCheck(w, i.check());
        w.writeByte(statusCode(i.status()));
        w.writeLong(i.createIndex());
        w.writeLong(i.modifyIndex());
        w.writeLong(i.registeredAt());
        w.writeLong(i.lastStatusChange());
    }

    static Instance readInstance(Reader r) {
        String service = r.readString();
        String id = r.readString();
        String address = r.readString();
        int port = r.readInt();
        int tagCount = r.readCount("tags");
        String[] tags = new String[tagCount];
        for (int t = 0; t < tagCount; t++) {
            tags[t] = r.readRequiredString("tag");
        }
        Map<String, String> metadata = readMetadata(r);
        int weight = r.readInt();
        String zone = r.readString();
        Check check = readCheck(r);
        Status status = status(r.readByte());
        return new Instance(service, id, address, port, List.of(tags), metadata, weight, zone, check, status,
                r.readLong(), r.readLong(), r.readLong(), r.readLong());
    }

    private static void writeMetadata(Writer w, Map<String, String> metadata) {
        w.writeVarint(metadata.size());
        if (metadata.isEmpty()) {
            return;
        }
        String[] keys = metadata.keySet().toArray(new String[0]);
        Arrays.sort(keys);
        for (String key : keys) {
            w.writeString(key);
            w.writeString(metadata.get(key));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> readMetadata(Reader r) {
        int count = r.readCount("metadata pairs");
        if (count == 0) {
            return Map.of();
        }
        Map.Entry<String, String>[] pairs = (Map.Entry<String, String>[]) new Map.Entry<?, ?>[count];
        String previous = null;
        for (int p = 0; p < count; p++) {
            String key = r.readRequiredString("metadata key");
            // Keys are written sorted; anything else is corruption, and sorted order also rules out duplicates.
            require(previous == null || previous.compareTo(key) < 0,
                    "metadata key '" + key + "' out of order at offset " + r.pos);
            pairs[p] = Map.entry(key, r.readRequiredString("metadata value"));
            previous = key;
        }
        return Map.ofEntries(pairs);
    }

    private static void writeCheck(Writer w, Check c) {
        w.writeBoolean(c != null);
        if (c == null) {
            return;
        }
        w.writeByte(checkTypeCode(c.type()));
        w.writeDuration(c.ttl());
        w.writeString(c.url());
        w.writeDuration(c.interval());
        w.writeDuration(c.timeout());
        w.writeDuration(c.deregisterAfter());
        w.writeNullableInt(c.rise());
        w.writeNullableInt(c.fall());
    }

    private static Check readCheck(Reader r) {
        if (!r.readBoolean()) {
            return null;
        }
        return new Check(checkType(r.readByte()), r.readDuration(), r.readString(), r.readDuration(),
                r.readDuration(), r.readDuration(), r.readNullableInt(), r.readNullableInt());
    }

    // Explicit codes, not ordinals: reordering an enum must not change what old logs mean.

    private static int statusCode(Status s) {
        if (s == null) {
            return 0;
        }
        switch (s) {
            case PASSING: return 1;
            case WARNING: return 2;
            case CRITICAL: return 3;
            default: throw new CodecException("cannot encode status " + s);
        }
    }

    private static Status status(int code) {
        switch (code) {
            case 0: return null;
            case 1: return Status.PASSING;
            case 2: return Status.WARNING;
            case 3: return Status.CRITICAL;
            default: throw new CodecException("unknown status code " + code);
        }
    }

    private static int checkTypeCode(CheckType t) {
        if (t == null) {
            return 0;
        }
        switch (t) {
            case TTL: return 1;
            case HTTP: return 2;
            case TCP: return 3;
            case NONE: return 4;
            default: throw new CodecException("cannot encode check type " + t);
        }
    }

    private static CheckType checkType(int code) {
        switch (code) {
            case 0: return null;
            case 1: return CheckType.TTL;
            case 2: return CheckType.HTTP;
            case 3: return CheckType.TCP;
            case 4: return CheckType.NONE;
            default: throw new CodecException("unknown check type code " + code);
        }
    }

    private static CodecException unknownTag(int tag, String what, Reader r) {
        return new CodecException("unknown " + what + " tag " + tag + " at offset " + (r.pos - 1)
                + "; the bytes were written by a newer node or are not a " + what);
    }

    /**
     * For checks made once per entry or snapshot. Per field or per instance, test first and build the message
     * only on failure: an argument string is built even when the check passes, and on the apply thread
     * that formatting was 10 % of the leader's samples.
     */
    static void require(boolean ok, String message) {
        if (!ok) {
            throw new CodecException(message);
        }
    }

    // ---- byte plumbing --------------------------------------------------------------------------------

    /** A growable big-endian byte buffer; reusable through {@link #reset()}. */
    static final class Writer {
        private byte[] buf;
        private int size;

        Writer(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        Writer header(byte tag) {
            writeByte(VERSION);
            writeByte(tag);
            return this;
        }

        void writeByte(int b) {
            ensure(1);
            buf[size++] = (byte) b;
        }

        void writeBoolean(boolean b) {
            writeByte(b ? 1 : 0);
        }

        void writeInt(int v) {
            ensure(4);
            putInt(size, v);
            size += 4;
        }

        /** Overwrite four bytes already written, e.g. a length prefix reserved before its block. */
        void putInt(int at, int v) {
            buf[at] = (byte) (v >>> 24);
            buf[at + 1] = (byte) (v >>> 16);
            buf[at + 2] = (byte) (v >>> 8);
            buf[at + 3] = (byte) v;
        }

        void writeLong(long v) {
            writeInt((int) (v >>> 32));
            writeInt((int) v);
        }

        void writeVarint(int v) {
            if (v < 0) {
                throw new CodecException("negative length " + v);
            }
            ensure(5);
            while ((v & ~0x7F) != 0) {
                buf[size++] = (byte) (v & 0x7F | 0x80);
                v >>>= 7;
            }
            buf[size++] = (byte) v;
        }

        void writeString(String s) {
            if (s == null) {
                writeVarint(0);
                return;
            }
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            writeVarint(utf8.length + 1);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, buf, size, utf8.length);
            size += utf8.length;
        }

        void writeDuration(Duration d) {
            writeBoolean(d != null);
            if (d != null) {
                writeLong(d.toMillis());
            }
        }

        void writeNullableInt(Integer n) {
            writeBoolean(n != null);
            if (n != null) {
                writeInt(n);
            }
        }

        int size() {
            return size;
        }

        byte[] buffer() {
            return buf;
        }

        void reset() {
            size = 0;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }
    }

    /** A bounds-checked reader: running past the end is a {@link CodecException} naming the offset. */
    static final class Reader {
        private final byte[] buf;
        private final int end;
        private int pos;

        Reader(byte[] buf, int offset, int length) {
            this.buf = buf;
            this.pos = offset;
            this.end = offset + length;
        }

        void expectVersion(String what) {
            int version = readByte();
            if (version != VERSION) {
                throw new CodecException("unsupported " + what + " version " + version + "; this node reads version "
                        + VERSION + " (was it written by a newer node?)");
            }
        }

        void expectTag(byte tag, String what) {
            int actual = readByte();
            if (actual != tag) {
                throw new CodecException("expected a " + what + " (tag " + tag + ") but found tag " + actual);
            }
        }

        void expectEnd(String what) {
            if (pos != end) {
                throw new CodecException(what + " has " + (end - pos) + " unexpected trailing bytes at offset " + pos);
            }
        }

        int readByte() {
            need(1);
            return buf[pos++] & 0xFF;
        }

        boolean readBoolean() {
            int b = readByte();
            if (b > 1) {
                throw new CodecException("expected a 0/1 flag but found " + b + " at offset " + (pos - 1));
            }
            return b == 1;
        }

        int readInt() {
            need(4);
            int v = (buf[pos] & 0xFF) << 24 | (buf[pos + 1] & 0xFF) << 16 | (buf[pos + 2] & 0xFF) << 8
                    | buf[pos + 3] & 0xFF;
            pos += 4;
            return v;
        }

        long readLong() {
            return (long) readInt() << 32 | readInt() & 0xFFFFFFFFL;
        }

        int readVarint() {
            int v = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                int b = readByte();
                v |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    if (v < 0 || shift >= 28 && b >= 0x08) {
                        throw new CodecException("varint out of range at offset " + pos);
                    }
                    return v;
                }
            }
            throw new CodecException("varint longer than 5 bytes at offset " + pos);
        }

        /** A count of items, each at least one byte, so a corrupt count cannot make us allocate gigabytes. */
        int readCount(String what) {
            int count = readVarint();
            if (count > end - pos) {
                throw new CodecException(what + " count " + count + " exceeds the " + (end - pos)
                        + " bytes left at offset " + pos);
            }
            return count;
        }

        String readString() {
            int lengthPlusOne = readVarint();
            if (lengthPlusOne == 0) {
                return null;
            }
            int length = lengthPlusOne - 1;
            need(length);
            String s = new String(buf, pos, length, StandardCharsets.UTF_8);
            pos += length;
            return s;
        }

        String readRequiredString(String what) {
            String s = readString();
            if (s == null) {
                throw new CodecException(what + " is null at offset " + pos);
            }
            return s;
        }

        Duration readDuration() {
            return readBoolean() ? Duration.ofMillis(readLong()) : null;
        }

        Integer readNullableInt() {
            return readBoolean() ? readInt() : null;
        }

        private void need(int n) {
            if (n > end - pos) {
                throw new CodecException("truncated: needed " + n + " bytes at offset " + pos + " but only "
                        + (end - pos) + " remain");
            }
        }
    }
}
