/**
 * What the library keeps per session between its hooks (the pending upserts, the ids a transaction drew, the index of
 * managed keys): one {@link dev.upsert.internal.session.SessionState} per session, without a lock. Not API.
 */
package dev.upsert.internal.session;
