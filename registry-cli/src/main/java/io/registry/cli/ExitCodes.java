package io.registry.cli;

import io.registry.client.RegistryException;
import picocli.CommandLine;

/** The one place that turns an outcome into an exit code and a one-line reason. */
final class ExitCodes {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private ExitCodes() {
    }

    static int of(Throwable e) {
        if (e instanceof CommandLine.ParameterException || e instanceof UsageException) {
            return USAGE;
        }
        if (e instanceof RegistryException re && re.isBadRequest()) {
            return USAGE; // the cluster rejected what the user typed; retrying cannot help
        }
        return FAILED;
    }

    /** The reason, on one line: the message of the exception (its class when it has none). */
    static String reason(Throwable e) {
        String message = e.getMessage();
        if (e instanceof RegistryException || e instanceof CommandLine.ParameterException
                || e instanceof UsageException || e instanceof OperationFailed) {
            return oneLine(message);
        }
        return "internal error: " + e.getClass().getName() + (message == null ? "" : ": " + oneLine(message));
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
