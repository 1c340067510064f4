package io.registry.client;

/**
 * A registry call that did not succeed. {@link #status()} is the HTTP status the cluster answered with,
 * or {@link #UNREACHABLE} when no node answered within the retry budget; {@link #code()} is the error code
 * from the server's JSON error body (or a client-side code such as {@code unreachable}).
 */
public class RegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The status of a call no node answered (connection refused, timed out, or every node busy). */
    public static final int UNREACHABLE = 0;

    private final int status;
    private final String code;

    public RegistryException(int status, String code, String message) {
        this(status, code, message, null);
    }

    public RegistryException(int status, String code, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public boolean isNotFound() {
        return status == 404;
    }

    /** True when the request itself was rejected as malformed (HTTP 400, 413): resending it cannot help. */
    public boolean isBadRequest() {
        return status == 400 || status == 413;
    }
}
