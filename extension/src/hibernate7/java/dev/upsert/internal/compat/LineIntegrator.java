package dev.upsert.internal.compat;

import org.hibernate.integrator.spi.Integrator;

/** {@link Integrator} as 7.x declares it: {@code disintegrate} already has a default (6.6 declares it abstract). */
public interface LineIntegrator extends Integrator {
}
