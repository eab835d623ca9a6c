import { describe, expect, it } from 'vitest';
import {
  measureRecoveryPoints,
  parseOffsitePaths,
  rpoDatapoints,
  verifiedCopyAgeFloorSeconds,
  type OffsitePaths,
  type RecoveryObjectives,
  type RpoObservations,
} from '../../functions/domain/rpo/objectives.ts';
import { objectivesProblems } from '../../functions/contracts/objectives.ts';
import { parseSchedule, type Schedule } from '../../functions/domain/snapshots/schedule.ts';
import type { DatabaseState, Snapshot } from '../../functions/ports/database-control-plane.ts';

const NOW = new Date('2026-11-20T10:00:00.000Z');
const PRIMARY_ARN = 'arn:aws:rds:eu-west-1:123456789012:snapshot:';
const DR_ARN = 'arn:aws:rds:eu-central-1:123456789012:snapshot:';

/** The default objectives of the sample configuration. */
const OBJECTIVES: RecoveryObjectives = {
  az: { rpoSeconds: 0, rtoSeconds: 300 },
  region: { rpoSeconds: 900, rtoSeconds: 3600 },
  corruption: { rpoSeconds: 600, rtoSeconds: 7200 },
  snapshotLoss: { rpoSeconds: 108_000, rtoSeconds: 14_400 },
};
const ALL_PATHS: OffsitePaths = { readReplica: true, backupReplication: true, snapshotCopy: true };
const DEFAULT_PATHS: OffsitePaths = { readReplica: false, backupReplication: true, snapshotCopy: true };

function state(overrides: Partial<DatabaseState> = {}): DatabaseState {
  return {
    identifier: 'swifteats',
    arn: 'arn:aws:rds:eu-west-1:123456789012:db:swifteats',
    status: 'available',
    latestRestorableTime: new Date('2026-11-20T09:55:00.000Z'),
    kmsKeyId: null,
    multiAz: true,
    ...overrides,
  };
}

function snapshot(id: string, createdAt: string, tags: Record<string, string> = {}, overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    id,
    arn: `${PRIMARY_ARN}${id}`,
    databaseId: 'swifteats',
    status: 'available',
    type: 'manual',
    createdAt: new Date(createdAt),
    percentProgress: 100,
    encrypted: true,
    kmsKeyId: null,
    tags: { 'dr:managed': 'true', ...tags },
    originalCreatedAt: new Date(createdAt),
    ...overrides,
  };
}

/** A copy in the DR region of a primary snapshot: its own createdAt is the copy's start. */
function copy(source: Snapshot, copiedAt: string, tags: Record<string, string> = {}, overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    ...source,
    arn: `${DR_ARN}${source.id}`,
    createdAt: new Date(copiedAt),
    tags: { 'dr:managed': 'true', 'dr:copy-of': source.arn, ...tags },
    originalCreatedAt: source.createdAt,
    ...overrides,
  };
}

const MON = snapshot('swifteats-daily-202611180200', '2026-11-18T02:00:00Z', { 'dr:verified': 'passed' });
const TUE = snapshot('swifteats-daily-202611190200', '2026-11-19T02:00:00Z', { 'dr:verified': 'passed' });
const WED = snapshot('swifteats-daily-202611200200', '2026-11-20T02:00:00Z');

function observations(overrides: Partial<RpoObservations> = {}): RpoObservations {
  return {
    now: NOW,
    database: { kind: 'found', state: state() },
    primarySnapshots: [MON, TUE, WED],
    offsiteSnapshots: [copy(MON, '2026-11-18T02:10:00Z', { 'dr:verified': 'passed' }), copy(TUE, '2026-11-19T02:10:00Z', { 'dr:verified': 'passed' }), copy(WED, '2026-11-20T02:10:00Z')],
    replicatedBackupLatest: new Date('2026-11-20T09:50:00.000Z'),
    replicaHeartbeat: null,
    ...overrides,
  };
}

