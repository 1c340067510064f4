package io.registry.statemachine.codec;

import io.registry.api.Instance;
import io.registry.statemachine.core.RegistryState;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The snapshot file format:
 * <pre>
 * [version 1][tag 64][long lastIndex][long registryIndex][int serviceCount]
 * per service, sorted by name:  block(string name, long serviceIndex, varint instanceCount)
 *                               instanceCount x block(instance, in EntryCodec's layout), sorted by id
 * [long totalInstances][int CRC32C of every byte before it]
 * </pre>
 * A block is {@code [int length][bytes]}, so a reader can bound its buffer before it trusts the content.
 * Services without instances are kept: their index must survive a restart for blocking queries.
 * Equal states write identical bytes, so replicas' snapshots can be compared by hash.
 */
public final class SnapshotCodec {
    public static final byte VERSION = 1;
    static final byte SNAPSHOT = 64;
    /** Far above the largest valid instance (~250 KB at the Limits), far below a harmful allocation. */
    static final int MAX_BLOCK_BYTES = 1 << 24;
    private static final int CHUNK_BYTES = 1 << 16;

    private SnapshotCodec() {
    }

    /** Write {@code state} to {@code out}, flushed but not closed: the caller owns the stream. */
    public static void write(RegistryState state, OutputStream out) throws IOException {
        CRC32C crc = new CRC32C();
        BufferedOutputStream buffered = new BufferedOutputStream(out, CHUNK_BYTES);
        CheckedOutputStream checked = new CheckedOutputStream(buffered, crc);
        EntryCodec.Writer w = new EntryCodec.Writer(CHUNK_BYTES + 1024);
        w.writeByte(VERSION);
        w.writeByte(SNAPSHOT);
        w.writeLong(state.lastIndex());
        w.writeLong(state.registryIndex());
        List<String> names = state.indexedServices();
        w.writeInt(names.size());
        long total = 0;
        for (String name : names) {
            List<Instance> instances = state.instances(name);
            int at = beginBlock(w);
            w.writeString(name);
            w.writeLong(state.serviceIndex(name));
            w.writeVarint(instances.size());
            endBlock(w, at);
            for (Instance instance : instances) {
                at = beginBlock(w);
                EntryCodec.writeInstance(w, instance);
                endBlock(w, at);
                total++;
                // Spill in large chunks: one bulk checksum and copy per 64 KB rather than per field.
                if (w.size() >= CHUNK_BYTES) {
                    checked.write(w.buffer(), 0, w.size());
                    w.reset();
                }
            }
        }
        w.writeLong(total);
        checked.write(w.buffer(), 0, w.size());
        w.reset();
        w.writeInt((int) crc.getValue());
        buffered.write(w.buffer(), 0, w.size());
        buffered.flush();
    }

    private static int beginBlock(EntryCodec.Writer w) {
        int at = w.size();
        w.writeInt(0);
        return at;
    }

    private static void endBlock(EntryCodec.Writer w, int at) {
        w.putInt(at, w.size() - at - 4);
    }

    /**
     * Read a snapshot written by {@link #write}. Truncation, corruption, an unknown version and a state
     * that breaks apply's invariants are {@link CodecException}s; I/O failures stay IOExceptions.
     * Reads to the end of the stream but does not close it.
     */
    public static RegistryState read(InputStream in) throws IOException {
        CRC32C crc = new CRC32C();
        DataInputStream data = new DataInputStream(new CheckedInputStream(new BufferedInputStream(in, CHUNK_BYTES),
                crc));
        try {
            return readChecked(data, crc);
        } catch (EOFException e) {
            throw new CodecException("snapshot truncated: the stream ended before the checksum trailer", e);
        } catch (CodecException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CodecException("snapshot inconsistent: " + e.getMessage(), e);
        }
    }

    private static RegistryState readChecked(DataInputStream data, CRC32C crc) throws IOException {
        int version = data.readUnsignedByte();
        if (version != VERSION) {
            throw new CodecException("unsupported snapshot version " + version + "; this node reads version "
                    + VERSION + " (was it written by a newer node?)");
        }
        int tag = data.readUnsignedByte();
        EntryCodec.require(tag == SNAPSHOT, "not a snapshot: tag " + tag + " where " + SNAPSHOT + " was expected");
        RegistryState.Restorer restorer = RegistryState.restorer(data.readLong(), data.readLong());
        int services = data.readInt();
        EntryCodec.require(services >= 0, "negative service count " + services);
        Blocks blocks = new Blocks(data);
        long total = 0;
        for (int s = 0; s < services; s++) {
            total += readService(blocks, restorer);
        }
        long declared = data.readLong();
        EntryCodec.require(declared == total, "snapshot declares " + declared + " instances but holds " + total);
        int expected = (int) crc.getValue();
        int stored = data.readInt();
        EntryCodec.require(stored == expected, "snapshot checksum mismatch: stored " + Integer.toHexString(stored)
                + ", computed " + Integer.toHexString(expected) + "; the file is corrupt");
        EntryCodec.require(data.read() == -1, "snapshot has trailing bytes after its checksum");
        return restorer.build();
    }

    private static int readService(Blocks blocks, RegistryState.Restorer restorer) throws IOException {
        EntryCodec.Reader header = blocks.next();
        String name = header.readRequiredString("service name");
        long index = header.readLong();
        int count = header.readVarint();
        header.expectEnd("service header");
        restorer.service(name, index);
        for (int i = 0; i < count; i++) {
            EntryCodec.Reader r = blocks.next();
            Instance instance = EntryCodec.readInstance(r);
            r.expectEnd("instance");
            if (!name.equals(instance.service())) {
                throw new CodecException("instance '" + instance.id() + "' of service '" + instance.service()
                        + "' found among the instances of '" + name + "'");
            }
            restorer.instance(instance);
        }
        return count;
    }

    /** Length-prefixed blocks read into one reused buffer. */
    private static final class Blocks {
        private final DataInputStream data;
        private byte[] buf = new byte[4096];

        Blocks(DataInputStream data) {
            this.data = data;
        }

        EntryCodec.Reader next() throws IOException {
            int length = data.readInt();
            if (length < 0 || length > MAX_BLOCK_BYTES) {
                throw new CodecException("snapshot block length " + length + " is outside 0.." + MAX_BLOCK_BYTES
                        + "; the file is corrupt");
            }
            if (length > buf.length) {
                buf = new byte[Math.max(length, buf.length * 2)];
            }
            data.readFully(buf, 0, length);
            return new EntryCodec.Reader(buf, 0, length);
        }
    }
}
