/**
 * How pending upserts are batched: the JDBC batch that holds them until the flush, orders them by key and sends one statement per chunk. Not API.
 */
package dev.upsert.internal.batch;
