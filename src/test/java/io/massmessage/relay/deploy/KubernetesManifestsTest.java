package io.massmessage.relay.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.massmessage.relay.config.ProvidersConfig;
import io.massmessage.relay.config.RelayConfig;
import io.massmessage.simulator.SimulatorMain;
import io.massmessage.simulator.SimulatorSettings;
import io.smallrye.config.WithDefault;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The k8s/ manifests must agree with the application: probe paths and port, environment variable
 * names against the config mapping, topic names and consumer group against the channel config, the
 * grace periods, KEDA's replica ceiling against the command topic's partitions, KEDA's Kafka credentials,
 * and no Secret in any kustomization (the examples in {@code k8s/secrets/} hold placeholders only). The base is parsed as written; each overlay is rendered with
 * {@code kubectl kustomize} when kubectl is on the PATH (it is checked, not assumed).
 */
class KubernetesManifestsTest {
    // also: deploy/compose.yaml and deploy/Dockerfile against the application and the simulator

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path K8S = Path.of("k8s");

    static Stream<String> renderings() {
        return kubectlAvailable() ? Stream.of("base", "overlays/dev", "overlays/prod") : Stream.of("base");
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void manifestsAgreeWithTheApplication(String rendering) throws Exception {
        List<JsonNode> docs = rendering.equals("base") ? readBase() : kustomize(rendering);
        Properties app = applicationProperties();

        JsonNode deployment = one(docs, "Deployment");
        JsonNode pod = deployment.at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        int httpPort = Integer.parseInt(app.getProperty("quarkus.http.port", "8080"));
        assertThat(container.at("/ports/0/name").asText()).isEqualTo("http");
        assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(httpPort);
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/started");
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertThat(container.at("/" + probe + "/httpGet/port").asText()).as(probe).isEqualTo("http");
        }

        // security: non-root, read-only root filesystem (with a writable /tmp), no privilege escalation
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(container.at("/volumeMounts/0/mountPath").asText()).isEqualTo("/tmp");
        assertThat(container.at("/resources/limits/memory").isMissingNode()).isFalse();

        // environment: every variable the manifests set is one the application reads
        JsonNode configMap = named(docs, "ConfigMap", container.at("/envFrom/0/configMapRef/name").asText());
        // Secrets: none is applied by a kustomization (it would replace the real one with placeholders); the
        // examples in k8s/secrets/ hold every key the pod and KEDA read, with placeholders only
        assertThat(all(docs, "Secret")).as("Secrets in %s", rendering).isEmpty();
        JsonNode apiKeys = example("provider-keys", container.at("/envFrom/1/secretRef/name").asText());
        JsonNode kafkaSecret = example("kafka-credentials", "mass-message-relay-kafka");
        List<String> variables = new ArrayList<>();
        configMap.path("data").fieldNames().forEachRemaining(variables::add);
        apiKeys.path("stringData").fieldNames().forEachRemaining(variables::add);
        container.path("env").forEach(e -> variables.add(e.path("name").asText()));
        Set<Pattern> known = knownVariables(app);
        for (String variable : variables) {
            assertThat(known).as("%s is read by the application", variable)
                    .anyMatch(p -> p.matcher(variable).matches());
        }
        assertThat(apiKeys.path("stringData").fieldNames()).toIterable().containsExactlyInAnyOrder(
                "PROVIDERS_ONLYFANSAPI_API_KEY", "PROVIDERS_FANSMETRIC_API_KEY", "PROVIDERS_FANSLY_API_KEY");
        apiKeys.path("stringData").forEach(v -> assertThat(v.asText()).as("example value").isEqualTo("REPLACE_ME"));
        for (String secretValue : List.of("password", "ca")) {
            assertThat(kafkaSecret.at("/stringData/" + secretValue).asText()).as(secretValue).isEqualTo("REPLACE_ME");
        }
        assertThat(kafkaSecret.at("/stringData/KAFKA_SASL_JAAS_CONFIG").asText()).contains("password=\"REPLACE_ME\"");
        container.path("env").forEach(e -> {
            JsonNode ref = e.at("/valueFrom/secretKeyRef");
            if (!ref.isMissingNode()) {
                assertThat(ref.path("name").asText()).isEqualTo("mass-message-relay-kafka");
                assertThat(kafkaSecret.at("/stringData/" + ref.path("key").asText()).isMissingNode())
                        .as("key %s in the Kafka secret", ref.path("key").asText()).isFalse();
            }
        });
        // TLS: the truststore is the mounted CA from the same Secret
        String truststore = configMap.at("/data/KAFKA_SSL_TRUSTSTORE_LOCATION").asText();
        JsonNode caVolume = findVolume(pod, "kafka-ca");
        assertThat(caVolume.at("/secret/secretName").asText()).isEqualTo("mass-message-relay-kafka");
        String mount = findMount(container, "kafka-ca").path("mountPath").asText();
        assertThat(truststore).isEqualTo(mount + "/" + caVolume.at("/secret/items/0/path").asText());
        assertThat(kafkaSecret.at("/stringData/" + caVolume.at("/secret/items/0/key").asText()).isMissingNode())
                .isFalse();

        // grace: the pod waits longer than the relay drains
        Duration grace = Duration
                .parse("PT" + configMap.at("/data/RELAY_SHUTDOWN_GRACE").asText("20s").toUpperCase(Locale.ROOT));
        assertThat(pod.path("terminationGracePeriodSeconds").asLong()).isGreaterThanOrEqualTo(grace.toSeconds() + 10);

        // topics: the Strimzi topics are exactly the command channel's and the outcomes' topics
        Set<String> channelTopics = Stream.of("mp.messaging.incoming.commands.topic",
                "mp.messaging.incoming.commands.dead-letter-queue.topic", "relay.topics.succeeded",
                "relay.topics.failed", "relay.topics.rate-limited")
                .map(app::getProperty).collect(Collectors.toCollection(HashSet::new));
        // and the stale guard's own: compacted, as many partitions as the command topic, the guard's retention
        String guardTopic = "mass-message.relay.applied-updates";
        assertThat(RelayConfig.StaleGuard.class.getMethod("topic").getAnnotation(WithDefault.class).value())
                .isEqualTo(guardTopic);
        channelTopics.add(guardTopic);
        // and idempotency's: deleted after the window, as many partitions as the command topic
        String answersTopic = "mass-message.relay.answered-commands";
        assertThat(RelayConfig.Idempotency.class.getMethod("topic").getAnnotation(WithDefault.class).value())
                .isEqualTo(answersTopic);
        channelTopics.add(answersTopic);
        List<JsonNode> topics = all(docs, "KafkaTopic");
        assertThat(topics.stream().map(t -> t.at("/spec/topicName").asText()))
                .containsExactlyInAnyOrderElementsOf(channelTopics);
        String commandTopic = app.getProperty("mp.messaging.incoming.commands.topic");
        int commandPartitions = topics.stream().filter(t -> t.at("/spec/topicName").asText().equals(commandTopic))
                .findFirst().orElseThrow().at("/spec/partitions").asInt();
        JsonNode guard = topics.stream().filter(t -> t.at("/spec/topicName").asText().equals(guardTopic)).findFirst()
                .orElseThrow();
        assertThat(guard.at("/spec/partitions").asInt()).isEqualTo(commandPartitions);
        assertThat(guard.at("/spec/config/cleanup.policy").asText()).contains("compact");
        Duration retention = Duration.parse("PT" + RelayConfig.StaleGuard.class.getMethod("retention")
                .getAnnotation(WithDefault.class).value().replace("7d", "168h").toUpperCase(Locale.ROOT));
        assertThat(guard.at("/spec/config/retention.ms").asLong()).isEqualTo(retention.toMillis());
        assertThat(guard.at("/spec/config/segment.ms").asLong()).as("as the relay creates it")
                .isEqualTo(Math.max(3_600_000L, retention.toMillis() / 7));
        JsonNode answers = topics.stream().filter(t -> t.at("/spec/topicName").asText().equals(answersTopic))
                .findFirst().orElseThrow();
        assertThat(answers.at("/spec/partitions").asInt()).isEqualTo(commandPartitions);
        assertThat(answers.at("/spec/config/cleanup.policy").asText()).isEqualTo("delete");
        Duration window = Duration.parse("PT" + RelayConfig.Idempotency.class.getMethod("window")
                .getAnnotation(WithDefault.class).value().toUpperCase(Locale.ROOT));
        assertThat(answers.at("/spec/config/retention.ms").asLong()).isEqualTo(window.toMillis());
        assertThat(answers.at("/spec/config/segment.ms").asLong()).isEqualTo(Math.max(600_000L, window.toMillis() / 4));

        // KEDA: lag of our group on our topic; never more replicas than partitions
        JsonNode scaled = one(docs, "ScaledObject");
        assertThat(scaled.at("/spec/scaleTargetRef/name").asText()).isEqualTo(deployment.at("/metadata/name").asText());
        assertThat(scaled.at("/spec/triggers/0/metadata/topic").asText()).isEqualTo(commandTopic);
        assertThat(scaled.at("/spec/triggers/0/metadata/consumerGroup").asText())
                .isEqualTo(app.getProperty("mp.messaging.incoming.commands.group.id"));
        assertThat(scaled.at("/spec/maxReplicaCount").asInt()).isBetween(1, commandPartitions);
        assertThat(scaled.at("/spec/minReplicaCount").asInt())
                .isLessThanOrEqualTo(scaled.at("/spec/maxReplicaCount").asInt());
        // KEDA reads the lag with the relay's credentials: same broker address, every parameter from the Kafka secret
        assertThat(scaled.at("/spec/triggers/0/metadata/bootstrapServers").asText())
                .isEqualTo(configMap.at("/data/KAFKA_BOOTSTRAP_SERVERS").asText());
        JsonNode auth = named(docs, "TriggerAuthentication",
                scaled.at("/spec/triggers/0/authenticationRef/name").asText());
        List<String> parameters = new ArrayList<>();
        auth.at("/spec/secretTargetRef").forEach(ref -> {
            parameters.add(ref.path("parameter").asText());
            assertThat(ref.path("name").asText()).isEqualTo("mass-message-relay-kafka");
            assertThat(kafkaSecret.at("/stringData/" + ref.path("key").asText()).isMissingNode())
                    .as("key %s in the Kafka secret", ref.path("key").asText()).isFalse();
        });
        assertThat(parameters).contains("sasl", "username", "password", "tls", "ca");
        assertThat(kafkaSecret.at("/stringData/sasl").asText()).isEqualTo(
                configMap.at("/data/KAFKA_SASL_MECHANISM").asText().toLowerCase(Locale.ROOT).replace("-", "_")
                        .replace("scram_sha_", "scram_sha"));

        // metrics: the ServiceMonitor scrapes the Service's port at the metrics path
        JsonNode service = one(docs, "Service");
        JsonNode monitor = one(docs, "ServiceMonitor");
        assertThat(monitor.at("/spec/endpoints/0/port").asText()).isEqualTo(service.at("/spec/ports/0/name").asText());
        assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics");
        assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
        assertThat(one(docs, "PodDisruptionBudget").at("/spec/maxUnavailable").asInt()).isEqualTo(1);
        JsonNode policy = one(docs, "NetworkPolicy");
        assertThat(policy.at("/spec/policyTypes").toString()).contains("Egress");
        String brokerPort = configMap.at("/data/KAFKA_BOOTSTRAP_SERVERS").asText().replaceAll(".*:", "");
        assertThat(policy.at("/spec/egress").findValuesAsText("port")).contains("53", brokerPort, "443");
    }

