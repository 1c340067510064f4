package io.registry.cli;

/** The {@code registry} command: the only place that exits the JVM. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(Context.system(), args));
    }
}
