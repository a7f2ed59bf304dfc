package io.tidegate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.format.WireFormat;
import org.junit.jupiter.api.Test;

class ScrapeNegotiationTest {
    @Test
    void prometheusDefaultAcceptHeaderGetsOpenMetrics() {
        String accept = "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,"
                + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
        assertThat(ScrapeNegotiation.choose(accept)).isEqualTo(WireFormat.OPENMETRICS);
    }

    @Test
    void protobufIsChosenOnlyWithBothParameters() {
        assertThat(ScrapeNegotiation.choose("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                + "encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3")).isEqualTo(WireFormat.PROTOBUF);
        assertThat(ScrapeNegotiation.choose("application/vnd.google.protobuf")).isEqualTo(WireFormat.TEXT);
    }

    @Test
    void noOrUnknownAcceptGetsText() {
        assertThat(ScrapeNegotiation.choose(null)).isEqualTo(WireFormat.TEXT);
        assertThat(ScrapeNegotiation.choose("application/json")).isEqualTo(WireFormat.TEXT);
    }

    @Test
    void higherQualityWins() {
        assertThat(ScrapeNegotiation.choose("text/plain;q=0.9,application/openmetrics-text;q=0.1"))
                .isEqualTo(WireFormat.TEXT);
    }

    @Test
    void openMetricsIsOfferedIn100Or001OrWithoutAVersion() {
        assertThat(ScrapeNegotiation.choose("application/openmetrics-text")).isEqualTo(WireFormat.OPENMETRICS);
        assertThat(ScrapeNegotiation.choose("application/openmetrics-text; version=0.0.1")).isEqualTo(WireFormat.OPENMETRICS);
        assertThat(ScrapeNegotiation.choose("application/openmetrics-text; version=2.0.0")).isEqualTo(WireFormat.TEXT);
        assertThat(ScrapeNegotiation.choose("application/openmetrics-text; version=2.0.0, application/openmetrics-text;q=0.1"))
                .isEqualTo(WireFormat.OPENMETRICS);
    }

    @Test
    void typesAndParameterNamesAreCaseInsensitiveAndValuesMayBeQuoted() {
        assertThat(ScrapeNegotiation.choose("Application/OpenMetrics-Text; Version=\"1.0.0\"")).isEqualTo(WireFormat.OPENMETRICS);
        assertThat(ScrapeNegotiation.choose("APPLICATION/VND.GOOGLE.PROTOBUF; PROTO=\"io.prometheus.client.MetricFamily\"; "
                + "ENCODING=delimited")).isEqualTo(WireFormat.PROTOBUF);
        assertThat(ScrapeNegotiation.choose(" application/openmetrics-text ;\tversion = 1.0.0 ; q = 0.5 "))
                .isEqualTo(WireFormat.OPENMETRICS);
    }

    @Test
    void protobufParameterValuesAreCaseSensitive() {
        assertThat(ScrapeNegotiation.choose("application/vnd.google.protobuf;proto=io.prometheus.client.metricfamily;"
                + "encoding=delimited")).isEqualTo(WireFormat.TEXT);
        assertThat(ScrapeNegotiation.choose("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                + "encoding=Delimited")).isEqualTo(WireFormat.TEXT);
    }

    @Test
    void wildcardsGetText() {
        assertThat(ScrapeNegotiation.choose("*/*")).isEqualTo(WireFormat.TEXT);
        assertThat(ScrapeNegotiation.choose("application/openmetrics-text;q=0.1, text/*;q=0.5")).isEqualTo(WireFormat.TEXT);
        assertThat(ScrapeNegotiation.choose("application/openmetrics-text;q=0.1, */*;q=0.5")).isEqualTo(WireFormat.TEXT);
    }

    @Test
    void theFirstOfEquallyWeightedRangesWins() {
        assertThat(ScrapeNegotiation.choose("application/openmetrics-text, text/plain")).isEqualTo(WireFormat.OPENMETRICS);
        assertThat(ScrapeNegotiation.choose("text/plain, application/openmetrics-text")).isEqualTo(WireFormat.TEXT);
    }

    @Test
    void aRangeWeightedZeroOrUnreadablyIsNeverChosen() {
        assertThat(ScrapeNegotiation.choose("application/openmetrics-text;q=0")).isEqualTo(WireFormat.TEXT);
        assertThat(ScrapeNegotiation.choose("application/openmetrics-text;q=high")).isEqualTo(WireFormat.TEXT);
        assertThat(ScrapeNegotiation.choose("application/openmetrics-text;q=NaN")).isEqualTo(WireFormat.TEXT);
        assertThat(ScrapeNegotiation.choose("application/openmetrics-text;q=")).isEqualTo(WireFormat.TEXT);
    }

    @Test
    void weightsAreNumbersAsJavaReadsThemAndTheLastQCounts() {
        assertThat(ScrapeNegotiation.choose("text/plain;q=1, application/openmetrics-text;q=2")).isEqualTo(WireFormat.OPENMETRICS);
        assertThat(ScrapeNegotiation.choose("text/plain;q=1e-1, application/openmetrics-text;q=.2")).isEqualTo(WireFormat.OPENMETRICS);
        assertThat(ScrapeNegotiation.choose("text/plain;q=0.5, application/openmetrics-text;q=0.9;q=0.1")).isEqualTo(WireFormat.TEXT);
    }

    @Test
    void junkInARangeIsOverlooked() {
        assertThat(ScrapeNegotiation.choose("application/openmetrics-text;junk;=x;;version=1.0.0")).isEqualTo(WireFormat.OPENMETRICS);
        assertThat(ScrapeNegotiation.choose("application/openmetrics-text;version=\"1.0.0")).isEqualTo(WireFormat.OPENMETRICS);
        assertThat(ScrapeNegotiation.choose("application/openmetrics-text;version=1.0.0\"")).isEqualTo(WireFormat.OPENMETRICS);
        assertThat(ScrapeNegotiation.choose(",, ,application/openmetrics-text,")).isEqualTo(WireFormat.OPENMETRICS);
        assertThat(ScrapeNegotiation.choose("application/openmetrics-text;version=1.0.0;version")).isEqualTo(WireFormat.OPENMETRICS);
    }

    @Test
    void aRangeOfOnlySemicolonsIsOverlooked() {
        assertThat(ScrapeNegotiation.choose(";")).isEqualTo(WireFormat.TEXT);
        assertThat(ScrapeNegotiation.choose("application/openmetrics-text, ;;")).isEqualTo(WireFormat.OPENMETRICS);
    }

    @Test
    void gzipIsUsedWhenAcceptedUnlessRefusedWithQZero() {
        assertThat(ScrapeHandler.acceptsGzip("gzip, deflate")).isTrue();
        assertThat(ScrapeHandler.acceptsGzip("gzip;q=0")).isFalse();
        assertThat(ScrapeHandler.acceptsGzip(null)).isFalse();
        assertThat(ScrapeHandler.acceptsGzip("deflate, GZIP ; q=0.5")).isTrue();
        assertThat(ScrapeHandler.acceptsGzip("gzip; Q=0.000")).isFalse();
        assertThat(ScrapeHandler.acceptsGzip("gzip;q=0.")).isFalse();
    }

    /** Finding: an Accept-Encoding of only semicolons split into no parts at all, and the scrape answered 500. */
    @Test
    void aMalformedAcceptEncodingIsOverlookedNotAnError() {
        for (String header : new String[] {";;;", ";", ",", "", " ; , ;", "gzip;", "gzip;q=", "gzip;q=abc", "=;=", ";gzip"}) {
            assertThat(ScrapeHandler.acceptsGzip(header)).as(header).isEqualTo(header.startsWith("gzip"));
        }
    }
}