    @Test
    void everyBaseFileIsListedInTheKustomization() throws IOException {
        JsonNode kustomization = YAML.readTree(K8S.resolve("base/kustomization.yaml").toFile());
        Set<String> listed = new HashSet<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        try (Stream<Path> files = Files.list(K8S.resolve("base"))) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> !n.equals("kustomization.yaml")))
                    .containsExactlyInAnyOrderElementsOf(listed);
        }
    }

    /** The Deploying section of {@code docs/operations.md} quotes the base manifests' figures; they must be the manifests' own. */
    @Test
    void theOperationsGuideQuotesTheManifests() throws IOException {
        List<JsonNode> base = readBase();
        JsonNode pod = one(base, "Deployment").at("/spec/template/spec");
        JsonNode resources = pod.at("/containers/0/resources");
        String configMapGrace = one(base, "ConfigMap").at("/data/RELAY_SHUTDOWN_GRACE").asText();
        String commandPartitions = base.stream().filter(d -> d.path("kind").asText().equals("KafkaTopic"))
                .filter(d -> d.at("/spec/topicName").asText(d.at("/metadata/name").asText()).endsWith("commands"))
                .findFirst().orElseThrow().at("/spec/partitions").asText();
        String readme = Files.readString(Path.of("docs", "operations.md")).replaceAll("\\s+", " ");
        List<String> quotes = List.of(
                "requests " + resources.at("/requests/cpu").asText() + "/" + resources.at("/requests/memory").asText()
                        + ", limit " + resources.at("/limits/memory").asText(),
                "terminationGracePeriodSeconds: " + pod.at("/terminationGracePeriodSeconds").asText(),
                "`RELAY_SHUTDOWN_GRACE` (" + configMapGrace + ")",
                "the command topic has " + commandPartitions + " partitions",
                "`maxReplicaCount` is " + one(base, "ScaledObject").at("/spec/maxReplicaCount").asText() + " in prod");
        assertThat(quotes).as("what the Deploying section must say, taken from the base manifests")
                .allSatisfy(quote -> assertThat(readme.contains(quote)).as("docs/operations.md says \"%s\"", quote)
                        .isTrue());
    }

    @Test
    void theComposeStackAndImageAgreeWithTheApplicationAndTheSimulator() throws IOException {
        JsonNode compose = YAML.readTree(Path.of("deploy", "compose.yaml").toFile());
        JsonNode relay = compose.at("/services/relay");
        Set<Pattern> known = knownVariables(applicationProperties());
        relay.path("environment").fieldNames().forEachRemaining(variable -> assertThat(known)
                .as("%s is read by the application", variable).anyMatch(p -> p.matcher(variable).matches()));
        assertThat(relay.at("/ports/0").asText()).isEqualTo("8080:8080");
        var simulator = new SimulatorSettings();
        for (String provider : List.of("onlyfansapi", "fansmetric", "fansly")) {
            String upper = provider.toUpperCase(Locale.ROOT);
            assertThat(relay.at("/environment/PROVIDERS_" + upper + "_API_KEY").asText())
                    .as("the key the simulator accepts").isEqualTo(simulator.apiKeys.get(provider));
            assertThat(relay.at("/environment/PROVIDERS_" + upper + "_BASE_URL").asText())
                    .isEqualTo("http://simulator:8089");
        }
        // the simulator has its own image (it is not in the relay's), built from the jar the build writes beside the app
        assertThat(compose.at("/services/simulator/build/dockerfile").asText())
                .isEqualTo("deploy/simulator.Dockerfile");
        assertThat(compose.at("/services/simulator/ports/0").asText()).isEqualTo("8089:8089");
        String simulatorImage = Files.readString(Path.of("deploy", "simulator.Dockerfile"));
        assertThat(simulatorImage).contains(SimulatorMain.class.getName())
                .contains("COPY --chown=10002:10002 target/mass-message-relay-*-simulator.jar /sim/simulator.jar")
                .contains("COPY --chown=10002:10002 target/quarkus-app/lib/main/ /sim/lib/");
        assertThat(Files.readString(Path.of("pom.xml"))).as("the build writes the simulator's jar")
                .contains("<classifier>simulator</classifier>");

        String dockerfile = Files.readString(Path.of("deploy", "Dockerfile"));
        assertThat(dockerfile).containsPattern("(?m)^USER 10001$").containsPattern("(?m)^EXPOSE 8080$")
                .contains("-jar /app/quarkus-run.jar");
        JsonNode pod = readBase().stream().filter(d -> d.path("kind").asText().equals("Deployment")).findFirst()
                .orElseThrow().at("/spec/template/spec");
        assertThat(pod.at("/securityContext/runAsUser").asInt()).as("the image's user").isEqualTo(10001);

        // The image starts the JVM with deploy/jvm.options, the set the benchmark measured; the pod neither
        // overrides the heap nor gives it less memory than heap plus what the JVM needs beside it.
        assertThat(dockerfile).contains("COPY --chown=10001:10001 deploy/jvm.options /app/jvm.options")
                .contains("exec java @/app/jvm.options $JAVA_OPTS -jar");
        List<String> jvm = Files.readAllLines(Path.of("deploy", "jvm.options"));
        int heapMiB = jvm.stream().filter(line -> line.startsWith("-Xmx")).map(line -> line.replaceAll("[^0-9]", ""))
                .mapToInt(Integer::parseInt).findFirst()
                .orElseThrow(() -> new AssertionError("jvm.options sets no -Xmx"));
        JsonNode container = pod.at("/containers/0");
        assertThat(container.at("/env").toString()).as("JAVA_OPTS must not override the benchmarked heap")
                .doesNotContain("-Xmx");
        int requestMiB = Integer.parseInt(container.at("/resources/requests/memory").asText().replace("Mi", ""));
        assertThat(requestMiB).as("memory request: the heap plus ~160 MiB of metaspace, code, threads and buffers")
                .isGreaterThanOrEqualTo(heapMiB + 160);
        // Without Mutiny's context-capturing decorators in production, and so in the tests too.
        assertThat(jvm).contains("-Dmutiny.disableCallBackDecorators=true");
        assertThat(Files.readString(Path.of("pom.xml"))).as("surefire and failsafe run the tests as shipped")
                .containsPattern("(?s)maven-surefire-plugin.*<argLine>[^<]*-Dmutiny.disableCallBackDecorators=true")
                .containsPattern("(?s)maven-failsafe-plugin.*<argLine>[^<]*-Dmutiny.disableCallBackDecorators=true");
    }

    /** Env var names the application reads: its config mappings, the channel settings, and the JVM's. */
    private static Set<Pattern> knownVariables(Properties app) {
        Set<Pattern> known = new HashSet<>();
        for (var method : RelayConfig.class.getMethods()) {
            known.add(Pattern.compile("RELAY_" + env(method.getName()) + "(_[A-Z_]+)?"));
        }
        for (var method : ProvidersConfig.Endpoint.class.getMethods()) {
            known.add(Pattern.compile("PROVIDERS_(ONLYFANSAPI|FANSMETRIC|FANSLY)_" + env(method.getName())));
        }
        for (var method : ProvidersConfig.class.getDeclaredMethods()) {
            if (method.getReturnType() != ProvidersConfig.Endpoint.class) {
                known.add(Pattern.compile("PROVIDERS_" + env(method.getName())));
            }
        }
        known.add(Pattern.compile("KAFKA_BOOTSTRAP_SERVERS"));
        // Kafka client settings every client of the relay takes (config.KafkaClientSettings; docs/operations.md, Kafka with TLS and SASL)
        known.add(Pattern.compile("KAFKA_(SECURITY_PROTOCOL|SASL_MECHANISM|SASL_JAAS_CONFIG"
                + "|SSL_(TRUSTSTORE|KEYSTORE)_(LOCATION|PASSWORD|TYPE)|SSL_KEY_PASSWORD)"));
        known.add(Pattern.compile("JAVA_OPTS"));
        for (String property : app.stringPropertyNames()) {
            if (property.startsWith("mp.messaging.")) {
                known.add(Pattern.compile(Pattern.quote(property.replaceAll("[.\\-]", "_").toUpperCase(Locale.ROOT))));
            }
        }
        known.add(Pattern.compile("MP_MESSAGING_INCOMING_COMMANDS_SESSION_TIMEOUT_MS"));
        return known;
    }

    private static String env(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    /** The example Secret {@code k8s/secrets/<file>.example.yaml}, which must be named {@code name}. */
    private static JsonNode example(String file, String name) throws IOException {
        List<JsonNode> docs = parse(Files.readString(K8S.resolve("secrets/" + file + ".example.yaml")));
        return named(docs, "Secret", name);
    }

    private static JsonNode findVolume(JsonNode pod, String name) {
        for (JsonNode volume : pod.path("volumes")) {
            if (volume.path("name").asText().equals(name)) {
                return volume;
            }
        }
        throw new AssertionError("no volume " + name);
    }

    private static JsonNode findMount(JsonNode container, String name) {
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.path("name").asText().equals(name)) {
                return mount;
            }
        }
        throw new AssertionError("no volume mount " + name);
    }

    private static List<JsonNode> readBase() throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(K8S.resolve("base"))) {
            for (Path file : files.filter(f -> !f.getFileName().toString().equals("kustomization.yaml")).sorted()
                    .toList()) {
                docs.addAll(parse(Files.readString(file)));
            }
        }
        return docs;
    }

    private static List<JsonNode> kustomize(String overlay) throws Exception {
        Process process = new ProcessBuilder("kubectl", "kustomize", K8S.resolve(overlay).toString())
                .redirectErrorStream(true).start();
        String out;
        try (InputStream in = process.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("kubectl kustomize %s: %s", overlay, out).isZero();
        return parse(out);
    }

    private static List<JsonNode> parse(String yaml) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(yaml)) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    private static boolean kubectlAvailable() {
        try {
            Process p = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static Properties applicationProperties() throws IOException {
        Properties app = new Properties();
        try (var in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            app.load(in);
        }
        return app;
    }

    private static List<JsonNode> all(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    }

    private static JsonNode one(List<JsonNode> docs, String kind) {
        List<JsonNode> found = all(docs, kind);
        assertThat(found).as("one %s", kind).hasSize(1);
        return found.get(0);
    }

    private static JsonNode named(List<JsonNode> docs, String kind, String name) {
        return all(docs, kind).stream().filter(d -> d.at("/metadata/name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
    }
}
