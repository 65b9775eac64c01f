package dev.upsert.upsert;

import java.util.List;

import org.hibernate.StatelessSession;

/** The suite's one call that only 7.x has: {@code StatelessSession#insertMultiple} (hibernate-66 has its 6.6 twin). */
final class LineStateless {

    private LineStateless() {
    }

    /** Hibernate's bulk insert (7.0+). */
    static void insertMultiple(StatelessSession session, List<?> entities) {
        session.insertMultiple(entities);
    }
}
