package io.registry.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LeaderLinkTest {
    private static final byte[] BODY = "[]".getBytes(StandardCharsets.UTF_8);

    /** Answers every request on a connection with {@code answer}, or never when it is null. */
    private static ServerSocket server(String answer, AtomicInteger connections) throws Exception {
        ServerSocket socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket c = socket.accept();
                    connections.incrementAndGet();
                    Thread reader = new Thread(() -> serve(c, answer));
                    reader.setDaemon(true);
                    reader.start();
                } catch (Exception e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return socket;
    }

    private static void serve(Socket c, String answer) {
        try (c; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
            byte[] buf = new byte[8192];
            while (in.read(buf) > 0) {   // one read holds one small request here
                if (answer != null) {
                    out.write(answer.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } catch (Exception ignored) {
            // the link closed the connection
        }
    }

    private static String address(ServerSocket s) {
        return "127.0.0.1:" + s.getLocalPort();
    }

    @Test
    void answersComeBackWithTheirStatusAndBodyAndTheConnectionIsKept() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        String ok = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}";
        try (ServerSocket s = server(ok, connections); LeaderLink link = new LeaderLink(1 << 20, Duration.ofSeconds(2))) {
            for (int i = 0; i < 1000; i++) {   // many: a caller that posts again at once must find the kept connection
                LeaderLink.Response r = link.post(address(s), "/x", Map.of(), BODY, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(200);
                assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{\"ok\":true}");
            }
            assertThat(connections.get()).isEqualTo(1);
        }
    }

    @Test
    void aLeaderThatNeverAnswersFailsThePostInTimeAndItsConnectionIsNotReused() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket s = server(null, connections); LeaderLink link = new LeaderLink(1 << 20, Duration.ofSeconds(2))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> link.post(address(s), "/x", Map.of(), BODY, Duration.ofMillis(300)).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThatThrownBy(() -> link.post(address(s), "/x", Map.of(), BODY, Duration.ofMillis(300)).get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TimeoutException.class);
            assertThat(connections.get()).isEqualTo(2);
        }
    }

    @Test
    void nobodyListeningFailsThePostAtOnce() throws Exception {
        ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        String address = address(closed);
        closed.close();
        try (LeaderLink link = new LeaderLink(1 << 20, Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> link.post(address, "/x", Map.of(), BODY, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(java.io.IOException.class);
        }
    }
}
