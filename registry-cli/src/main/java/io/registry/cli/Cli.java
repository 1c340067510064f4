package io.registry.cli;

import picocli.CommandLine;

/** Runs one command line against a {@link Context}; returns the exit code instead of exiting. */
public final class Cli {
    private Cli() {
    }

    public static int execute(Context context, String... args) {
        RegistryCommand root = new RegistryCommand(context);
        CommandLine commandLine = commandLine(root);
        try {
            return commandLine.execute(args);
        } finally {
            root.close();
            context.out().flush();
            context.err().flush();
        }
    }

    static CommandLine commandLine(RegistryCommand root) {
        Context context = root.context();
        CommandLine cl = new CommandLine(root);
        cl.setOut(context.out());
        cl.setErr(context.err());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(
                context.colour() ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
        cl.setParameterExceptionHandler((e, args) -> fail(context, e,
                " (see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')"));
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> fail(context, e, ""));
        return cl;
    }

    private static int fail(Context context, Exception e, String hint) {
        context.err().println("registry: " + ExitCodes.reason(e) + hint);
        context.err().flush();
        return ExitCodes.of(e);
    }
}
