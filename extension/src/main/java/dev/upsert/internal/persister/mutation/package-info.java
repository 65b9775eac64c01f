/**
 * What is written: the ON CONFLICT statement of an {@code @Upsert} entity (one row, or one {@code unnest} statement per chunk), its plan, and the insert/merge coordinators that run it. Not API.
 */
package dev.upsert.internal.persister.mutation;
