package io.registry.bench.load;

import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 request, already encoded: the load generator writes these bytes as they are, so a request
 * costs one small array and no header map or JSON mapping. {@code tag} is the workload's own reference
 * (an instance number, a send sequence) handed back with the outcome.
 */
public record Request(byte[] bytes, long tag) {

    public static Request get(String host, String pathAndQuery, long tag) {
        return new Request(head("GET", host, pathAndQuery, 0).append("\r\n").toString()
                .getBytes(StandardCharsets.US_ASCII), tag);
    }

    public static Request put(String host, String path, byte[] body, long tag) {
        byte[] head = head("PUT", host, path, body.length).append("Content-Type: application/json\r\n\r\n")
                .toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return new Request(all, tag);
    }

    private static StringBuilder head(String method, String host, String path, int contentLength) {
        StringBuilder b = new StringBuilder(96 + path.length());
        b.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
        if (contentLength > 0 || method.equals("PUT")) {
            b.append("Content-Length: ").append(contentLength).append("\r\n");
        }
        return b;
    }
}
