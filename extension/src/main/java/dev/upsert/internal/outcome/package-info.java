/**
 * What happened to each upserted entity ({@code UpsertResults}) and who is told ({@code UpsertListener}s: metrics,
 * applications); depends on the public types only, so every floor above may report into it. Not API.
 */
package dev.upsert.internal.outcome;
