package io.massmessage.relay.outcome;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.massmessage.relay.command.Rfc3339;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.time.Instant;

/**
 * The relay's mapper writes every {@link Instant} (an outcome's {@code occurredAt}, {@code issuedAt},
 * {@code rateLimit.retryAt}) with {@link Rfc3339}: the same text as the JSR-310 module's, without the formatter's
 * allocations. Registered after that module, so it takes precedence.
 */
@Singleton
public class JsonTimes implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(module());
    }

    /** The module, for a mapper made outside CDI (tests, tools). */
    public static SimpleModule module() {
        return new SimpleModule("relay-rfc3339").addSerializer(Instant.class, new Rfc3339.Serializer());
    }

    @Override
    public int priority() {
        return MINIMUM_PRIORITY; // after Quarkus's own customizer, which registers the JSR-310 module
    }
}
