package io.registry.node.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks that fail fast with a clear message instead of a stack trace from deep inside Ratis or Netty. */
public final class Preflight {
    private Preflight() {
    }

    public static void check(NodeConfig config) {
        dataDirWritable(config.dataDir());
        portFree(config.bind(), config.self().raftPort(), "Raft");
        portFree(config.bind(), config.self().httpPort(), "HTTP");
    }

    static void dataDirWritable(Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check", "");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new ConfigException("data dir " + dir.toAbsolutePath() + " is not writable (" + e.getMessage()
                    + "); choose another with --data-dir or fix its permissions");
        }
    }

    static void portFree(String bind, int port, String what) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(bind, port));
        } catch (IOException e) {
            throw new ConfigException(what + " port " + port + " on " + bind + " is not available (" + e.getMessage()
                    + "); stop whatever uses it or change the port in --peers");
        }
    }
}
