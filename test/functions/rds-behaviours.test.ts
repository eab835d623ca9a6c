/**
 * RDS behaviours the fake once got wrong, each of which hid a real failure of the project's code:
 * the project's handlers and adapters run over the fake as it now behaves.
 */
import { RDSClient } from '@aws-sdk/client-rds';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { takeSnapshot } from '../../functions/domain/backup/backup-run.ts';
import { MAX_DELETES_PER_SECOND } from '../../functions/domain/retention/model.ts';
import { managedSnapshotTags, snapshotId, tierFor } from '../../functions/domain/snapshots/naming.ts';
import type { RetentionDeps } from '../../functions/handlers/retention.ts';
import { setHandlerEnv } from '../support/handler-env.ts';
import { MemoryArchive } from '../support/memory-archive.ts';
import { CROSS_REGION_COPIES_IN_PROGRESS_MAX, RDS_DEFAULT_RATE_LIMIT, RdsFake, VirtualClock } from '../support/rds-fake.ts';
import { CENTRAL, WEST, instancePlanes } from '../support/rds-planes.ts';

const DAY = 86_400_000;
const NOW = '2026-11-29T02:30:00Z';
/** The configuration's defaults, at the fastest pacing allowed (MAX_DELETES_PER_SECOND). */
const SETTINGS = { daily: 7, weekly: 5, monthly: 12, yearly: 3, minimumCount: 3, quotaHeadroom: 10, deletesPerSecond: MAX_DELETES_PER_SECOND, maxVerifiedAgeHours: 48 };
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

/** Retriers of one state of a workflow file, by error name. */
function retriers(workflow: string, state: string): Record<string, { IntervalSeconds?: number; MaxAttempts?: number; BackoffRate?: number; MaxDelaySeconds?: number }> {
  const definition = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'statemachines', `${workflow}.asl.json`), 'utf8')) as {
    States: Record<string, { Retry?: { ErrorEquals: string[]; IntervalSeconds?: number; MaxAttempts?: number; BackoffRate?: number; MaxDelaySeconds?: number }[] }>;
  };
  const out: ReturnType<typeof retriers> = {};
  for (const retry of definition.States[state]?.Retry ?? []) for (const name of retry.ErrorEquals) out[name] = retry;
  return out;
}

