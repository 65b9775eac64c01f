/**
 * The settings as read once per SessionFactory ({@code UpsertSettingValues}) and the mapping error that lists every
 * problem at boot; below everything that reads a setting. Not API.
 */
package dev.upsert.internal.settings;
