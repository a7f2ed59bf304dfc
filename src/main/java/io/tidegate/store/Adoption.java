package io.tidegate.store;

import io.tidegate.format.Refusal;

/**
 * What became of a {@link StoreCommand.Adopt}.
 *
 * @param refusal for {@link Result#REFUSED}: why, fit to show; null otherwise
 */
public record Adoption(Result result, Refusal refusal) {
    public enum Result {
        /** The store holds the group as given now. */
        ADOPTED,
        /** The store holds the group as written at the same moment or later already: nothing changed. */
        HELD,
        /** The group's deadline has passed: nothing changed. */
        EXPIRED,
        /** It conflicts with another group held here, or would pass a limit: nothing changed. */
        REFUSED
    }

    static final Adoption ADOPTED = new Adoption(Result.ADOPTED, null);
    static final Adoption HELD = new Adoption(Result.HELD, null);
    static final Adoption EXPIRED = new Adoption(Result.EXPIRED, null);

    static Adoption refused(Refusal refusal) {
        return new Adoption(Result.REFUSED, refusal);
    }
}
