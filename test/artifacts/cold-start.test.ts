/**
 * Each shipped bundle cold-starts (its module scope runs: environment checks, clients, Powertools)
 * in a fresh process with the environment its template gives it, intrinsics resolved to concrete
 * values; without one of its required variables it fails at load, naming the variable.
 */
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundledFunctions } from '../support/assembly.ts';
import { loadBundle, resolvedEnvironment, runtimeEnvironment } from '../support/bundles.ts';

const functions = bundledFunctions();

/** A required variable per function, taken away in the second test. */
const REQUIRED: Record<string, string> = {
  snapshot: 'DR_KMS_KEY_ID',
  manifest: 'DB_SECRET_ARN',
  retention: 'RETENTION_POLICY',
  restore: 'STORAGE_TYPE',
  verify: 'DB_TLS_MODE',
  probe: 'DB_HOST',
  'rpo-monitor': 'OBJECTIVES',
  failover: 'LOCK_LEASE_SECONDS',
};

function environment(fn: (typeof functions)[number]): Record<string, string> {
  return { ...runtimeEnvironment(fn, 'eu-west-1'), ...resolvedEnvironment(fn), POWERTOOLS_TRACE_ENABLED: 'false' };
}

describe('cold start of the shipped bundles', () => {
  it('has the eight functions, each an ESM bundle', () => {
    expect(functions.map((f) => f.handler).sort()).toEqual(Object.keys(REQUIRED).sort());
    for (const fn of functions) expect(statSync(fn.bundle).size, fn.handler).toBeGreaterThan(100_000);
  });

  // Once loaded, an invalid event must throw ValidationError by that name (Step Functions matches
  // ErrorEquals on it; error-names.test.ts checks the rest statically). rpo-monitor runs on a
  // schedule with no input to validate.
  const cases = Object.keys(REQUIRED).map((h) => [h, h === 'rpo-monitor' ? '(scheduled, no event to validate)' : 'and an invalid event throws ValidationError by name'] as const);
  it.concurrent.each(cases)('%s loads with its template environment %s', async (handler) => {
    const fn = functions.find((f) => f.handler === handler);
    if (!fn) throw new Error(`no ${handler} bundle`);
    const env = environment(fn);
    expect(env[REQUIRED[handler] ?? '']).toBeDefined();
    const loaded = await loadBundle(fn, env);
    try {
      expect(loaded.ok ? 'ready' : `${loaded.error.name}: ${loaded.error.message}`).toBe('ready');
      if (loaded.ok && handler !== 'rpo-monitor') await expect(loaded.bundle.invoke({ bogus: true })).rejects.toMatchObject({ name: 'ValidationError' });
    } finally {
      if (loaded.ok) await loaded.bundle.stop();
    }
  });

  it.concurrent.each(Object.entries(REQUIRED))('%s without %s fails at load, naming it', async (handler, variable) => {
    const fn = functions.find((f) => f.handler === handler);
    if (!fn) throw new Error(`no ${handler} bundle`);
    const { [variable]: _removed, ...env } = environment(fn);
    const loaded = await loadBundle(fn, env);
    if (loaded.ok) await loaded.bundle.stop();
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.error.name).toBe('ConfigurationError');
    expect(loaded.error.message).toContain(variable);
  });
});