describe('measureRecoveryPoints', () => {
  it('measures every age and each mode from its own recovery path', () => {
    // Act
    const m = measureRecoveryPoints(observations(), OBJECTIVES, DEFAULT_PATHS);

    // Assess: Wednesday's snapshot is 8 h old, Tuesday's (the newest verified) 32 h.
    expect(m).toEqual({
      at: NOW,
      pitrLagSeconds: 300,
      latestSnapshotAgeSeconds: 28_800,
      latestVerifiedSnapshotAgeSeconds: 115_200,
      latestOffsiteCopyAgeSeconds: 28_800,
      rpo: {
        az: { seconds: 0, basis: 'multi-az-standby', detail: 'standby in sync (status available)' },
        corruption: { seconds: 300, basis: 'pitr-lag', detail: 'LatestRestorableTime 2026-11-20T09:55:00.000Z' },
        region: { seconds: 600, basis: 'replicated-backups', detail: 'replicated backups restorable to 2026-11-20T09:50:00.000Z' },
        snapshotLoss: { seconds: 115_200, basis: 'verified-offsite-copy', detail: 'copy swifteats-daily-202611190200 of 2026-11-19T02:00:00.000Z' },
      },
    });
  });

  it('publishes the four ages, then per mode its RPO and both targets, with the FailureMode dimension value', () => {
    // Act
    const points = rpoDatapoints(measureRecoveryPoints(observations(), OBJECTIVES, DEFAULT_PATHS), OBJECTIVES);

    // Assess
    expect(points).toEqual([
      { name: 'PitrLagSeconds', value: 300, failureMode: null },
      { name: 'LatestSnapshotAgeSeconds', value: 28_800, failureMode: null },
      { name: 'LatestVerifiedSnapshotAgeSeconds', value: 115_200, failureMode: null },
      { name: 'LatestOffsiteCopyAgeSeconds', value: 28_800, failureMode: null },
      { name: 'RpoSeconds', value: 0, failureMode: 'az' },
      { name: 'RpoTargetSeconds', value: 0, failureMode: 'az' },
      { name: 'RtoTargetSeconds', value: 300, failureMode: 'az' },
      { name: 'RpoSeconds', value: 600, failureMode: 'region' },
      { name: 'RpoTargetSeconds', value: 900, failureMode: 'region' },
      { name: 'RtoTargetSeconds', value: 3600, failureMode: 'region' },
      { name: 'RpoSeconds', value: 300, failureMode: 'corruption' },
      { name: 'RpoTargetSeconds', value: 600, failureMode: 'corruption' },
      { name: 'RtoTargetSeconds', value: 7200, failureMode: 'corruption' },
      { name: 'RpoSeconds', value: 115_200, failureMode: 'snapshot-loss' },
      { name: 'RpoTargetSeconds', value: 108_000, failureMode: 'snapshot-loss' },
      { name: 'RtoTargetSeconds', value: 14_400, failureMode: 'snapshot-loss' },
    ]);
  });

  it('publishes nothing for a mode whose objective is null (knowingly unprotected)', () => {
    // Prepare: a Multi-AZ DB cluster without DR region.
    const objectives: RecoveryObjectives = { ...OBJECTIVES, region: null, snapshotLoss: null };
    const none: OffsitePaths = { readReplica: false, backupReplication: false, snapshotCopy: false };

    // Act
    const m = measureRecoveryPoints(observations({ offsiteSnapshots: null, replicatedBackupLatest: null }), objectives, none);
    const points = rpoDatapoints(m, objectives);

    // Assess
    expect(Object.keys(m.rpo)).toEqual(['az', 'corruption']);
    expect(m.latestOffsiteCopyAgeSeconds).toBeNull();
    expect(points.filter((p) => p.failureMode !== null).map((p) => `${p.name}/${p.failureMode}`)).toEqual([
      'RpoSeconds/az',
      'RpoTargetSeconds/az',
      'RtoTargetSeconds/az',
      'RpoSeconds/corruption',
      'RpoTargetSeconds/corruption',
      'RtoTargetSeconds/corruption',
    ]);
  });

  it.each([
    ['without a Multi-AZ standby', state({ multiAz: false }), 'no Multi-AZ standby; LatestRestorableTime 2026-11-20T09:55:00.000Z'],
    ['while the instance is modifying', state({ status: 'modifying' }), 'status modifying does not keep the standby in sync; LatestRestorableTime 2026-11-20T09:55:00.000Z'],
    ['while the instance is being deleted', state({ status: 'deleting' }), 'status deleting does not keep the standby in sync; LatestRestorableTime 2026-11-20T09:55:00.000Z'],
    ['when the adapter cannot tell', state({ multiAz: undefined }), 'no Multi-AZ standby; LatestRestorableTime 2026-11-20T09:55:00.000Z'],
  ])('measures the az RPO as the PITR lag %s: a restore is then the only way back', (_, db, detail) => {
    // Act
    const m = measureRecoveryPoints(observations({ database: { kind: 'found', state: db } }), OBJECTIVES, DEFAULT_PATHS);

    // Assess
    expect(m.rpo.az).toEqual({ seconds: 300, basis: 'pitr-lag', detail });
  });

  it('leaves az and corruption unmeasured (and publishes no PITR lag) without a LatestRestorableTime, a database or a read', () => {
    // Act
    const noLrt = measureRecoveryPoints(observations({ database: { kind: 'found', state: state({ latestRestorableTime: null, multiAz: false }) } }), OBJECTIVES, DEFAULT_PATHS);
    const gone = measureRecoveryPoints(observations({ database: { kind: 'not-found' } }), OBJECTIVES, DEFAULT_PATHS);
    const unread = measureRecoveryPoints(observations({ database: { kind: 'unread' } }), OBJECTIVES, DEFAULT_PATHS);

    // Assess
    expect([noLrt.rpo.az, noLrt.rpo.corruption]).toEqual([
      { seconds: null, basis: 'unmeasured', detail: 'no Multi-AZ standby; RDS reports no LatestRestorableTime (status available)' },
      { seconds: null, basis: 'unmeasured', detail: 'RDS reports no LatestRestorableTime (status available)' },
    ]);
    expect([gone.rpo.az, gone.rpo.corruption]).toEqual([
      { seconds: null, basis: 'unmeasured', detail: 'no standby observed; the database does not exist' },
      { seconds: null, basis: 'unmeasured', detail: 'the database does not exist' },
    ]);
    expect(unread.rpo.corruption).toEqual({ seconds: null, basis: 'unmeasured', detail: 'the database could not be described' });
    expect(rpoDatapoints(gone, OBJECTIVES).map((p) => p.name)).not.toContain('PitrLagSeconds');
    expect(rpoDatapoints(gone, OBJECTIVES).filter((p) => p.name === 'RpoSeconds').map((p) => p.failureMode)).toEqual(['region', 'snapshot-loss']);
    // The snapshots survive the database: their ages are still measured.
    expect(gone.latestSnapshotAgeSeconds).toBe(28_800);
  });

  it('never reports a negative age when RDS is ahead of the monitor clock', () => {
    const m = measureRecoveryPoints(observations({ database: { kind: 'found', state: state({ latestRestorableTime: new Date('2026-11-20T10:00:02Z') }) } }), OBJECTIVES, DEFAULT_PATHS);
    expect(m.pitrLagSeconds).toBe(0);
  });

  it('counts only available, manual, managed snapshots', () => {
    // Prepare: newer snapshots that must not count.
    const primary = [
      MON,
      snapshot('swifteats-daily-202611200200', '2026-11-20T02:00:00Z', {}, { status: 'creating' }),
      snapshot('by-hand', '2026-11-20T03:00:00Z', {}, { tags: {} }),
      snapshot('rds:swifteats-2026-11-20-01-10', '2026-11-20T01:10:00Z', {}, { type: 'automated' }),
      snapshot('swifteats-daily-202611200300', '2026-11-20T03:00:00Z', { 'dr:verified': 'passed' }, { createdAt: null }),
    ];

    // Act
    const m = measureRecoveryPoints(observations({ primarySnapshots: primary, offsiteSnapshots: [] }), OBJECTIVES, DEFAULT_PATHS);

    // Assess: Monday's, 56 h old, is the newest that counts.
    expect([m.latestSnapshotAgeSeconds, m.latestVerifiedSnapshotAgeSeconds, m.latestOffsiteCopyAgeSeconds]).toEqual([201_600, 201_600, null]);
  });
});

