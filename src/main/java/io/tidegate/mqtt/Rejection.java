package io.tidegate.mqtt;

/** Why one message was not applied: the reason counted and a message fit to show an operator. */
record Rejection(RejectReason reason, String message) {}
