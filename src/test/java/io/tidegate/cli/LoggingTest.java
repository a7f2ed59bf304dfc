package io.tidegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
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
    void theWebServersOwnStartFailureLineIsDroppedAndNoOtherLineIsAndNoLevelCheckAsksTheFilter() {
        LoggerContext context = new LoggerContext();
        Logging.StartFailureEcho filter = new Logging.StartFailureEcho();
        LoggingEvent javalin = new LoggingEvent("x", context.getLogger("io.javalin.Javalin"), Level.ERROR,
                "Failed to start Javalin", null, null);
        LoggingEvent ours = new LoggingEvent("x", context.getLogger("io.tidegate.Tidegate"), Level.ERROR,
                "Failed to start Javalin", null, null);
        assertThat(filter.decide(javalin)).isEqualTo(FilterReply.DENY);
        assertThat(filter.decide(ours)).isEqualTo(FilterReply.NEUTRAL);
        assertThat(filter.decide(event("push rejected"))).isEqualTo(FilterReply.NEUTRAL);

        LoggerContext configured = new LoggerContext();
        Logging.configure(configured, Level.INFO, Flags.LogFormat.logfmt);
        // a turbo filter would be asked on every level check of every logger, the web server's debug checks included
        assertThat(configured.getTurboFilterList()).isEmpty();
        var appender = configured.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().next();
        assertThat(appender.getCopyOfAttachedFiltersList()).hasOnlyElementsOfType(Logging.StartFailureEcho.class);
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
