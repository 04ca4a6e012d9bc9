package feedsearch.store.redis;

import org.apache.commons.pool2.PooledObject;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionFactory;
import redis.clients.jedis.DefaultJedisSocketFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisConnectionException;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.Socket;

/**
 * Pooled Redis connections whose setup cannot hang. Jedis 7.2 has no handshake timeout: it reads
 * the whole setup (the TLS handshake, which it leaves to the first command, then HELLO, AUTH and
 * CLIENT SETNAME) under the one socket timeout of its client config. So the config given here
 * carries a short setup timeout, the TLS handshake is done at once, where its failure can be told
 * apart from others, and only a connection that has come up gets the longer timeout for commands.
 */
final class BoundedSetupConnections extends ConnectionFactory {
    private final int commandTimeoutMillis;

    BoundedSetupConnections(HostAndPort address, JedisClientConfig setupConfig, int commandTimeoutMillis) {
        super(new HandshakeFirst(address, setupConfig), setupConfig);
        this.commandTimeoutMillis = commandTimeoutMillis;
    }

    @Override
    public PooledObject<Connection> makeObject() throws Exception {
        PooledObject<Connection> connection = super.makeObject();
        connection.getObject().setSoTimeout(commandTimeoutMillis);
        return connection;
    }

    /** The server did not complete a TLS handshake: it does not speak TLS, or not in time. */
    static final class TlsHandshakeFailed extends JedisConnectionException {
        TlsHandshakeFailed(IOException cause) {
            super(cause);
        }
    }

    private static final class HandshakeFirst extends DefaultJedisSocketFactory {
        HandshakeFirst(HostAndPort address, JedisClientConfig config) {
            super(address, config);
        }

        @Override
        public Socket createSocket() {
            Socket socket = super.createSocket();
            if (socket instanceof SSLSocket tls) {
                try {
                    tls.startHandshake();
                } catch (IOException e) {
                    closeQuietly(socket);
                    throw new TlsHandshakeFailed(e);
                }
            }
            return socket;
        }

        private static void closeQuietly(Socket socket) {
            try {
                socket.close();
            } catch (IOException alreadyBroken) {
                // Nothing more to free.
            }
        }
    }
}
