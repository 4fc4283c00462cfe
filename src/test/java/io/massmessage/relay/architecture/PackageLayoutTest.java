package io.massmessage.relay.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.smallrye.config.ConfigMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The package list reads as the pipeline, and the code keeps to it: each package depends only on the packages
 * before it in {@link #PIPELINE} (a provider's adapter package counts as {@code provider}), so there is no cycle
 * and no import against the pipeline's direction; {@code config} is configuration only; nothing in the relay
 * reaches the simulator or the dev stack. The README's package map names the same packages in the same order.
 */
class PackageLayoutTest {

    private static final String RELAY = "io.massmessage.relay";

    /** The relay's packages, each allowed to use only those before it. */
    static final List<String> PIPELINE = List.of(
            "config", // @ConfigMapping interfaces, channel names, the Kafka client settings every own client shares
            "command", // the command model, strict parsing, validation
            "logging", // the command's ids on log lines
            "tracing", // the command's span, trace context on outgoing records
            "provider", // one interface, one adapter per provider, the HTTP client, status classification
            "limits", // rate budgets, provider connections, breakers, non-blocking delays
            "outcome", // outcome records, the wire shape, publishing outcomes and dead letters
            "history", // what the relay applied before: the stale-update guard's memory
            "intake", // the command consumer: partition lanes, pending bounds, poll counter, replay check
            "metrics", // the relay's meters and gauges
            "flow", // the pipeline: order per message, processing, publish, ack
            "health"); // liveness and readiness

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(RELAY);

    @Test
    void everyPackageUsesOnlyThePackagesBeforeItInThePipeline() {
        classes().should(new ArchCondition<>("use only packages before their own in the pipeline") {
            @Override
            public void check(JavaClass item, ConditionEvents events) {
                int own = position(item.getPackageName());
                item.getDirectDependenciesFromSelf().forEach(dependency -> {
                    String target = dependency.getTargetClass().getPackageName();
                    if (target.startsWith(RELAY + ".") && position(target) > own) {
                        events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
                    }
                });
            }
        }).check(MAIN);
    }

    @Test
    void thePackagesHaveNoCycle() {
        slices().matching(RELAY + ".(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void theProviderPackageKnowsNoAdapterAndAdaptersDoNotKnowEachOther() {
        noClasses().that().resideInAPackage(RELAY + ".provider")
                .should().dependOnClassesThat().resideInAPackage(RELAY + ".provider.*..").check(MAIN);
        slices().matching(RELAY + ".provider.(*)..").should().notDependOnEachOther().check(MAIN);
    }

    @Test
    void configHoldsConfigurationOnly() {
        classes().that().resideInAPackage(RELAY + ".config").and().areInterfaces().and().areTopLevelClasses()
                .should().beAnnotatedWith(ConfigMapping.class).check(MAIN);
        Set<String> classes = MAIN.stream()
                .filter(type -> type.getPackageName().equals(RELAY + ".config") && type.isTopLevelClass()
                        && !type.isInterface())
                .map(JavaClass::getSimpleName).collect(Collectors.toCollection(TreeSet::new));
        assertThat(classes).as("classes in config besides the mappings").containsExactly("Channels",
                "KafkaClientSettings");
    }

    @Test
    void theRelayNeverReachesTheSimulatorOrTheDevStack() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("io.massmessage.simulator..", "io.massmessage.devstack..")
                .check(MAIN);
    }

    @Test
    void everyMainPackageIsInThePipeline() {
        Set<String> packages = MAIN.stream().map(JavaClass::getPackageName).filter(name -> name.startsWith(RELAY + "."))
                .map(PackageLayoutTest::top).collect(Collectors.toCollection(TreeSet::new));
        assertThat(packages).containsExactlyInAnyOrderElementsOf(PIPELINE);
    }

    @Test
    void theReadmesPackageMapNamesEveryPackageInPipelineOrder() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("| package | role | main classes |");
        assertThat(start).as("README's package map").isNotNegative();
        List<String> mapped = new ArrayList<>();
        for (String line : readme.substring(start).split("\n")) {
            if (!line.startsWith("|")) {
                break;
            }
            Matcher row = Pattern.compile("^\\| `([a-z]+)` \\|").matcher(line);
            if (row.find()) {
                mapped.add(row.group(1));
            }
        }
        assertThat(mapped).as("the packages of README's map, in order").containsExactlyElementsOf(PIPELINE);
    }

    private static String top(String packageName) {
        String rest = packageName.substring(RELAY.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    private static int position(String packageName) {
        if (!packageName.startsWith(RELAY + ".")) {
            return -1;
        }
        int index = PIPELINE.indexOf(top(packageName));
        if (index < 0) {
            throw new AssertionError("package " + packageName + " is not in PackageLayoutTest.PIPELINE");
        }
        return index;
    }
}
