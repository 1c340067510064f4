package io.registry.cli;

/** The cluster was asked correctly but the operation did not succeed (exit code 1). */
final class OperationFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OperationFailed(String message) {
        super(message);
    }
}
