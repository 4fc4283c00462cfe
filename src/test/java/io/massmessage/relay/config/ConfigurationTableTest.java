package io.massmessage.relay.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.WithDefault;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

/** The configuration table ({@code docs/configuration.md}) must name every config property with its env var and default, as the code has them. */
class ConfigurationTableTest {

    private record Row(String env, String property, String defaultValue) {}

    @Test
    void everyConfigMappingPropertyIsDocumentedWithItsDefault() throws IOException {
        Map<String, Row> rows = documentedRows();
        Map<String, String> expected = new LinkedHashMap<>();
        collect(RelayConfig.class, "relay", expected);
        collect(ProvidersConfig.Endpoint.class, "providers.<name>", expected);
        collectTop(expected);
        for (var property : expected.entrySet()) {
            assertThat(rows).as("docs/configuration.md row for %s", property.getKey()).containsKey(property.getKey());
            if (property.getValue() != null) {
                assertThat(rows.get(property.getKey()).defaultValue()).as("default of %s", property.getKey())
                        .isEqualTo(property.getValue());
            }
        }
        assertThat(rows).containsKey("providers.<name>.accounts.\"<account>\".api-key");
    }

    @Test
    void everyDocumentedPropertyExistsWithTheDocumentedDefault() throws IOException {
        Properties app = new Properties();
        try (var in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            app.load(in);
        }
        Map<String, String> mapped = new LinkedHashMap<>();
        collect(RelayConfig.class, "relay", mapped);
        collect(ProvidersConfig.Endpoint.class, "providers.<name>", mapped);
        collectTop(mapped);
        for (Row row : documentedRows().values()) {
            String p = row.property();
            if (p.startsWith("mp.messaging.") && !p.endsWith("session.timeout.ms")) {
                assertThat(app.getProperty(p)).as("application.properties value of %s", p)
                        .isEqualTo(row.defaultValue());
            } else if (p.equals("kafka.bootstrap.servers")) {
                assertThat(app.getProperty(p)).isEqualTo("${KAFKA_BOOTSTRAP_SERVERS:" + row.defaultValue() + "}");
            } else if (p.startsWith("quarkus.")) {
                assertThat(app.getProperty(p)).as("application.properties value of %s", p)
                        .isEqualTo(row.defaultValue());
            } else if (p.startsWith("kafka.")) {
                // Kafka client settings, read from KAFKA_* by Quarkus for every client (config.KafkaClientSettings)
                assertThat(ProducerConfig.configNames()).as("a Kafka client setting")
                        .contains(p.substring("kafka.".length()));
                assertThat(app.getProperty(p)).as("%s is left to the environment", p).isNull();
            } else if (!p.endsWith("session.timeout.ms") && !p.contains("\"<account>\"")) {
                assertThat(mapped).as("a @ConfigMapping accessor for %s", p).containsKey(p);
            }
        }
    }

    @Test
    void envVarsFollowTheMicroProfileMappingOfTheirProperty() throws IOException {
        for (Row row : documentedRows().values()) {
            if (row.env().equals("—")) {
                continue;
            }
            String derived = row.property().replace("<name>", "<NAME>").toUpperCase(Locale.ROOT).replaceAll("[.\\-]",
                    "_");
            // "KAFKA_SSL_TRUSTSTORE_LOCATION, _TYPE, _PASSWORD": the first names the property, the others its siblings
            assertThat(row.env().split(",")[0].trim()).as("env var of %s", row.property()).isEqualTo(derived);
        }
    }

    /** The providers mapping's own properties (not the per-provider groups). */
    private static void collectTop(Map<String, String> out) {
        Map<String, String> top = new LinkedHashMap<>();
        collect(ProvidersConfig.class, "providers", top);
        top.forEach((name, value) -> {
            if (!name.matches("providers\\.(onlyfansapi|fansmetric|fansly)\\..*")) {
                out.put(name, value);
            }
        });
    }

    /** Properties of a mapping interface, kebab-cased, with their {@code @WithDefault} (or null). */
    private static void collect(Class<?> type, String prefix, Map<String, String> out) {
        for (Method method : type.getDeclaredMethods()) {
            if (method.isDefault() || Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            String name = prefix + "." + kebab(method.getName());
            Class<?> returned = method.getReturnType();
            if (returned.isInterface() && returned.getName().startsWith("io.massmessage")) { // a nested group
                collect(returned, name, out);
            } else if (returned != Map.class) {
                WithDefault value = method.getAnnotation(WithDefault.class);
                out.put(name, value == null ? null : value.value());
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static Map<String, Row> documentedRows() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("docs", "configuration.md"));
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : lines) {
            if (!line.startsWith("| ") || line.startsWith("| description")) {
                continue;
            }
            String[] cells = line.split("\\|");
            if (cells.length < 5) {
                continue;
            }
            Row row = new Row(strip(cells[2]), strip(cells[3]), strip(cells[4]));
            rows.put(row.property(), row);
        }
        assertThat(rows).as("rows of the configuration table").isNotEmpty();
        return rows;
    }

    private static String strip(String cell) {
        return cell.trim().replace("`", "");
    }
}
