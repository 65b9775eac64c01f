package dev.upsert.upsert;

import java.util.List;

import org.hibernate.StatelessSession;

/** {@code StatelessSession#insertMultiple} is 7.0+: on 6.6 the same rows go through {@code insert}, one call each, batched. */
final class LineStateless {

    private LineStateless() {
    }

    static void insertMultiple(StatelessSession session, List<?> entities) {
        entities.forEach(session::insert);
    }
}
