package io.registry.cli;

import io.registry.client.RegistryClient;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * What a command run sees of the outside world: where output and errors go, the environment, whether
 * colours are wanted, and how to build a client for a node list. Tests build their own.
 */
public record Context(PrintWriter out, PrintWriter err, Map<String, String> env, boolean colour,
                      Function<List<String>, RegistryClient> clients) {

    /** The real terminal: colours when stdout is a terminal and NO_COLOR is unset. */
    public static Context system() {
        Map<String, String> env = System.getenv();
        boolean colour = CommandLine.Help.Ansi.AUTO.enabled() && System.console() != null && !env.containsKey("NO_COLOR");
        return new Context(new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8), env, colour, Context::defaultClient);
    }

    /** A client for a command line tool: fails over quickly, gives up within a few seconds. */
    public static RegistryClient defaultClient(List<String> nodes) {
        return RegistryClient.builder().nodes(nodes).build();
    }
}
