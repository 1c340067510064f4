package io.registry.node;

import static io.registry.node.testing.TestHttp.instanceBody;
import static org.assertj.core.api.Assertions.assertThat;

import io.registry.node.testing.LocalCluster;
import io.registry.node.testing.TestHttp;
import io.registry.node.testing.TestHttp.Response;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every documented error answers a 4xx with a JSON body that says what is wrong, and stores nothing. */
class HttpErrorsTest {
    private static LocalCluster cluster;
    private static String node;

    @BeforeAll
    static void startCluster() {
        cluster = LocalCluster.start(3, c -> c.withMaxRequestBytes(4096));
        node = cluster.httpAddress(cluster.followerIds().get(0));
        assertThat(TestHttp.put(node, "/v1/services/keep/instances/k-1", instanceBody("10.0.0.1", 80)).status())
                .isEqualTo(200);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            malformed JSON          | {"address":"10.0.0.1","port":   | 400 | invalid_json
            not an object           | [1,2,3]                          | 400 | invalid_json
            missing address         | {"port":80}                      | 400 | missing_field
            missing port            | {"address":"10.0.0.1"}           | 400 | missing_field
            port out of range       | {"address":"10.0.0.1","port":70000} | 400 | invalid_port
            port not a number       | {"address":"10.0.0.1","port":"http"} | 400 | invalid_field
            unknown field           | {"address":"10.0.0.1","port":80,"prot":1} | 400 | unknown_field
            bad weight              | {"address":"10.0.0.1","port":80,"weight":0} | 400 | invalid_weight
            bad duration            | {"address":"10.0.0.1","port":80,"check":{"type":"ttl","ttl":"soon"}} | 400 | invalid_field
            ttl check without ttl   | {"address":"10.0.0.1","port":80,"check":{"type":"ttl"}} | 400 | invalid_check
            unknown check type      | {"address":"10.0.0.1","port":80,"check":{"type":"udp"}} | 400 | invalid_field
            bad status              | {"address":"10.0.0.1","port":80,"status":"up"} | 400 | invalid_field
            """)
    void badRegistrationBodyIsRejectedWithJsonError(String why, String body, int status, String code) {
        Response r = TestHttp.put(node, "/v1/services/keep/instances/k-1", body);
        assertError(r, status, code);
        assertKeptInstanceUnchanged();
    }

    @Test
    void emptyBodyIsRejected() {
        assertError(TestHttp.put(node, "/v1/services/keep/instances/k-2", null), 400, "missing_body");
    }

    @Test
    void invalidServiceNameAndIdAreRejected() {
        assertError(TestHttp.put(node, "/v1/services/Bad_Name/instances/x", instanceBody("10.0.0.1", 80)), 400,
                "invalid_service");
        assertError(TestHttp.put(node, "/v1/services/ok/instances/" + "x".repeat(129), instanceBody("10.0.0.1", 80)),
                400, "invalid_id");
    }

    @Test
    void oversizedBodyIsRejectedWith413AndNothingStored() {
        String big = "{\"address\":\"10.0.0.1\",\"port\":80,\"metadata\":{\"k\":\"" + "x".repeat(5000) + "\"}}";
        assertError(TestHttp.put(node, "/v1/services/keep/instances/k-1", big), 413, "body_too_large");
        assertKeptInstanceUnchanged();
    }

    @Test
    void unknownInstanceDeregistrationIs404() {
        assertError(TestHttp.delete(node, "/v1/services/keep/instances/nope"), 404, "not_found");
        assertError(TestHttp.delete(node, "/v1/services/never-registered/instances/nope"), 404, "not_found");
    }

    @Test
    void unknownServiceListsNoInstances() {
        Response r = TestHttp.get(node, "/v1/services/never-registered/instances");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("instances")).isEmpty();
    }

    @Test
    void unknownRouteAndWrongMethodAreJsonErrors() {
        assertError(TestHttp.get(node, "/v2/things"), 404, "no_route");
        assertError(TestHttp.post(node, "/v1/services", "{}"), 405, "method_not_allowed");
        assertError(TestHttp.get(node, "/v1/services/keep/instances?consistency=eventual"), 400,
                "invalid_consistency");
    }

    @Test
    void aMinIndexHeaderThatIsNotAnIndexIsRejectedOnEveryRead() {
        for (String path : List.of("/v1/services", "/v1/services/keep/instances", "/v1/services/keep/pick",
                "/v1/watch/services/keep")) {
            for (String bad : List.of("-1", "ten", "9".repeat(30))) {
                Response r = TestHttp.get(node, path, "X-Registry-Min-Index", bad);
                assertError(r, 400, "invalid_header");
                assertThat(r.json().get("message").asText()).as(path).contains("X-Registry-Min-Index", bad);
            }
        }
        assertKeptInstanceUnchanged();
    }

    @Test
    void garbageOnTheSocketGetsA400AndTheConnectionCloses() throws Exception {
        String[] hostPort = node.split(":");
        try (Socket socket = new Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write("NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 400").contains("\"error\"");
        }
    }

    private static void assertError(Response r, int status, String code) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.json().get("error").asText()).as(r.body()).isEqualTo(code);
        assertThat(r.json().get("message").asText()).isNotBlank().doesNotContain("Exception", "at io.");
    }

    private static void assertKeptInstanceUnchanged() {
        // Stale is exact here: this node acknowledged every write to 'keep', so it has applied them.
        Response r = TestHttp.get(node, "/v1/services/keep/instances?consistency=stale");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("instances")).hasSize(1);
        assertThat(r.json().get("instances").get(0).get("port").asInt()).isEqualTo(80);
    }
}
