package io.tidegate.store;

import java.util.function.LongSupplier;

/**
 * A change to the {@link Store}, as its one door, {@link Store#apply}, takes it. Every change is one:
 * a client's write ({@link WriteRequest}: PUT, POST, DELETE, or the admin WIPE; or the same read ahead of
 * the lock, {@link Store.Prepared}), a group put back from
 * disk ({@link Restore}), a group's state as another Tidegate holds it ({@link Adopt}) and the sweep's
 * expiry ({@link ExpireDue}). The store applies them one at a
 * time under its writer lock, so the order in which they are applied is the order they took the lock.
 *
 * @param <R> what the store answers when it has applied the command
 */
public sealed interface StoreCommand<R> permits WriteRequest, Store.Prepared, StoreCommand.Restore,
        StoreCommand.Adopt, StoreCommand.ExpireDue, StoreCommand.Revert {

    /**
     * Puts back {@code group} as it was kept on disk, checks and times as they were. Families whose
     * deadline passed meanwhile expire at once, as the sweep would have expired them, so a restart
     * never serves them again (a tombstone appears if it is still due). Loading replays these before
     * the store reports to its {@link WriteLog}, so a restore reports nothing: the group is on disk already.
     */
    record Restore(Group group) implements StoreCommand<WriteOutcome> {}

    /**
     * Takes {@code group} as another Tidegate holds it (a replica's state kept by the MQTT broker, SPEC
     * §9), times and deadlines as they are there, unless this store holds the group already as written
     * at the same moment or later (by its {@code push_time_seconds}; at the same moment only when it
     * holds every family of {@code group} too, so a group built here from a later POST alone still gets
     * the families before it). Families past their deadline are left out, and a group past its own is
     * not taken at all: what expired never comes back. Checked against the other groups as a write is
     * (types, duplicate series, the group limit), and recorded in the {@link WriteLog} as a write, since it comes
     * from no file.
     */
    record Adopt(Group group) implements StoreCommand<Adoption> {}

    /**
     * Undoes what the {@link WriteLog} could not make durable (a full disk), so the store holds again
     * exactly what is on disk: under the writer lock {@code abandon} tells the log to give up everything
     * it has not written, and answers how far it is durable; every change reported after that position
     * is reverted, newest first, to what its key held before. Reports nothing. The store answers how
     * many changes it reverted.
     */
    record Revert(LongSupplier abandon) implements StoreCommand<Integer> {}

    /**
     * Removes what has expired by now: at most {@code maxGroups} groups' worth under one hold of the
     * lock, and fewer (at least one) when a write is waiting for it, so a push waits for the expiry of
     * one group, never for a batch, even during a mass expiry. The store answers how many groups it
     * looked at; the sweep applies this again until that is 0.
     */
    record ExpireDue(int maxGroups) implements StoreCommand<Integer> {
        public ExpireDue {
            if (maxGroups < 1) {
                throw new IllegalArgumentException("maxGroups must be at least 1: " + maxGroups);
            }
        }
    }
}
