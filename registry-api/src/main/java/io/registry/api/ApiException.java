package io.registry.api;

/** A request that cannot be served, with the HTTP status and error body to answer it with. */
public class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int httpStatus;
    private final String code;

    public ApiException(int httpStatus, String code, String message) {
        super(message, null, false, false);
        this.httpStatus = httpStatus;
        this.code = code;
    }

    public static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    public static ApiException notFound(String code, String message) {
        return new ApiException(404, code, message);
    }

    public static ApiException unavailable(String code, String message) {
        return new ApiException(503, code, message);
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String code() {
        return code;
    }

    public ApiError body() {
        return new ApiError(code, getMessage());
    }
}
