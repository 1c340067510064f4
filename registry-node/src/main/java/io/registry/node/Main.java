package io.registry.node;

import io.registry.node.config.ConfigException;
import io.registry.node.config.ConfigLoader;
import io.registry.node.config.NodeConfig;
import io.registry.node.config.Preflight;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of {@code registry-node}: reads the configuration, checks it, starts the node. Wiring only. */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        NodeConfig config;
        try {
            config = ConfigLoader.load(args, System.getenv());
            if (config == null) {
                System.out.print(ConfigLoader.USAGE);
                return;
            }
            Preflight.check(config);
        } catch (ConfigException e) {
            System.err.println("registry-node: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            RegistryNode node = new RegistryNode(config, System::currentTimeMillis, () -> Runtime.getRuntime().halt(3));
            Runtime.getRuntime().addShutdownHook(new Thread(node::close, "shutdown"));
            node.start();
        } catch (Exception e) {
            LOG.error("registry-node {} failed to start: {}", config.id(), e.toString(), e);
            System.err.println("registry-node: failed to start: " + e);
            System.exit(1);
        }
    }
}
