/**
 * The Hibernate-version seam: the few calls whose signature differs between the Hibernate lines this jar supports, and the boot check that names the right artifact for the running line. Not API.
 */
package dev.upsert.internal.compat;
