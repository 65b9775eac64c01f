package dev.upsert.internal.persister;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * The instances whose generated id is about to be proposed at {@code persist} (or at a merge's copy): Hibernate
 * generates the id and sets it into the entity at once ({@code AbstractSaveEventListener.saveWithGeneratedId}), and
 * {@link UpsertEntityPersister#setIdentifier} leaves it out for these, so the id attribute stays null until the flush
 * writes the stored row's id back. The proposed id lives on only in the insert action, which binds it in the
 * statement; the persistence context keys the entity by Hibernate's placeholder ({@code event.DelayedIdKeys}).
 * <p>
 * Per thread (a persist runs on the caller's thread), held weakly and bounded, so an instance whose persist failed
 * before its id was generated is never kept alive.
 */
final class ProposedIds {

    private static final int MAX_EXPECTED = 64;
    private static final ThreadLocal<List<WeakReference<Object>>> EXPECTED = ThreadLocal.withInitial(ArrayList::new);

    private ProposedIds() {
    }

    /** {@code entity} is being persisted: the next id set into it at persist is a proposed one. */
    static void expect(Object entity) {
        List<WeakReference<Object>> expected = EXPECTED.get();
        expected.removeIf(ref -> ref.get() == null || ref.get() == entity);
        if (expected.size() >= MAX_EXPECTED) {
            expected.remove(0);
        }
        expected.add(new WeakReference<>(entity));
    }

    /** True, once, if {@code entity} was expected: the caller leaves the proposed id out of it. */
    static boolean consume(Object entity) {
        List<WeakReference<Object>> expected = EXPECTED.get();
        if (expected.isEmpty()) {
            return false;
        }
        for (int i = 0; i < expected.size(); i++) {
            if (expected.get(i).get() == entity) {
                expected.remove(i);
                return true;
            }
        }
        return false;
    }
}
