package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

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

class RejectionLogTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final Logger logger = (Logger) LoggerFactory.getLogger(MqttIngest.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void listen() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(lines);
    }

    /** Each line as its message and key-value pairs: {@code mqtt message rejected topic=a reason=bad_topic ...}. */
    private List<String> logged() {
        return lines.list.stream()
                .map(event -> event.getMessage() + event.getKeyValuePairs().stream()
                        .map(pair -> " " + pair.key + "=" + pair.value).collect(Collectors.joining()))
                .collect(Collectors.toList());
    }

    @Test
    void logsATopicAtMostOnceAMinuteWithHowManyItLeftOut() {
        RejectionLog log = new RejectionLog(clock, 10);

        log.record("a", RejectReason.BAD_PAYLOAD, "first");
        clock.advance(Duration.ofSeconds(20));
        log.record("a", RejectReason.BAD_PAYLOAD, "second");
        log.record("b", RejectReason.BAD_TOPIC, "other topic");
        clock.advance(Duration.ofSeconds(39));
        log.record("a", RejectReason.BAD_TTL, "third");
        clock.advance(Duration.ofSeconds(1));
        log.record("a", RejectReason.BAD_PAYLOAD, "fourth");

        assertThat(logged()).containsExactly(
                "mqtt message rejected topic=a reason=bad_payload err=first",
                "mqtt message rejected topic=b reason=bad_topic err=other topic",
                "mqtt message rejected topic=a reason=bad_payload err=fourth suppressed=2");
        assertThat(lines.list).allMatch(event -> event.getThrowableProxy() == null);
    }

    @Test
    void keepsTheLastRejectionOfEachTopicNewestFirst() {
        RejectionLog log = new RejectionLog(clock, 10);

        log.record("a", RejectReason.BAD_PAYLOAD, "first");
        clock.advance(Duration.ofSeconds(1));
        log.record("b", RejectReason.BAD_TOPIC, "second");
        clock.advance(Duration.ofSeconds(1));
        log.record("a", RejectReason.BAD_TTL, "third");

        assertThat(log.latest()).containsExactly(
                new MqttRejection("a", clock.instant(), RejectReason.BAD_TTL, "third"),
                new MqttRejection("b", clock.instant().minusSeconds(1), RejectReason.BAD_TOPIC, "second"));
    }

    @Test
    void keepsAtMostItsCapacityOfTopics() {
        RejectionLog log = new RejectionLog(clock, 2);

        log.record("a", RejectReason.BAD_PAYLOAD, "1");
        log.record("b", RejectReason.BAD_PAYLOAD, "2");
        log.record("a", RejectReason.BAD_PAYLOAD, "3");
        log.record("c", RejectReason.BAD_PAYLOAD, "4");

        assertThat(log.latest()).extracting(MqttRejection::topic).containsExactly("c", "a");
    }

    @Test
    void cutsLongTopicsAndMessages() {
        RejectionLog log = new RejectionLog(clock, 2);
        String huge = "x".repeat(100_000);

        log.record("metrics/job/" + huge, RejectReason.BAD_PAYLOAD, huge);

        MqttRejection kept = log.latest().get(0);
        assertThat(kept.topic()).hasSize(RejectionLog.MAX_TEXT_LENGTH + 3).startsWith("metrics/job/xxx").endsWith("...");
        assertThat(kept.message()).hasSize(RejectionLog.MAX_TEXT_LENGTH + 3);
    }
}
