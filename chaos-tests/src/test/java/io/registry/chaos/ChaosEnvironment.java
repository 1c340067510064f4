package io.registry.chaos;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;

/**
 * Decides whether the suite can run. In CI (CI=true) a missing Docker engine or base image fails the
 * suite; elsewhere the scenarios are skipped with a message that says how to get them running.
 */
final class ChaosEnvironment {
    private static String problem;
    private static boolean checked;

    private ChaosEnvironment() {
    }

    static void require() {
        String why = problem();
        if (why != null) {
            unsupported("chaos tests need a Docker engine and the local base image: " + why
                    + " (as root: bash .ci/docker-setup.sh)");
        }
    }

    /** Fails in CI (CI=true), skips elsewhere. */
    static void unsupported(String message) {
        ChaosLog.warn("%s", message);
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + " [CI=true, so this fails instead of skipping]");
        }
        Assumptions.abort(message + " [skipped: not in CI]");
    }

    private static synchronized String problem() {
        if (!checked) {
            checked = true;
            problem = probe();
        }
        return problem;
    }

    private static String probe() {
        if (!"true".equalsIgnoreCase(System.getenv("TESTCONTAINERS_RYUK_DISABLED"))) {
            return "TESTCONTAINERS_RYUK_DISABLED=true is not set (Ryuk's image cannot be pulled; run through Maven)";
        }
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return "no Docker engine answers";
        }
        String base = System.getProperty("chaos.baseImage", "registry-base:17");
        try {
            DockerClientFactory.instance().client().inspectImageCmd(base).exec();
        } catch (RuntimeException e) {
            return "image " + base + " is missing (deploy/base-image/build.sh builds it)";
        }
        return null;
    }
}
