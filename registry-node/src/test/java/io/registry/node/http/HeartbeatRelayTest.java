package io.registry.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeartbeatRelayTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void outcomesKeepEachBodyByteForByteThroughTheRelayAnswer() {
        byte[] ok = utf8("{\"service\":\"web\",\"id\":\"a-1\",\"ttl\":\"10s\",\"meta\":{\"k\":\"{not] a \\\"brace\\\"\"}}");
        byte[] missing = utf8("{\"error\":\"not_found\",\"message\":\"no instance 'é-2' in web; register it again\"}");
        byte[] answer = HeartbeatRelay.encode(List.of(new HeartbeatRelay.Outcome(200, ok),
                new HeartbeatRelay.Outcome(404, missing)));

        List<HeartbeatRelay.Outcome> decoded = HeartbeatRelay.decode(answer);

        assertThat(decoded).hasSize(2);
        assertThat(decoded.get(0).status()).isEqualTo(200);
        assertThat(decoded.get(0).json()).isEqualTo(ok);
        assertThat(decoded.get(1).status()).isEqualTo(404);
        assertThat(decoded.get(1).json()).isEqualTo(missing);
    }

    @Test
    void anEmptyRelayAnswersAnEmptyArray() {
        assertThat(HeartbeatRelay.decode(HeartbeatRelay.encode(List.of()))).isEmpty();
    }

    @Test
    void anAnswerInAnotherShapeIsNotRead() {
        assertThat(HeartbeatRelay.decode(utf8("{\"error\":\"not_leader\"}"))).isNull();
        assertThat(HeartbeatRelay.decode(utf8("[{\"status\":200}]"))).isNull();
        assertThat(HeartbeatRelay.decode(utf8("[{\"status\":200,\"body\":{\"id\":"))).isNull();
        assertThat(HeartbeatRelay.decode(utf8("not json"))).isNull();
    }
}
