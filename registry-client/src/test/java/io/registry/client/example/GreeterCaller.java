package io.registry.client.example;

import io.registry.client.Call;
import io.registry.client.RegistryClient;
import io.registry.client.balance.Strategy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/** docs/CLIENT.md, part 2: a caller that discovers the greeters and balances its calls across them. */
public final class GreeterCaller {
    private GreeterCaller() {
    }

    /** Calls a greeter {@code n} times; returns the answers. */
    public static List<String> greet(RegistryClient registry, HttpClient http, int n)
            throws IOException, InterruptedException {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // chooses from the cached, watched list: no registry round trip per call
            try (Call call = registry.startCall("greeter")) {
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + call.hostPort() + "/hello")).build();
                answers.add(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
            }
        }
        return answers;
    }

    public static void main(String[] args) throws Exception {
        String nodes = System.getenv().getOrDefault("REGISTRY_ADDR", RegistryClient.DEFAULT_NODES);
        try (RegistryClient registry = RegistryClient.builder()
                .nodes(nodes)
                .strategy(Strategy.LEAST_OUTSTANDING)
                .build()) {
            registry.onChange("greeter", change -> System.out.println("greeters: " + change.instances().size()
                    + " (added " + change.added().size() + ", removed " + change.removed().size() + ")"));
            greet(registry, HttpClient.newHttpClient(), 10).forEach(System.out::println);
        }
    }
}
