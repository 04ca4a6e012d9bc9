package feedsearch.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.nio.file.Path;

/**
 * JUnit extension: one throwaway Redis 8 server per test class, injected as a {@link RedisServer}
 * parameter. With no Redis 8 on this machine the class is skipped, saying why, except under CI
 * (CI set), where that is a failure: CI installs Redis 8 with scripts/install-redis.sh.
 */
public final class Redis8 implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Redis8.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        Path binary = RedisServer.requireBinary();
        context.getStore(NAMESPACE).put("server", RedisServer.start(binary, RedisServer.newDirectory("feedsearch-redis")));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        RedisServer server = context.getStore(NAMESPACE).remove("server", RedisServer.class);
        if (server != null) {
            server.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == RedisServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return findInParents(context);
    }

    private static RedisServer findInParents(ExtensionContext context) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            RedisServer server = c.getStore(NAMESPACE).get("server", RedisServer.class);
            if (server != null) {
                return server;
            }
        }
        throw new IllegalStateException("no Redis server started for " + context.getDisplayName());
    }
}
