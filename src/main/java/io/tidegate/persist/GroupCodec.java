package io.tidegate.persist;

import io.tidegate.store.Group;

/**
 * One group as bytes and back, exactly as the journal keeps it ({@link RecordCodec}): every field of
 * every series, its times and deadlines, where it came from. What a replica publishes as a group's
 * state, for another replica to take as it is (SPEC §9).
 */
public final class GroupCodec {
    private GroupCodec() {}

    public static byte[] encode(Group group) {
        return RecordCodec.encode(new JournalRecord.GroupWritten(group));
    }

    /**
     * The group {@code bytes} hold.
     *
     * @throws IllegalArgumentException saying why, when they do not hold exactly one group
     */
    public static Group decode(byte[] bytes) {
        JournalRecord record;
        try {
            record = RecordCodec.decode(bytes);
        } catch (RuntimeException e) { // a length or an index off the end, a name refused by its type
            throw new IllegalArgumentException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
        if (record instanceof JournalRecord.GroupWritten written) {
            return written.group();
        }
        throw new IllegalArgumentException("not a group but a " + record.getClass().getSimpleName() + " record");
    }
}
