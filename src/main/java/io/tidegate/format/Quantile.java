package io.tidegate.format;

/** One quantile of a summary. */
public record Quantile(double quantile, double value) {}