describe('measureRecoveryPoints: region', () => {
  const heartbeat = { ageSeconds: 0.8, at: new Date('2026-11-20T09:58:00Z') };

  it('uses the replica heartbeat while the probe measured it within 5 minutes', () => {
    const m = measureRecoveryPoints(observations({ replicaHeartbeat: heartbeat }), OBJECTIVES, ALL_PATHS);
    expect(m.rpo.region).toEqual({ seconds: 0.8, basis: 'replica-heartbeat', detail: 'replica heartbeat measured at 2026-11-20T09:58:00.000Z' });
  });

  it('falls back to the replicated backups, then to the newest offsite copy, naming what it tried', () => {
    // Prepare: the newest heartbeat measurement is 5 min 1 s old.
    const stale = { ageSeconds: 0.8, at: new Date('2026-11-20T09:54:59Z') };

    // Act
    const backups = measureRecoveryPoints(observations({ replicaHeartbeat: stale }), OBJECTIVES, ALL_PATHS);
    const copies = measureRecoveryPoints(observations({ replicaHeartbeat: stale, replicatedBackupLatest: null }), OBJECTIVES, ALL_PATHS);
    const nothing = measureRecoveryPoints(observations({ replicaHeartbeat: stale, replicatedBackupLatest: null, offsiteSnapshots: [] }), OBJECTIVES, ALL_PATHS);

    // Assess
    expect(backups.rpo.region).toMatchObject({ seconds: 600, basis: 'replicated-backups' });
    expect(copies.rpo.region).toEqual({ seconds: 28_800, basis: 'offsite-copy', detail: 'copy swifteats-daily-202611200200' });
    expect(nothing.rpo.region).toEqual({
      seconds: null,
      basis: 'unmeasured',
      detail: 'no replica heartbeat measured in the last 300 s; no replicated automated backups; no offsite copy',
    });
  });

  it('ignores a replica heartbeat when the deployment has no replica', () => {
    const m = measureRecoveryPoints(observations({ replicaHeartbeat: heartbeat }), OBJECTIVES, DEFAULT_PATHS);
    expect(m.rpo.region?.basis).toBe('replicated-backups');
  });
});

