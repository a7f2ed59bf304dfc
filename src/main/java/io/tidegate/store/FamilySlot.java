package io.tidegate.store;

import io.tidegate.format.MetricType;

/**
 * What the groups holding one family name share: its type, the help text they agree on, and how
 * many hold it (with help, and in all). Counts rather than a list of holders: this is what lets a
 * push's consistency check cost the size of the push, and a group's removal a few updates, however
 * large the store. Only writers use it.
 */
final class FamilySlot {
    final String name;
    private MetricType type;
    private String help;
    private int holders;
    private int holdersWithHelp;

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

    /** The help the other groups agree on, or null when they have none. */
    String helpOfOthers(StoredFamily own) {
        boolean ownHasHelp = own != null && hasHelp(own.family().help());
        return holdersWithHelp - (ownHasHelp ? 1 : 0) > 0 ? help : null;
    }

    /**
     * Counts a holder. A family of another type can arrive only once every other holder has
     * expired (the write checked that), so it decides the type from then on.
     */
    void add(StoredFamily family) {
        type = family.family().type();
        holders++;
        if (hasHelp(family.family().help())) {
            help = family.family().help();
            holdersWithHelp++;
        }
    }

    void remove(StoredFamily family) {
        holders--;
        if (hasHelp(family.family().help()) && --holdersWithHelp == 0) {
            help = null;
        }
    }

    boolean isEmpty() {
        return holders == 0;
    }

    static boolean hasHelp(String help) {
        return help != null && !help.isEmpty();
    }
}
