package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

/**
 * Tidegate's packages stand on each other one way, lowest first, as the README's design notes draw
 * them: a package may use those below it, never one above it nor one beside it on the same floor.
 * A class that imports upwards, or two packages that import each other, fail this test.
 */
class LayeringTest {
    /**
     * Floors, lowest first. Packages on one floor (the two ingest adapters) must not use each other.
     */
    static final List<List<String>> FLOORS = List.of(
            List.of("format"), // wire formats, durations, media types, the refusal a client's input earns
            List.of("key"), // the grouping key and its path grammar, shared by HTTP paths and MQTT topics
            List.of("store"), // groups, the one door every change goes through, the write log interface
            List.of("telemetry"), // Tidegate's own metrics and build information
            List.of("persist"), // the journal and snapshots behind the store's write log
            List.of("ttl"), // TTL rules and resolution, the expiry schedule and its sweeper
            List.of("mqtt.mapping", "mqtt.access", "mqtt.discovery"), // the MQTT mapping engine; the embedded broker's password file, ACL, logins; Home Assistant discovery
            List.of("config"), // the configuration file reader
            List.of("push", "mqtt"), // ingest adapters: the HTTP push API, the MQTT client and broker
            List.of("web"), // routes, the API, the page, TLS and basic auth
            List.of("cli"), // the command line: flags turned into settings, subcommands, logging
            List.of("")); // io.tidegate: the entry point that wires everything

    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.tidegate");
    }

    @Test
    void everyPackageIsOnAFloor() {
        Set<String> unplaced = new TreeSet<>();
        for (JavaClass type : production) {
            if (floorOf(type.getPackageName()) < 0) {
                unplaced.add(type.getPackageName());
            }
        }
        assertThat(unplaced).as("packages missing from LayeringTest.FLOORS (and the README's design notes)")
                .isEmpty();
    }

    @Test
    void noPackageUsesOneAboveItOrBesideIt() {
        classes().should(useOnlyPackagesBelow()).check(production);
    }

    @Test
    void packagesAreFreeOfCycles() {
        SlicesRuleDefinition.slices().matching("io.tidegate.(**)").should().beFreeOfCycles().check(production);
    }

    private static ArchCondition<JavaClass> useOnlyPackagesBelow() {
        return new ArchCondition<>("use only packages on a lower floor") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                String from = origin.getPackageName();
                int fromFloor = floorOf(from);
                for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
                    String to = dependency.getTargetClass().getPackageName();
                    if (!to.startsWith("io.tidegate") || to.equals(from)) {
                        continue;
                    }
                    if (floorOf(to) >= fromFloor) {
                        events.add(SimpleConditionEvent.violated(dependency, relative(from) + " uses "
                                + relative(to) + ", which is not below it: " + dependency.getDescription()));
                    }
                }
            }
        };
    }

    /** The floor of a package of io.tidegate (the root is \"\"), or -1 when it is on none. */
    static int floorOf(String packageName) {
        String relative = relative(packageName);
        for (int floor = FLOORS.size() - 1; floor >= 0; floor--) {
            for (String listed : FLOORS.get(floor)) {
                if (relative.equals(listed)) {
                    return floor;
                }
            }
        }
        return -1;
    }

    private static String relative(String packageName) {
        return packageName.equals("io.tidegate") ? "" : packageName.substring("io.tidegate.".length());
    }
}
