package io.registry.node.config;

/** One member of the cluster: where its Raft (gRPC) and HTTP listeners can be reached. */
public record Peer(String id, String host, int raftPort, int httpPort) {

    public String raftAddress() {
        return host + ":" + raftPort;
    }

    public String httpAddress() {
        return host + ":" + httpPort;
    }

    /** Parses {@code ID=HOST:RAFT_PORT:HTTP_PORT}, e.g. {@code n1=127.0.0.1:7801:7701}. */
    public static Peer parse(String text) {
        String spec = text.trim();
        int eq = spec.indexOf('=');
        String[] parts = eq < 0 ? new String[0] : spec.substring(eq + 1).split(":");
        if (eq <= 0 || parts.length != 3 || parts[0].isEmpty()) {
            throw new ConfigException("peer '" + text + "' is malformed: write ID=HOST:RAFT_PORT:HTTP_PORT, "
                    + "e.g. n1=127.0.0.1:7801:7701");
        }
        return new Peer(spec.substring(0, eq), parts[0], port(text, parts[1]), port(text, parts[2]));
    }

    private static int port(String peer, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigException("peer '" + peer + "' has port '" + text + "': ports are numbers from 1 to 65535");
    }

    @Override
    public String toString() {
        return id + "=" + host + ":" + raftPort + ":" + httpPort;
    }
}
