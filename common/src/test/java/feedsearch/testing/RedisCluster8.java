package feedsearch.testing;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * JUnit extension: one throwaway Redis Cluster (3 masters, 3 replicas) per test class, injected
 * as a {@link RedisCluster} parameter; skipped or failed like {@link Redis8} when there is no
 * Redis 8 on the machine.
 */
public final class RedisCluster8 implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RedisCluster8.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        Path binary = RedisServer.findBinary().orElse(null);
        if (binary == null) {
            String why = "no redis-server 8.x found (REDIS_SERVER, PATH, ~/.cache/feedsearch/redis-8): run scripts/install-redis.sh";
            if (System.getenv("CI") != null) {
                throw new IllegalStateException(why);
            }
            Assumptions.abort(why);
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("feedsearch-cluster");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        context.getStore(NAMESPACE).put("cluster", RedisCluster.start(binary, dir, 3));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        RedisCluster cluster = context.getStore(NAMESPACE).remove("cluster", RedisCluster.class);
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == RedisCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            RedisCluster cluster = c.getStore(NAMESPACE).get("cluster", RedisCluster.class);
            if (cluster != null) {
                return cluster;
            }
        }
        throw new IllegalStateException("no Redis Cluster started for " + context.getDisplayName());
    }
}
