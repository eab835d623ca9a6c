/**
 * RDS behaviours the fake once got wrong, each of which hid a real failure of the project's code:
 * the project's handlers and adapters run over the fake as it now behaves.
 */
import { RDSClient } from '@aws-sdk/client-rds';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { managedSnapshotTags, snapshotId, tierFor } from '../../functions/domain/snapshot-naming.ts';
import type { RetentionDeps } from '../../functions/handlers/retention.ts';
import { setHandlerEnv } from '../support/handler-env.ts';
import { MemoryArchive } from '../support/memory-archive.ts';
import { RdsFake, VirtualClock } from '../support/rds-fake.ts';
import { CENTRAL, WEST, instancePlanes } from '../support/rds-planes.ts';

const DAY = 86_400_000;
const NOW = '2026-11-29T02:30:00Z';
const SETTINGS = { daily: 7, weekly: 5, monthly: 12, yearly: 3, minimumCount: 3, quotaHeadroom: 10, deletesPerSecond: 4, maxVerifiedAgeHours: 48 };
const RULES = { weeklyOn: 'SUN', monthlyOnDay: 1, yearlyOn: '01-01' };

setHandlerEnv({ RETENTION_POLICY: JSON.stringify(SETTINGS) });
let retentionCore: typeof import('../../functions/handlers/retention.ts').core;
beforeAll(async () => {
  ({ core: retentionCore } = await import('../../functions/handlers/retention.ts'));
});

let clock: VirtualClock;
let rds: RdsFake;
let stub: AwsClientStub<RDSClient>;

beforeEach(() => {
  clock = new VirtualClock(NOW);
  rds = new RdsFake({ clock });
  stub = rds.install();
});

afterEach(() => {
  stub.restore();
});

function tagList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** A backup taken `daysAgo` days before NOW at 02:00 UTC, named and tagged as the backup workflow does. */
function backup(region: string, daysAgo: number, extraTags: Record<string, string> = {}): string {
  const at = new Date(Date.parse('2026-11-29T02:00:00Z') - daysAgo * DAY);
  const tier = tierFor(at, RULES, 'UTC');
  const id = snapshotId('swifteats', tier, at, 'UTC');
  rds.addSnapshot({ id, region, instanceId: 'swifteats', SnapshotCreateTime: at, tags: tagList({ ...managedSnapshotTags('swifteats', tier, 'swifteats-gfs'), ...extraTags }) });
  return id;
}

describe('SnapshotCreateTime is absent until a snapshot is available', () => {
  it('retention in the DR region keeps a copy still in progress without raising the unclassifiable-snapshots alarm', async () => {
    // Prepare: ten days of verified offsite copies; today's copy is queued behind them (copying, no create time yet).
    for (let day = 9; day >= 1; day -= 1) backup(CENTRAL, day, { 'dr:verified': 'passed' });
    rds.addInstance({ id: 'swifteats', region: WEST });
    const today = backup(WEST, 0);
    await instancePlanes().dr.copySnapshot({ sourceArn: rds.snapshotArn(WEST, today), sourceRegion: WEST, targetId: today, kmsKeyId: rds.defaultKmsKeyArn(CENTRAL), tags: managedSnapshotTags('swifteats', 'weekly', 'swifteats-gfs') });
    expect(rds.snapshot(CENTRAL, today)?.SnapshotCreateTime).toBeUndefined();
    const deps: RetentionDeps = { ...instancePlanes(), archive: new MemoryArchive(), now: () => clock.now(), sleep: async () => undefined, random: () => 0.5 };
    // Act
    const report = await retentionCore({ region: 'dr' }, deps);
    // Assess: kept (not available), no alarm, nothing deleted that a plan would not delete anyway.
    expect(report.alarms).toEqual([]);
    expect(report.decisions.find((d) => d.id === today)).toMatchObject({ action: 'keep', codes: ['not-available'] });
    expect(rds.snapshot(CENTRAL, today)?.Status).toBe('copying');
  });
});
