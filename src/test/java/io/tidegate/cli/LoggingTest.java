package io.tidegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

class LoggingTest {
    private static LoggingEvent event(String message) {
        LoggerContext context = new LoggerContext();
        LoggingEvent event = new LoggingEvent("x", context.getLogger("io.tidegate.store.Store"), Level.WARN, message, null,
                null);
        event.setTimeStamp(1764064800000L);
        event.setKeyValuePairs(List.of(new KeyValuePair("group", "{job=\"a\"}")));
        return event;
    }

    @Test
    void logfmtLinesQuoteWhatNeedsQuoting() {
        String line = new Logging.LogfmtLayout().doLayout(event("push rejected"));

        assertThat(line).isEqualTo(
                "ts=2025-11-25T10:00:00Z level=warn component=Store msg=\"push rejected\" group=\"{job=\\\"a\\\"}\"\n");
    }

    @Test
    void jsonLinesCarryTheSameFields() {
        String line = new Logging.JsonLayout().doLayout(event("push rejected"));

        assertThat(line).isEqualTo("{\"ts\":\"2025-11-25T10:00:00Z\",\"level\":\"warn\",\"component\":\"Store\","
                + "\"msg\":\"push rejected\",\"group\":\"{job=\\\"a\\\"}\"}\n");
    }
}