describe('measureRecoveryPoints: offsite copies', () => {
  it('ages a copy from when its data was captured, not from when it was copied', () => {
    // Prepare: Wednesday's copy started 8 h after its snapshot; the original time comes three ways.
    const late = copy(WED, '2026-11-20T10:00:00Z');
    const noOriginal = { ...late, originalCreatedAt: null };
    const orphan = { ...noOriginal, tags: { 'dr:managed': 'true' }, id: 'renamed-copy' };

    // Act
    const age = (c: Snapshot): number | null => measureRecoveryPoints(observations({ offsiteSnapshots: [c] }), OBJECTIVES, DEFAULT_PATHS).latestOffsiteCopyAgeSeconds;

    // Assess: OriginalSnapshotCreateTime, else the source by dr:copy-of, else the copy's own start.
    expect([age(late), age(noOriginal), age(orphan)]).toEqual([28_800, 28_800, 0]);
  });

  it('ages snapshots and copies from SnapshotDatabaseTime when RDS reports an earlier one', () => {
    // Prepare: the newest transaction in Wednesday's snapshot (and its copy) is 30 s before the snapshot started.
    const wed = { ...WED, databaseTime: new Date('2026-11-20T01:59:30Z') };
    const offsite = [copy(wed, '2026-11-20T10:00:00Z', {}, { databaseTime: wed.databaseTime })];

    // Act
    const m = measureRecoveryPoints(observations({ primarySnapshots: [MON, TUE, wed], offsiteSnapshots: offsite }), OBJECTIVES, DEFAULT_PATHS);

    // Assess: 30 s older than the snapshot times say.
    expect(m.latestSnapshotAgeSeconds).toBe(28_830);
    expect(m.latestOffsiteCopyAgeSeconds).toBe(28_830);
  });

  it('takes the copy verdict first and the source verdict when the copy has none', () => {
    // Prepare: Tuesday's copy failed its own restore test; Monday's copy has no verdict but its source passed.
    const offsite = [copy(MON, '2026-11-18T02:10:00Z'), copy(TUE, '2026-11-19T02:10:00Z', { 'dr:verified': 'failed' }), copy(WED, '2026-11-20T02:10:00Z')];

    // Act
    const m = measureRecoveryPoints(observations({ offsiteSnapshots: offsite }), OBJECTIVES, DEFAULT_PATHS);

    // Assess: Monday's copy, 56 h old, is the newest verified one.
    expect(m.rpo.snapshotLoss).toEqual({ seconds: 201_600, basis: 'verified-offsite-copy', detail: 'copy swifteats-daily-202611180200 of 2026-11-18T02:00:00.000Z' });
  });

  it('reports an offsite copy older than the local snapshot as it is', () => {
    // Prepare: Wednesday's copy is still copying; Tuesday's is the newest available offsite.
    const offsite = [copy(TUE, '2026-11-19T02:10:00Z', { 'dr:verified': 'passed' }), copy(WED, '2026-11-20T02:10:00Z', {}, { status: 'copying' })];

    // Act
    const m = measureRecoveryPoints(observations({ offsiteSnapshots: offsite, replicatedBackupLatest: null }), OBJECTIVES, DEFAULT_PATHS);

    // Assess
    expect([m.latestSnapshotAgeSeconds, m.latestOffsiteCopyAgeSeconds, m.rpo.region?.seconds, m.rpo.snapshotLoss?.seconds]).toEqual([28_800, 115_200, 115_200, 115_200]);
  });

  it('leaves snapshot loss unmeasured without a verified copy', () => {
    const m = measureRecoveryPoints(observations({ offsiteSnapshots: [copy(WED, '2026-11-20T02:10:00Z')] }), OBJECTIVES, DEFAULT_PATHS);
    expect(m.rpo.snapshotLoss).toEqual({ seconds: null, basis: 'unmeasured', detail: 'no verified offsite copy' });
  });
});

