package io.tidegate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.format.NameEscaping;
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

    /** expfmt/encode_test.go TestNegotiate (v0.67.5), the cases of the formats Tidegate serves: Accept, then Content-Type. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"
                + "|application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; escaping=underscores",
        "text/plain;version=0.0.4|text/plain; version=0.0.4; charset=utf-8; escaping=underscores",
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited; escaping=allow-utf-8;"
                + "|application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; escaping=allow-utf-8",
        "text/plain;version=0.0.4;|text/plain; version=0.0.4; charset=utf-8; escaping=underscores",
        "text/plain;version=0.0.4; escaping=values;|text/plain; version=0.0.4; charset=utf-8; escaping=values",
        // TestNegotiateIncludingOpenMetrics: "OM format, 0.0.1 version" (Tidegate answers OpenMetrics 1.0.0 to either)
        "application/openmetrics-text;version=0.0.1; escaping=underscores"
                + "|application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores",
        "application/openmetrics-text;version=1.0.0; escaping=dots|application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=dots",
        // an unknown scheme is passed over; no Accept at all is text with the default
        "text/plain;escaping=nonsense|text/plain; version=0.0.4; charset=utf-8; escaping=underscores",
    })
    void theContentTypeNamesTheEscapingAsExpfmtNegotiates(String accept, String contentType) {
        assertThat(ScrapeNegotiation.negotiate(accept).contentType()).isEqualTo(contentType);
    }

    @Test
    void prometheus3sAcceptGetsOpenMetricsWithUtf8Names() {
        // what Prometheus 3 sends with its default scrape protocols and UTF-8 names
        String accept = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
                + "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,"
                + "text/plain;version=0.0.4;q=0.2,*/*;q=0.1";
        assertThat(ScrapeNegotiation.negotiate(accept))
                .isEqualTo(new ScrapeNegotiation.Scrape(WireFormat.OPENMETRICS, NameEscaping.ALLOW_UTF8));
        assertThat(ScrapeNegotiation.negotiate(null))
                .isEqualTo(new ScrapeNegotiation.Scrape(WireFormat.TEXT, NameEscaping.UNDERSCORES));
    }

    @Test
    void anEscapingOfAMoreWantedRangeThatPicksNoFormatCarriesOverAsInExpfmt() {
        // expfmt walks the ranges from the most wanted; each escaping it passes replaces the one before
        assertThat(ScrapeNegotiation.negotiate("application/json;escaping=values;q=0.9,text/plain;q=0.5").escaping())
                .isEqualTo(NameEscaping.VALUES);
        assertThat(ScrapeNegotiation.negotiate("text/plain;q=0.9,application/json;escaping=values;q=0.5").escaping())
                .isEqualTo(NameEscaping.UNDERSCORES);
    }
}
