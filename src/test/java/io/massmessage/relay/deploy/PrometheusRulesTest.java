package io.massmessage.relay.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The example alerts of {@code docs/operations.md} and {@code deploy/prometheus-rules.yaml} are the same expressions with the same {@code for}. */
class PrometheusRulesTest {

    @Test
    void theRulesFileHoldsExactlyTheDocumentedAlerts() throws Exception {
        JsonNode rules = new ObjectMapper(new YAMLFactory())
                .readTree(Path.of("deploy", "prometheus-rules.yaml").toFile());
        List<String> fromFile = new ArrayList<>();
        rules.at("/groups").forEach(group -> group.path("rules").forEach(rule -> {
            assertThat(rule.path("alert").asText()).as("every rule is an alert with a name").isNotBlank();
            fromFile.add(
                    rule.path("expr").asText().trim() + (rule.has("for") ? " for " + rule.path("for").asText() : ""));
        }));

        String readme = Files.readString(Path.of("docs", "operations.md"));
        String section = readme.substring(readme.indexOf("Example alerts (PromQL)"));
        section = section.substring(0, section.indexOf("\n\n", section.indexOf("\n- ")));
        List<String> documented = new ArrayList<>();
        Matcher item = Pattern.compile("(?m)^- [^`]*`([^`]+)`( for (\\w+))?$").matcher(section);
        while (item.find()) {
            documented.add(item.group(1).trim() + (item.group(3) == null ? "" : " for " + item.group(3)));
        }
        assertThat(documented).as("the documented example alerts").hasSize(5);
        assertThat(fromFile).containsExactlyElementsOf(documented);
    }
}
