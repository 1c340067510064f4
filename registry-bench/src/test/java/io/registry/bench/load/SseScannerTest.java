package io.registry.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseScannerTest {

    @Test
    void reportsEachCompleteEventIdEvenWhenSplitAcrossChunks() {
        List<Long> ids = new ArrayList<>();
        SseScanner scanner = new SseScanner(ids::add);
        String stream = "event: instances\nid: 17\ndata: {\"service\":\"s\",\"instances\":[" + "x".repeat(5000)
                + "]}\n\n: keepalive\n\nevent: instances\r\nid: 18\r\ndata: {}\r\n\r\n";
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at < bytes.length; at += 7) {
            scanner.feed(bytes, at, Math.min(7, bytes.length - at));
        }
        assertThat(ids).containsExactly(17L, 18L);
    }

    @Test
    void anEventIsReportedOnlyAtItsBlankLine() {
        List<Long> ids = new ArrayList<>();
        SseScanner scanner = new SseScanner(ids::add);
        byte[] partial = "id: 5\ndata: {}\n".getBytes(StandardCharsets.US_ASCII);
        scanner.feed(partial, 0, partial.length);
        assertThat(ids).isEmpty();
        scanner.feed((byte) '\n');
        assertThat(ids).containsExactly(5L);
    }

    @Test
    void requestsAreEncodedAsPlainHttp11() {
        Request put = Request.put("127.0.0.1:7701", "/v1/services/a/instances/i-1", "{}".getBytes(StandardCharsets.US_ASCII), 1);
        assertThat(new String(put.bytes(), StandardCharsets.US_ASCII)).isEqualTo("PUT /v1/services/a/instances/i-1 "
                + "HTTP/1.1\r\nHost: 127.0.0.1:7701\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}");
        Request get = Request.get("h:1", "/v1/health", 0);
        assertThat(new String(get.bytes(), StandardCharsets.US_ASCII)).isEqualTo("GET /v1/health HTTP/1.1\r\nHost: h:1\r\n\r\n");
    }
}