describe('monitor settings', () => {
  it('accepts the configuration objectives and names every bad field', () => {
    expect(objectivesProblems(OBJECTIVES)).toEqual([]);
    expect(objectivesProblems({ ...OBJECTIVES, region: null })).toEqual([]);
    expect(objectivesProblems({ az: { rpoSeconds: -1, rtoSeconds: 0 }, region: 'x', corruption: { rpoSeconds: 1.5, rtoSeconds: 60 }, typo: null })).toEqual([
      'typo: unknown failure mode; allowed: az, region, corruption, snapshotLoss',
      'az.rpoSeconds: -1 is not an integer >= 0',
      'az.rtoSeconds: 0 is not an integer >= 1',
      'region: must be null or { rpoSeconds, rtoSeconds }',
      'corruption.rpoSeconds: 1.5 is not an integer >= 0',
      'snapshotLoss: must be null or { rpoSeconds, rtoSeconds }',
    ]);
    expect(objectivesProblems([])).toEqual(['must be a JSON object with keys az, region, corruption, snapshotLoss']);
  });

  it('reads the offsite paths list', () => {
    expect(parseOffsitePaths('none')).toEqual({ readReplica: false, backupReplication: false, snapshotCopy: false });
    expect(parseOffsitePaths('snapshot-copy,read-replica')).toEqual({ readReplica: true, backupReplication: false, snapshotCopy: true });
    expect(parseOffsitePaths('snapshot-copies')).toBe('"snapshot-copies" is not "none" or a comma-separated list of read-replica, backup-replication, snapshot-copy');
    expect(parseOffsitePaths('')).toBe('"" is not "none" or a comma-separated list of read-replica, backup-replication, snapshot-copy');
  });
});

describe('verifiedCopyAgeFloorSeconds', () => {
  const schedule = (expression: string): Schedule => {
    const parsed = parseSchedule(expression);
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    return parsed.schedule;
  };

  it.each([
    // Daily backup at 02:00, restore test at 06:00: just before 06:00 the newest verified backup is yesterday's.
    ['cron(0 2 * * ? *)', 'cron(0 6 * * ? *)', 28 * 3600],
    // A test in the same minute as the backup cannot prove it: it proves the previous day's.
    ['cron(0 2 * * ? *)', 'cron(0 2 * * ? *)', 48 * 3600],
    // Restore tests only on Sundays at 06:00 prove Sunday's backup; the age peaks just before the next Sunday test.
    ['cron(0 2 * * ? *)', 'cron(0 6 ? * SUN *)', 7 * 86_400 + 4 * 3600],
    // Tests every 6 hours: the newest backup is proved by the first test after it.
    ['cron(0 2 * * ? *)', 'cron(0 0/6 * * ? *)', 24 * 3600 + 4 * 3600],
    // With a rate, the phase is unknown until deployment: both gaps add up.
    ['rate(12 hours)', 'cron(0 6 * * ? *)', 12 * 3600 + 24 * 3600],
  ])('backup %s, restore test %s: %i s', (backup, test, floor) => {
    expect(verifiedCopyAgeFloorSeconds(schedule(backup), schedule(test))).toBe(floor);
  });

  it('is Infinity when restore tests never run after a backup', () => {
    expect(verifiedCopyAgeFloorSeconds(schedule('cron(0 2 * * ? 2026)'), schedule('cron(0 6 * * ? 2025)'))).toBe(Infinity);
  });
});
