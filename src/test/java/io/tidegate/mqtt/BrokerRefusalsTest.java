package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tidegate.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class BrokerRefusalsTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-12-05T10:00:00Z"));
    private final Logger logger = (Logger) LoggerFactory.getLogger(EmbeddedBroker.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Level levelBefore;

    @BeforeEach
    void listen() {
        levelBefore = logger.getLevel();
        logger.setLevel(Level.INFO);
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(lines);
        logger.setLevel(levelBefore);
    }

    private List<String> logged() {
        return lines.list.stream()
                .map(event -> event.getLevel() + " " + event.getMessage() + event.getKeyValuePairs().stream()
                        .map(pair -> " " + pair.key + "=" + pair.value).collect(Collectors.joining()))
                .collect(Collectors.toList());
    }

    @Test
    void aRefusalIsOneInfoLineASourceAMinuteSayingHowManyWereLeftOut() {
        BrokerRefusals refusals = new BrokerRefusals(clock);

        refusals.refused("login 192.0.2.7", "MQTT client refused", line -> line.addKeyValue("user", "a"));
        clock.advance(Duration.ofSeconds(30));
        refusals.refused("login 192.0.2.7", "MQTT client refused", line -> line.addKeyValue("user", "b"));
        refusals.refused("login 192.0.2.7", "MQTT client refused", line -> line.addKeyValue("user", "c"));
        refusals.refused("client probe", "MQTT publish refused by the ACL", line -> line.addKeyValue("topic", "x"));
        clock.advance(Duration.ofSeconds(30));
        refusals.refused("login 192.0.2.7", "MQTT client refused", line -> line.addKeyValue("user", "d"));

        assertThat(logged()).containsExactly(
                "INFO MQTT client refused user=a",
                "INFO MQTT publish refused by the ACL topic=x",
                "INFO MQTT client refused user=d suppressed=2");
        assertThat(lines.list).allMatch(event -> event.getThrowableProxy() == null);
    }

    @Test
    void itKeepsAtMostAThousandSourcesForgettingTheLeastRecent() {
        BrokerRefusals refusals = new BrokerRefusals(clock);
        for (int i = 0; i <= BrokerRefusals.MAX_SOURCES; i++) {
            refusals.refused("login 10.0.0." + i, "MQTT client refused", line -> { });
        }
        refusals.refused("login 10.0.0.0", "MQTT client refused", line -> { });

        assertThat(lines.list).hasSize(BrokerRefusals.MAX_SOURCES + 2).allMatch(event -> event.getLevel() == Level.INFO);
    }
}
