package io.tidegate.format;

/** One cumulative bucket of a classic histogram. */
public record Bucket(double upperBound, double cumulativeCount) {}
