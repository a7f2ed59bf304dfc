package io.tidegate.mqtt;

import java.time.Instant;

/**
 * The last message rejected on a topic: when, why, and the message fit to show an operator
 * (the same text the log line has).
 */
public record MqttRejection(String topic, Instant time, RejectReason reason, String message) {}