/** The longest total wait a retrier allows (no jitter), in seconds. */
function retryWindowSeconds(r: { IntervalSeconds?: number; MaxAttempts?: number; BackoffRate?: number; MaxDelaySeconds?: number }): number {
  let total = 0;
  for (let i = 0; i < (r.MaxAttempts ?? 3); i += 1) total += Math.min((r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** i, r.MaxDelaySeconds ?? Number.POSITIVE_INFINITY);
  return total;
}

describe('a database is backing-up while RDS takes a snapshot', () => {
  it('refuses a second snapshot, a forced failover and a promotion then; the backup use case reports the ASL-retried DatabaseNotAvailableError', async () => {
    // Prepare: someone took a manual snapshot a moment ago.
    rds.addInstance({ id: 'swifteats', region: WEST });
    const primary = instancePlanes().primary;
    await primary.createSnapshot('swifteats', 'swifteats-manual-1', {});
    const request = { database: 'swifteats', scheduledAt: new Date(NOW), tierRules: RULES, timeZone: 'UTC', policy: 'swifteats-gfs' };
    // Act
    const status = rds.instance(WEST, 'swifteats')?.DBInstanceStatus;
    const refused = (await takeSnapshot(primary, request).then(() => new Error('no error'), (e: unknown) => e as Error));
    const failover = await primary.forceFailover('swifteats').then(() => new Error('no error'), (e: unknown) => e as Error);
    clock.advance(rds.durations.backingUpMs);
    const taken = await takeSnapshot(primary, request);
    // Assess
    expect(status).toBe('backing-up');
    expect([refused.name, refused.message]).toEqual(['DatabaseNotAvailableError', 'database swifteats is backing-up, not available: no snapshot taken']);
    expect(failover.name).toBe('DatabaseNotAvailableError');
    expect(taken.created).toBe(true);
    // The backup workflow retries it for longer than a snapshot keeps the database busy.
    const retry = retriers('backup', 'Create snapshot').DatabaseNotAvailableError;
    expect(retry).toBeDefined();
    expect(retryWindowSeconds(retry ?? {}) * 1000).toBeGreaterThan(rds.durations.backingUpMs);
  });

  it('a promoted replica without backups is backing-up after promotion, refusing a second promotion, for longer than the promotion itself', async () => {
    // Prepare: a cross-region replica with no backups of its own (the RDS default for a replica).
    rds.addInstance({ id: 'swifteats', region: WEST });
    rds.addInstance({ id: 'swifteats-dr', region: CENTRAL, BackupRetentionPeriod: 0, ReadReplicaSourceDBInstanceIdentifier: rds.instanceArn(WEST, 'swifteats') });
    const dr = instancePlanes().dr;
    // Act
    await dr.promoteReadReplica('swifteats-dr');
    clock.advance(rds.durations.promoteMs);
    const after = rds.instance(CENTRAL, 'swifteats-dr');
    const again = await dr.promoteReadReplica('swifteats-dr').then(() => new Error('no error'), (e: unknown) => e as Error);
    clock.advance(rds.durations.promoteBackupMs);
    // Assess
    expect([after?.DBInstanceStatus, after?.ReadReplicaSourceDBInstanceIdentifier, after?.BackupRetentionPeriod]).toEqual(['backing-up', undefined, 1]);
    expect(again.name).toBe('DatabaseNotAvailableError');
    expect(rds.instance(CENTRAL, 'swifteats-dr')?.DBInstanceStatus).toBe('available');
    // 30 minutes of the failover's wait for `available` is less than this backup takes here.
    expect(rds.durations.promoteMs + rds.durations.promoteBackupMs).toBeGreaterThan(30 * 60_000);
  });
});

describe('cross-region copies in progress per destination region', () => {
  it(`refuses the ${CROSS_REGION_COPIES_IN_PROGRESS_MAX + 1}st with SnapshotQuotaExceededError, which the backup workflow retries for longer than a copy takes`, async () => {
    // Prepare: 21 available snapshots, and 20 copies in progress to the DR region.
    rds.addInstance({ id: 'swifteats', region: WEST });
    const ids = Array.from({ length: CROSS_REGION_COPIES_IN_PROGRESS_MAX + 1 }, (_, i) => backup(WEST, i + 1));
    const dr = instancePlanes().dr;
    const copy = (id: string) => dr.copySnapshot({ sourceArn: rds.snapshotArn(WEST, id), sourceRegion: WEST, targetId: id, kmsKeyId: rds.defaultKmsKeyArn(CENTRAL), tags: {} });
    for (const id of ids.slice(0, CROSS_REGION_COPIES_IN_PROGRESS_MAX)) await copy(id);
    const last = ids[CROSS_REGION_COPIES_IN_PROGRESS_MAX] ?? '';
    // Act
    const refused = await copy(last).then(() => new Error('no error'), (e: unknown) => e as Error);
    clock.advance(rds.durations.crossRegionCopyMs);
    const later = await copy(last);
    // Assess
    expect(refused.name).toBe('SnapshotQuotaExceededError');
    expect(later.status).toBe('copying');
    const retry = retriers('backup', 'Copy to DR region').SnapshotQuotaExceededError;
    expect(retry).toBeDefined();
    expect(retryWindowSeconds(retry ?? {}) * 1000).toBeGreaterThan(2 * rds.durations.crossRegionCopyMs);
  });

  it('queues a second copy of one source as pending until the first completes', async () => {
    rds.addInstance({ id: 'swifteats', region: WEST });
    const id = backup(WEST, 1);
    const arn = rds.snapshotArn(WEST, id);
    await rds.handle('CopyDBSnapshot', { SourceDBSnapshotIdentifier: arn, TargetDBSnapshotIdentifier: id, KmsKeyId: rds.defaultKmsKeyArn(CENTRAL) }, CENTRAL);
    const second = (await rds.handle('CopyDBSnapshot', { SourceDBSnapshotIdentifier: arn, TargetDBSnapshotIdentifier: `${id}-b`, KmsKeyId: rds.defaultKmsKeyArn(CENTRAL) }, CENTRAL)) as { DBSnapshot: { Status: string; PercentProgress: number } };
    clock.advance(rds.durations.crossRegionCopyMs);
    const started = rds.snapshot(CENTRAL, `${id}-b`);
    clock.advance(rds.durations.crossRegionCopyMs);
    expect([second.DBSnapshot.Status, second.DBSnapshot.PercentProgress]).toEqual(['pending', 0]);
    expect([rds.snapshot(CENTRAL, id)?.Status, started?.Status, started?.PercentProgress]).toEqual(['available', 'copying', 0]);
    expect(rds.snapshot(CENTRAL, `${id}-b`)?.Status).toBe('available');
  });
});

describe('the account-wide RDS API rate limit (300 burst, 12/s sustained)', () => {
  it('throttles the 301st call of a burst and refills 12 tokens a second', async () => {
    rds.addInstance({ id: 'swifteats', region: WEST });
    rds.rateLimit(RDS_DEFAULT_RATE_LIMIT);
    for (let i = 0; i < 300; i += 1) await rds.handle('DescribeDBInstances', {}, WEST);
    const throttled = await rds.handle('DescribeDBInstances', {}, WEST).then(() => new Error('no error'), (e: unknown) => e as Error);
    const otherRegion = await rds.handle('DescribeDBInstances', {}, CENTRAL);
    clock.advance(1000);
    const refilled: string[] = [];
    for (let i = 0; i < 13; i += 1) refilled.push(await rds.handle('DescribeDBInstances', {}, WEST).then(() => 'ok', (e: unknown) => (e as Error).name));
    expect(throttled.name).toBe('Throttling');
    expect(otherRegion).toBeDefined();
    expect(refilled).toEqual([...Array.from({ length: 12 }, () => 'ok'), 'Throttling']);
  });

  it('retention at its fastest pacing deletes 379 snapshots without one throttled call, with the burst already spent', async () => {
    // Prepare: 401 daily backups, the newest verified; the limit on, and other users of the account have left
    // 20 tokens: only a pace under the sustained 12/s can last (at 20/s the bucket runs dry after about 30 deletes).
    for (let day = 400; day >= 0; day -= 1) backup(WEST, day, day === 1 ? { 'dr:verified': 'passed' } : {});
    rds.setQuota('ManualSnapshots', 1000, WEST);
    rds.rateLimit(RDS_DEFAULT_RATE_LIMIT);
    for (let i = 0; i < RDS_DEFAULT_RATE_LIMIT.burst - 20; i += 1) await rds.handle('DescribeAccountAttributes', {}, WEST);
    const sleeps: number[] = [];
    const deps: RetentionDeps = {
      ...instancePlanes(),
      archive: new MemoryArchive(),
      now: () => clock.now(),
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
      random: () => 0.5,
    };
    // Act
    const report = await retentionCore({ region: 'primary' }, deps);
    // Assess
    expect(MAX_DELETES_PER_SECOND).toBeLessThan(RDS_DEFAULT_RATE_LIMIT.refillPerSecond);
    expect(report.deleted).toHaveLength(379);
    expect(rds.calls().filter((c) => c.outcome === 'Throttling')).toEqual([]);
    expect(new Set(sleeps)).toEqual(new Set([1000 / MAX_DELETES_PER_SECOND]));
  });
});
