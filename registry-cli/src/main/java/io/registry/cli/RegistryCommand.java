package io.registry.cli;

import io.registry.client.RegistryClient;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

@Command(name = "registry", mixinStandardHelpOptions = true, versionProvider = RegistryCommand.Version.class,
        description = "Inspect and operate a registry cluster: members, leadership, snapshots, services and instances.",
        subcommands = {StatusCommand.class, MembersCommand.class, LeaderCommand.class, SnapshotCommand.class,
                ServicesCommand.class, InstancesCommand.class, RegisterCommand.class, DeregisterCommand.class,
                WatchCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Nodes come from --addr, else $REGISTRY_ADDR, else the local cluster",
                "(127.0.0.1 ports 7701, 7702, 7703); when a node is down the next one is tried.",
                "Exit codes: 0 success, 1 the operation failed, 2 bad usage (reason on stderr).",
                "", "Examples:",
                "  registry status",
                "  export REGISTRY_ADDR=10.0.0.1:7701,10.0.0.2:7701",
                "  registry instances payments --healthy -o json"})
final class RegistryCommand implements Callable<Integer>, AutoCloseable {
    private static final Pattern HOST_PORT = Pattern.compile("(https?://)?[A-Za-z0-9_.%:\\[\\]-]+:\\d{1,5}/?");

    private final Context context;
    private RegistryClient client;

    @Spec
    CommandSpec spec;

    @Option(names = "--addr", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Registry nodes' HTTP addresses, comma-separated (default: $REGISTRY_ADDR, "
                    + "else 127.0.0.1 ports 7701, 7702, 7703).")
    String addr;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "FORMAT",
            completionCandidates = Format.Names.class,
            description = "Output format: table or json (default: ${DEFAULT-VALUE}).", defaultValue = "table")
    Format output;

    /** For picocli's tools (completion script generation); commands run through {@link Cli}. */
    RegistryCommand() {
        this(Context.system());
    }

    RegistryCommand(Context context) {
        this.context = context;
    }

    Context context() {
        return context;
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing command: try 'registry status', or 'registry --help' for the list");
    }

    /** The node list: --addr, else REGISTRY_ADDR, else the local default; each entry HOST:PORT. */
    List<String> nodes() {
        String env = context.env().get("REGISTRY_ADDR");
        String chosen = addr != null ? addr : env != null && !env.isBlank() ? env : RegistryClient.DEFAULT_NODES;
        String source = addr != null ? "--addr" : env != null && !env.isBlank() ? "REGISTRY_ADDR" : "default";
        List<String> nodes = RegistryClient.parseNodes(chosen);
        if (nodes.isEmpty()) {
            throw new UsageException(source + " is empty: give HOST:PORT[,HOST:PORT...]");
        }
        for (String node : nodes) {
            if (!HOST_PORT.matcher(node).matches() || port(node) < 1 || port(node) > 65535) {
                throw new UsageException(source + ": '" + node + "' is not HOST:PORT (e.g. 127.0.0.1:7701)");
            }
        }
        return nodes;
    }

    private static int port(String node) {
        String n = node.endsWith("/") ? node.substring(0, node.length() - 1) : node;
        return Integer.parseInt(n.substring(n.lastIndexOf(':') + 1));
    }

    RegistryClient client() {
        if (client == null) {
            client = context.clients().apply(nodes());
        }
        return client;
    }

    Printer printer() {
        return new Printer(context.out(), output, new Style(context.colour()));
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = RegistryCommand.class.getPackage().getImplementationVersion();
            return new String[] {"registry " + (v == null ? "(development build)" : v)};
        }
    }
}
