package io.tidegate.persist;

import io.tidegate.store.RetainedMemory;
import io.tidegate.store.Group;
import io.tidegate.key.GroupingKey;

/**
 * One change as the journal keeps it. A written group carries the group's whole resulting state,
 * not the write that made it, so replaying a record needs nothing but the record: a snapshot is
 * simply one {@link GroupWritten} per group and one {@link Remembered} per retained-memory entry.
 */
sealed interface JournalRecord {
    record GroupWritten(Group group) implements JournalRecord {}

    record GroupDeleted(GroupingKey key) implements JournalRecord {}

    record Wiped() implements JournalRecord {}

    record Remembered(RetainedMemory.Entry entry) implements JournalRecord {}
}
