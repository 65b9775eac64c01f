/**
 * What the database says about mapped tables: unique keys and column types read at boot (never waiting on a pool when a duplicate happens), and sequence drift. Not API.
 */
package dev.upsert.internal.catalog;
