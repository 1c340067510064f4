package io.registry.client.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.registry.client.RegistryClient;
import io.registry.client.ServiceView;
import io.registry.node.testing.Await;
import io.registry.node.testing.LocalCluster;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Runs the docs/CLIENT.md example against a real cluster, so the documented code keeps working. */
class ExampleClusterTest {
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void callerBalancesAcrossSelfRegisteredServicesAndStopsCallingOneThatShutsDown() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3)) {
            int portA = freePort();
            int portB = freePort();
            GreeterService a = new GreeterService(cluster.httpAddresses(), portA);
            GreeterService b = new GreeterService(cluster.httpAddresses(), portB);
            try (RegistryClient registry = RegistryClient.builder().nodes(cluster.httpAddresses()).build()) {
                HttpClient http = HttpClient.newHttpClient();
                ServiceView view = registry.discover("greeter");
                Await.until(Duration.ofSeconds(10), "both greeters", () -> view.healthy().size() == 2);

                Map<String, Long> answers = count(GreeterCaller.greet(registry, http, 100));
                assertThat(answers).isEqualTo(Map.of("hello from greeter-" + portA, 50L, "hello from greeter-" + portB, 50L));

                a.close(); // deregisters greeter-A
                Await.until(Duration.ofSeconds(10), "greeter-A gone", () -> view.healthy().size() == 1);
                assertThat(count(GreeterCaller.greet(registry, http, 10)))
                        .isEqualTo(Map.of("hello from greeter-" + portB, 10L));
            } finally {
                a.close();
                b.close();
            }
        }
    }

    private static Map<String, Long> count(List<String> answers) {
        return answers.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }
}
