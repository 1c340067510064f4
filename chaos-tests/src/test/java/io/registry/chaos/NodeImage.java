package io.registry.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The node image, built once per test JVM from deploy/Dockerfile on top of the locally built base image
 * (deploy/base-image/build.sh), with registry-node/target (jar + lib/) as the build context.
 */
final class NodeImage {
    static final String TAG = "registry-node:chaos";
    private static String built;

    private NodeImage() {
    }

    static synchronized String get() {
        if (built == null) {
            built = build();
        }
        return built;
    }

    private static String build() {
        Path target = Path.of(System.getProperty("chaos.nodeTarget", "../registry-node/target")).toAbsolutePath();
        Path dockerfile = Path.of(System.getProperty("chaos.dockerfile", "../deploy/Dockerfile")).toAbsolutePath();
        String base = System.getProperty("chaos.baseImage", "registry-base:17");
        Path jar = target.resolve("registry-node.jar");
        Path lib = target.resolve("lib");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(lib)) {
            throw new IllegalStateException("no " + jar + " with lib/ beside it: package the node first "
                    + "(./mvnw -B -pl chaos-tests -am verify, or ./mvnw -B -pl registry-node -am package -DskipTests)");
        }
        long start = System.nanoTime();
        String image = new ImageFromDockerfile(TAG, false)
                .withFileFromPath("Dockerfile", dockerfile)
                .withFileFromPath("registry-node.jar", jar)
                .withFileFromPath("lib", lib)
                .withBuildArg("BASE_IMAGE", base)
                .withBuildImageCmdModifier(cmd -> cmd.withPull(false))
                .get();
        ChaosLog.info("built %s from %s on %s in %d ms", image, dockerfile, base, (System.nanoTime() - start) / 1_000_000);
        return image;
    }
}
