package feedsearch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Something other than Redis listening on a free loopback port, where a misconfigured URL may
 * point: a web server that answers whatever it is sent with a 400, or a server that accepts
 * connections and never says a word.
 */
public final class NotRedis implements AutoCloseable {
    private static final byte[] BAD_REQUEST = ("HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: 23\r\n"
            + "Connection: close\r\n\r\n<h1>Bad Request</h1>\r\n").getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final boolean answers;
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private NotRedis(boolean answers) {
        this.answers = answers;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::serve, "not-redis");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Answers the first bytes of every connection with "HTTP/1.1 400 Bad Request" and hangs up. */
    public static NotRedis http() {
        return new NotRedis(true);
    }

    /** Accepts connections and keeps them open without reading or writing anything. */
    public static NotRedis silent() {
        return new NotRedis(false);
    }

    public int port() {
        return server.getLocalPort();
    }

    public String url() {
        return "redis://127.0.0.1:" + port();
    }

    private void serve() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                if (!answers) {
                    open.add(socket);
                    continue;
                }
                try (socket) {
                    socket.getInputStream().read(new byte[4096]);
                    socket.getOutputStream().write(BAD_REQUEST);
                }
            } catch (IOException closedOrReset) {
                // The server is closing, or the client hung up first: serve the next one.
            }
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            for (Socket socket : open) {
                socket.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
