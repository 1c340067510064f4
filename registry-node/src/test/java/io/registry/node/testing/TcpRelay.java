package io.registry.node.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP relay on loopback in front of one node's port, able to kill the connections it carries silently:
 * {@link #wedgeOpenConnections()} stops forwarding on every open connection, in both directions, without
 * closing it. Neither end hears a reset or a FIN, as with a peer that left the network, while connections
 * made afterwards work. Only loopback traffic, between a test's own nodes.
 */
public final class TcpRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final int target;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /** One relayed connection; wedged links drop what they read and read no more until closed. */
    private static final class Link {
        final Socket client;
        final Socket server;
        final CountDownLatch released = new CountDownLatch(1);
        volatile boolean wedged;

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void close() {
            released.countDown();
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    public TcpRelay(int port, int targetPort) {
        this.target = targetPort;
        try {
            listener = new ServerSocket();
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        daemon("relay-accept-" + port, this::acceptLoop).start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Silently kills every connection open now; later ones are relayed normally. */
    public void wedgeOpenConnections() {
        links.forEach(l -> l.wedged = true);
    }

    /** Connections open now and not wedged. */
    public long liveConnections() {
        return links.stream().filter(l -> !l.wedged && !l.client.isClosed()).count();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                try {
                    server.connect(new InetSocketAddress("127.0.0.1", target), 5_000);
                } catch (IOException refused) {
                    closeQuietly(client);   // as the target would: it is not listening
                    closeQuietly(server);
                    continue;
                }
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                Link link = new Link(client, server);
                links.add(link);
                daemon("relay-up-" + port(), () -> pump(link, client, server)).start();
                daemon("relay-down-" + port(), () -> pump(link, server, client)).start();
            } catch (IOException e) {
                // closed, or one failed accept: the loop condition decides
            }
        }
    }

    private static void pump(Link link, Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (link.wedged) {
                    link.released.await();   // read nothing more: the sender's window fills as with a dead peer
                    return;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the other direction or close() ended the link
        }
        if (!link.wedged) {
            link.close();
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        links.forEach(Link::close);
    }
}
