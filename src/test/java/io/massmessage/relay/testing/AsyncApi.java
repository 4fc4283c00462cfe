package io.massmessage.relay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** The AsyncAPI document (docs/asyncapi.yaml) and validation of real records against its schemas. */
public final class AsyncApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode DOCUMENT = load();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder()
                    .formatAssertionsEnabled(true).build()));

    private AsyncApi() {}

    public static JsonNode document() {
        return DOCUMENT;
    }

    /** Problems of {@code instance} against {@code components.schemas.<name>}; empty when valid. */
    public static List<String> problems(String schemaName, JsonNode instance) {
        JsonNode schema = DOCUMENT.at("/components/schemas/" + schemaName);
        if (schema.isMissingNode()) {
            throw new IllegalArgumentException("no schema " + schemaName + " in docs/asyncapi.yaml");
        }
        Schema compiled = REGISTRY.getSchema(schema);
        return compiled.validate(instance).stream().map(Object::toString).toList();
    }

    /** Problems of an outcome record: its JSON body and its headers. */
    public static List<String> outcomeProblems(ConsumerRecord<byte[], byte[]> record) {
        try {
            var body = problems("OutcomeEvent", JSON.readTree(record.value()));
            var headers = problems("OutcomeHeaders", headers(record));
            return Stream.concat(body.stream(), headers.stream()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A record's headers as a JSON object of strings (the last value of each name). */
    public static ObjectNode headers(ConsumerRecord<byte[], byte[]> record) {
        ObjectNode headers = JSON.createObjectNode();
        record.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
        return headers;
    }

    private static JsonNode load() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(Path.of("docs", "asyncapi.yaml").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
