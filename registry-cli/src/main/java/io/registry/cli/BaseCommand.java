package io.registry.cli;

import io.registry.client.RegistryClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every subcommand shares: the root's options, the client, the printer. */
abstract class BaseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    RegistryCommand root() {
        return (RegistryCommand) spec.root().userObject();
    }

    RegistryClient client() {
        return root().client();
    }

    Printer printer() {
        return root().printer();
    }

    Context context() {
        return root().context();
    }

    @Override
    public final Integer call() throws Exception {
        return run();
    }

    /** Does the work and returns the exit code; failures are thrown and mapped by {@link ExitCodes}. */
    abstract int run() throws Exception;
}
