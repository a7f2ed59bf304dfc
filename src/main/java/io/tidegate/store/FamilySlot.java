package io.tidegate.store;

import io.tidegate.format.MetricType;

/**
 * What the groups holding one family name share: its type, and how many hold it. A count rather
 * than a list of holders: this is what lets a push's consistency check cost the size of the push,
 * and a group's removal a few updates, however large the store. Their help texts need not agree
 * (the scrape serves one, see {@link StoreSnapshot#scrape}), so they are not kept here. Only
 * writers use it.
 */
final class FamilySlot {
    final String name;
    private MetricType type;
    private int holders;

    FamilySlot(String name, MetricType type) {
        this.name = name;
        this.type = type;
    }

    MetricType type() {
        return type;
    }

    /** How many groups other than the one holding {@code own} (null: none) hold this name. */
    int holdersOtherThan(StoredFamily own) {
        return holders - (own != null ? 1 : 0);
    }

    /**
     * Counts a holder. A family of another type can arrive only once every other holder has
     * expired (the write checked that), so it decides the type from then on.
     */
    void add(StoredFamily family) {
        type = family.family().type();
        holders++;
    }

    void remove(StoredFamily family) {
        holders--;
    }

    boolean isEmpty() {
        return holders == 0;
    }
}
