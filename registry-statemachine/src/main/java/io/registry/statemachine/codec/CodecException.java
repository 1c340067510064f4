package io.registry.statemachine.codec;

/**
 * Bytes that are not a log entry, command, result or snapshot this version can read: an unknown
 * version or tag, truncated input, trailing garbage or a failed checksum. Unchecked because a bad entry
 * is a bug or corruption the caller cannot repair, and the Ratis adapter already turns it into a result.
 */
public class CodecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
