package feedsearch.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
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
        Path binary = RedisServer.requireBinary();
        context.getStore(NAMESPACE).put("cluster", RedisCluster.start(binary, RedisServer.newDirectory("feedsearch-cluster"), 3));
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
