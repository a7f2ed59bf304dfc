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
    void aRangeOfOnlySemicolonsIsOverlooked() {
        assertThat(ScrapeNegotiation.choose(";")).isEqualTo(WireFormat.TEXT);
        assertThat(ScrapeNegotiation.choose("application/openmetrics-text, ;;")).isEqualTo(WireFormat.OPENMETRICS);
    }

    @Test
    void gzipIsUsedWhenAcceptedUnlessRefusedWithQZero() {
        assertThat(ScrapeHandler.acceptsGzip("gzip, deflate")).isTrue();
        assertThat(ScrapeHandler.acceptsGzip("gzip;q=0")).isFalse();
        assertThat(ScrapeHandler.acceptsGzip(null)).isFalse();
    }
}
