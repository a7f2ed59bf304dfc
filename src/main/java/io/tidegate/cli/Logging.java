package io.tidegate.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.core.spi.FilterReply;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.time.Instant;
import java.util.Locale;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * Sets up logging as {@code --log.level} and {@code --log.format} ask: one line per event on
 * standard error, in logfmt or JSON, like every Prometheus component. Libraries' own chatter is
 * kept at warnings.
 */
public final class Logging {
    private Logging() {}

    public static void configure(Flags.LogLevel level, Flags.LogFormat format) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        configure(context, Level.toLevel(level.name().toUpperCase(Locale.ROOT)), format);
    }

    static void configure(LoggerContext context, Level tidegateLevel, Flags.LogFormat format) {
        LayoutBase<ILoggingEvent> layout = format == Flags.LogFormat.json ? new JsonLayout() : new LogfmtLayout();
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.addFilter(new StartFailureEcho());
        appender.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        root.setLevel(Level.WARN);
        context.getLogger("io.tidegate").setLevel(tidegateLevel);
    }

    /**
     * Logging until the flags are read (warnings and errors, logfmt), found by logback through
     * {@code META-INF/services}: set up in code, because reading a {@code logback.xml} costs a quarter of a
     * second of every start.
     */
    public static final class Startup extends ContextAwareBase implements Configurator {
        @Override
        public ExecutionStatus configure(LoggerContext context) {
            Logging.configure(context, Level.WARN, Flags.LogFormat.logfmt);
            return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
        }
    }

    /**
     * Drops the web server's own "Failed to start Javalin" line: Tidegate reports why it could not start
     * in its next line ("could not start", naming the address and the flag), so the first would only be
     * a stray error before the real message. A filter of the appender, which sees only the lines written,
     * not a turbo filter, which logback asks on every level check of every logger (the web server's and
     * Paho's debug checks: 7 % of a scrape of 100,000 series in a JFR profile).
     */
    static final class StartFailureEcho extends Filter<ILoggingEvent> {
        @Override
        public FilterReply decide(ILoggingEvent event) {
            return "Failed to start Javalin".equals(event.getMessage()) && event.getLoggerName().startsWith("io.javalin")
                    ? FilterReply.DENY : FilterReply.NEUTRAL;
        }
    }

    private static String levelName(ILoggingEvent event) {
        return event.getLevel().toString().toLowerCase(Locale.ROOT);
    }

    private static String component(ILoggingEvent event) {
        String name = event.getLoggerName();
        return name.substring(name.lastIndexOf('.') + 1);
    }

    /** {@code ts=... level=info component=Store msg="..." key=value}. */
    static final class LogfmtLayout extends LayoutBase<ILoggingEvent> {
        @Override
        public String doLayout(ILoggingEvent event) {
            StringBuilder line = new StringBuilder(160);
            line.append("ts=").append(Instant.ofEpochMilli(event.getTimeStamp()))
                    .append(" level=").append(levelName(event))
                    .append(" component=").append(component(event))
                    .append(" msg=");
            quote(line, event.getFormattedMessage());
            if (event.getKeyValuePairs() != null) {
                for (KeyValuePair pair : event.getKeyValuePairs()) {
                    line.append(' ').append(pair.key).append('=');
                    quote(line, String.valueOf(pair.value));
                }
            }
            if (event.getThrowableProxy() != null) {
                line.append(" err=");
                quote(line, event.getThrowableProxy().getClassName() + ": " + event.getThrowableProxy().getMessage());
            }
            return line.append('\n').toString();
        }

        private static void quote(StringBuilder line, String value) {
            boolean plain = !value.isEmpty();
            for (int i = 0; i < value.length() && plain; i++) {
                char c = value.charAt(i);
                plain = c > ' ' && c != '"' && c != '=' && c != '\\';
            }
            if (plain) {
                line.append(value);
                return;
            }
            line.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '"' -> line.append("\\\"");
                    case '\\' -> line.append("\\\\");
                    case '\n' -> line.append("\\n");
                    default -> line.append(c);
                }
            }
            line.append('"');
        }
    }

    /** One JSON object per line, with the same fields as the logfmt lines. */
    static final class JsonLayout extends LayoutBase<ILoggingEvent> {
        private static final com.google.gson.Gson GSON = new com.google.gson.GsonBuilder().disableHtmlEscaping().create();

        @Override
        public String doLayout(ILoggingEvent event) {
            java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>();
            fields.put("ts", Instant.ofEpochMilli(event.getTimeStamp()).toString());
            fields.put("level", levelName(event));
            fields.put("component", component(event));
            fields.put("msg", event.getFormattedMessage());
            if (event.getKeyValuePairs() != null) {
                for (KeyValuePair pair : event.getKeyValuePairs()) {
                    fields.put(pair.key, String.valueOf(pair.value));
                }
            }
            if (event.getThrowableProxy() != null) {
                fields.put("err", event.getThrowableProxy().getClassName() + ": " + event.getThrowableProxy().getMessage());
            }
            return GSON.toJson(fields) + "\n";
        }
    }
}
