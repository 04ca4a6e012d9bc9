package feedsearch.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP server on a free loopback port that answers with whatever bytes, at whatever pace, a
 * test's handler writes: headers then silence, a body dripped a byte at a time, an endless body,
 * lies in Content-Length. What a broken or hostile server sends, which a well-behaved server
 * library will not.
 */
public final class RawHttpServer implements AutoCloseable {
    /** Answers one request; {@code path} is the request target, e.g. {@code /post}. */
    @FunctionalInterface
    public interface Handler {
        void answer(String path, OutputStream out) throws IOException, InterruptedException;
    }

    private final ServerSocket server;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicLong bytesSent = new AtomicLong();

    public RawHttpServer(Handler handler) {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    open.add(socket);
                    Thread t = new Thread(() -> serve(socket, handler), "raw-http");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "raw-http-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void serve(Socket socket, Handler handler) {
        try (socket) {
            String path = readRequestTarget(socket.getInputStream());
            OutputStream counting = new OutputStream() {
                private final OutputStream out = socket.getOutputStream();

                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    bytesSent.incrementAndGet();
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    bytesSent.addAndGet(len);
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }
            };
            handler.answer(path, counting);
            counting.flush();
        } catch (IOException | InterruptedException e) {
            // The client hung up, which is often the point of the test.
        }
    }

    private static String readRequestTarget(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            String s = head.toString(StandardCharsets.ISO_8859_1);
            if (s.endsWith("\r\n\r\n")) {
                String[] requestLine = s.split("\r\n", 2)[0].split(" ");
                return requestLine.length > 1 ? requestLine[1] : "/";
            }
        }
        return "/";
    }

    /** Writes a status line and headers, e.g. {@code head(out, 200, "Content-Type: text/html")}. */
    public static void head(OutputStream out, int status, String... headers) throws IOException {
        StringBuilder s = new StringBuilder("HTTP/1.1 " + status + " X\r\nConnection: close\r\n");
        for (String h : headers) {
            s.append(h).append("\r\n");
        }
        out.write(s.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    /** Body and header bytes written to clients so far. */
    public long bytesSent() {
        return bytesSent.get();
    }

    @Override
    public void close() {
        try {
            server.close();
            for (Socket s : open) {
                s.close();
            }
        } catch (IOException ignored) {
            // Closing anyway.
        }
    }
}
