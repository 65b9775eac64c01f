/**
 * Session events: persist, flush, remove, refresh, lock and detach of entities whose upsert is still pending, and the listeners told of each outcome. Not API.
 */
package dev.upsert.internal.event;
