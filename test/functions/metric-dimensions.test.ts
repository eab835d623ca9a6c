import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { Context } from 'aws-lambda';
import { MemoryArchive } from '../support/memory-archive.ts';
import { setHandlerEnv } from '../support/handler-env.ts';
import { RdsFake, VirtualClock } from '../support/rds-fake.ts';
import { WEST, instancePlanes } from '../support/rds-planes.ts';

// The `Database` dimension is a default dimension set once per execution environment: a handler
// that added it per invocation made Powertools warn on every call after the first (issue 9).
setHandlerEnv({ RETENTION_POLICY: JSON.stringify({ daily: 7, weekly: 5, monthly: 12, yearly: 3, minimumCount: 3, quotaHeadroom: 10, deletesPerSecond: 4, maxVerifiedAgeHours: 48 }) });

type Powertools = typeof import('../../functions/shared/powertools.ts');
let powertools: Powertools;
let snapshot: typeof import('../../functions/handlers/snapshot/index.ts');
let retention: typeof import('../../functions/handlers/retention.ts');
let restore: typeof import('../../functions/handlers/restore/index.ts');
beforeAll(async () => {
  powertools = await import('../../functions/shared/powertools.ts');
  snapshot = await import('../../functions/handlers/snapshot/index.ts');
  retention = await import('../../functions/handlers/retention.ts');
  restore = await import('../../functions/handlers/restore/index.ts');
});

let clock: VirtualClock;
let rds: RdsFake;
let stub: AwsClientStub<RDSClient>;
beforeEach(() => {
  clock = new VirtualClock('2026-11-29T02:00:05Z');
  rds = new RdsFake({ clock });
  stub = rds.install();
  rds.addInstance({ id: 'swifteats', region: WEST });
});
afterEach(() => {
  stub.restore();
  vi.restoreAllMocks();
  powertools.metrics.clearMetrics();
});

/** Every warning the metrics instance gives goes through the one logger (functions/shared/powertools.ts). */
function dimensionWarnings(warn: { mock: { calls: readonly (readonly unknown[])[] } }): string[] {
  return warn.mock.calls.map((call) => String(call[0])).filter((line) => line.includes('has already been added'));
}

/** The dimension sets and values an EMF document of the next flush would carry. */
function emfDimensions(): { sets: string[][]; database: unknown } {
  powertools.metrics.addMetric('BackupSucceeded', 'Count', 1);
  const emf = powertools.metrics.serializeMetrics() as unknown as { _aws: { CloudWatchMetrics: { Dimensions: string[][] }[] }; Database?: unknown };
  return { sets: emf._aws.CloudWatchMetrics.map((m) => m.Dimensions).flat(), database: emf.Database };
}

describe('metric dimensions', () => {
  it('snapshot, retention and restore λ invoked twice log no "already been added" warning and keep the Database dimension', async () => {
    // Prepare
    const warn = vi.spyOn(powertools.logger, 'warn');
    const planes = instancePlanes();
    const archive = new MemoryArchive();
    const now = () => clock.now();
    // Act: two invocations of each handler's core, as Lambda reuses one execution environment.
    for (let i = 0; i < 2; i++) {
      await snapshot.core({ action: 'create', scheduledAt: '2026-11-29T02:00:00Z' }, { primary: planes.primary, dr: planes.dr, archive, now });
      await retention.core({ region: 'primary', dryRun: true }, { primary: planes.primary, dr: planes.dr, archive, now, sleep: async () => {}, random: () => 0 });
      await restore.core({ action: 'sweep' }, { primary: planes.primary, dr: planes.dr, restores: planes.restores, archive, now });
    }
    // Assess
    expect(dimensionWarnings(warn)).toEqual([]);
    expect(emfDimensions()).toEqual({ sets: [['service', 'Database']], database: 'swifteats' });
  });

  it('the middy handler flushes and invokes again without the warning', async () => {
    const warn = vi.spyOn(powertools.logger, 'warn');
    const context = { functionName: 'swifteats-snapshot', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
    for (let i = 0; i < 2; i++) await snapshot.handler({ action: 'create', scheduledAt: '2026-11-29T02:00:00Z' }, context);
    expect(dimensionWarnings(warn)).toEqual([]);
    expect(emfDimensions()).toEqual({ sets: [['service', 'Database']], database: 'swifteats' });
  });

  it('setDatabaseDimension is idempotent for one database and refuses a second one', () => {
    const warn = vi.spyOn(powertools.logger, 'warn');
    powertools.setDatabaseDimension('swifteats');
    expect(dimensionWarnings(warn)).toEqual([]);
    expect(() => powertools.setDatabaseDimension('orders')).toThrow('the Database dimension is swifteats already; refusing orders');
  });
});
