package io.tidegate.push;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Which format a push's Content-Type selects: upstream's rule, delimited protobuf only for
 * {@code application/vnd.google.protobuf} with {@code proto=io.prometheus.client.MetricFamily} and
 * {@code encoding=delimited}, the text format for anything else.
 */
class PushBodyTest {
    private static final String PROTOBUF = "application/vnd.google.protobuf";
    private static final String PROTO = "proto=io.prometheus.client.MetricFamily";
    private static final String DELIMITED = "encoding=delimited";

    @Test
    void aContentTypeOfOnlySemicolonsIsText() {
        assertThat(PushBody.isDelimitedProtobuf(";")).isFalse();
        assertThat(PushBody.isDelimitedProtobuf(";;")).isFalse();
    }
}
