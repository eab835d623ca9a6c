import { RDSClient } from '@aws-sdk/client-rds';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RestoreDeps } from '../../functions/handlers/restore/index.ts';
import { setHandlerEnv } from '../support/handler-env.ts';
import { MemoryArchive } from '../support/memory-archive.ts';
import { RdsFake, VirtualClock } from '../support/rds-fake.ts';
import { CENTRAL, WEST, instancePlanes } from '../support/rds-planes.ts';

const MANAGED = [
  { Key: 'dr:managed', Value: 'true' },
  { Key: 'dr:database', Value: 'swifteats' },
];

setHandlerEnv();
let core: typeof import('../../functions/handlers/restore/index.ts').core;
beforeAll(async () => {
  ({ core } = await import('../../functions/handlers/restore/index.ts'));
});

let clock: VirtualClock;
let rds: RdsFake;
let stub: AwsClientStub<RDSClient>;
let archive: MemoryArchive;
let deps: RestoreDeps;

beforeEach(() => {
  clock = new VirtualClock('2026-11-29T06:00:00Z');
  rds = new RdsFake({ clock });
  stub = rds.install();
  rds.addInstance({ id: 'swifteats', region: WEST, BackupRetentionPeriod: 14, InstanceCreateTime: new Date('2026-01-01T00:00:00Z'), DeletionProtection: true });
  rds.addSnapshot({ id: 'swifteats-daily-202611270200', region: WEST, instanceId: 'swifteats', SnapshotCreateTime: new Date('2026-11-27T02:00:00Z'), tags: [...MANAGED, { Key: 'dr:verified', Value: 'passed' }] });
  rds.addSnapshot({ id: 'swifteats-daily-202611280200', region: WEST, instanceId: 'swifteats', SnapshotCreateTime: new Date('2026-11-28T02:00:00Z'), tags: MANAGED });
  rds.addSnapshot({ id: 'swifteats-weekly-202611290200', region: WEST, instanceId: 'swifteats', SnapshotCreateTime: new Date('2026-11-29T02:00:00Z'), tags: MANAGED });
  rds.addSnapshot({ id: 'swifteats-weekly-202611290200', region: CENTRAL, instanceId: 'swifteats', SnapshotCreateTime: new Date('2026-11-29T02:20:00Z'), tags: MANAGED });
  rds.addSnapshot({ id: 'before-migration', region: WEST, instanceId: 'swifteats', SnapshotCreateTime: new Date('2026-11-29T05:00:00Z') });
  archive = new MemoryArchive();
  deps = {
    ...instancePlanes(),
    archive,
    now: () => clock.now(),
  };
});

afterEach(() => {
  stub.restore();
});

function tags(region: string, kind: 'snapshot' | 'instance', id: string): Record<string, string | undefined> {
  const list = kind === 'snapshot' ? rds.snapshot(region, id)?.TagList : rds.instance(region, id)?.TagList;
  return Object.fromEntries((list ?? []).map((t) => [t.Key, t.Value]));
}

describe('restore λ: select', () => {
  it('picks the newest managed snapshot not yet verified, ignoring unmanaged ones', async () => {
    expect(await core({ action: 'select' }, deps)).toEqual({
      found: true,
      snapshotId: 'swifteats-weekly-202611290200',
      snapshotArn: rds.snapshotArn(WEST, 'swifteats-weekly-202611290200'),
      createdAt: '2026-11-29T02:00:00.000Z',
      // RDS's SnapshotDatabaseTime; the fake does not report it yet.
      databaseTime: '2026-11-29T02:00:00.000Z',
    });
  });

  it('takes the snapshot asked for, and names an unknown one', async () => {
    expect(await core({ action: 'select', snapshotId: 'swifteats-daily-202611270200' }, deps)).toMatchObject({ found: true, snapshotId: 'swifteats-daily-202611270200' });
    await expect(core({ action: 'select', snapshotId: 'swifteats-daily-202001010200' }, deps)).rejects.toMatchObject({
      name: 'SnapshotNotFoundError',
      message: 'snapshot swifteats-daily-202001010200 is not a managed snapshot of this database',
    });
    await expect(core({ action: 'select', snapshotId: 'before-migration' }, deps)).rejects.toMatchObject({ name: 'SnapshotNotFoundError' });
  });

  it('reports nothing to prove when every managed snapshot is verified', async () => {
    for (const id of ['swifteats-daily-202611280200', 'swifteats-weekly-202611290200']) await deps.primary.addTags(rds.snapshotArn(WEST, id), { 'dr:verified': 'passed' });
    expect(await core({ action: 'select' }, deps)).toEqual({ found: false });
  });
});

describe('restore λ: restore and check', () => {
  it('restores into an isolated temporary instance with fresh credentials and an expiry, once', async () => {
    // Act
    const first = await core({ action: 'restore', snapshotId: 'swifteats-weekly-202611290200' }, deps);
    const again = await core({ action: 'restore', snapshotId: 'swifteats-weekly-202611290200' }, deps);
    // Assess
    expect(first).toEqual({ identifier: 'swifteats-vfy-w202611290200', status: 'creating' });
    expect(again).toEqual(first);
    expect(rds.callCount('RestoreDBInstanceFromDBSnapshot')).toBe(1);
    const [call] = rds.calls({ command: 'RestoreDBInstanceFromDBSnapshot' });
    expect(call?.input).toMatchObject({
      DBInstanceIdentifier: 'swifteats-vfy-w202611290200',
      DBSnapshotIdentifier: 'swifteats-weekly-202611290200',
      VpcSecurityGroupIds: ['sg-0verify000000000'],
      DBSubnetGroupName: 'swifteats-database',
      PubliclyAccessible: false,
      MultiAZ: false,
      DeletionProtection: false,
      BackupRetentionPeriod: 0,
    });
    // "Applies to RDS for Oracle only": the secret is requested with ModifyDBInstance once the instance is available.
    expect(call?.input).not.toHaveProperty('ManageMasterUserPassword');
    expect(rds.instance(WEST, 'swifteats-vfy-w202611290200')?.BackupRetentionPeriod).toBe(0);
    expect(tags(WEST, 'instance', 'swifteats-vfy-w202611290200')).toEqual({
      'dr:temporary': 'true',
      'dr:expires-at': '2026-11-29T12:00:00.000Z',
      'dr:source-snapshot': 'swifteats-weekly-202611290200',
      'dr:database': 'swifteats',
    });
  });

  it('polls until the instance is available with its own secret, measuring the restore duration', async () => {
    await core({ action: 'restore', snapshotId: 'swifteats-weekly-202611290200' }, deps);
    expect(await core({ action: 'check', identifier: 'swifteats-vfy-w202611290200', attempt: 0, maxAttempts: 60 }, deps)).toMatchObject({ ready: false, status: 'creating', attempt: 1 });
    clock.advance(900_000);
    // Available, but still with the source's password: the check turns on ManageMasterUserPassword and waits.
    expect(await core({ action: 'check', identifier: 'swifteats-vfy-w202611290200', attempt: 1, maxAttempts: 60 }, deps)).toMatchObject({ ready: false, status: 'modifying', attempt: 2 });
    expect(rds.calls({ command: 'ModifyDBInstance' }).map((c) => c.input)).toEqual([
      { DBInstanceIdentifier: 'swifteats-vfy-w202611290200', ManageMasterUserPassword: true, MasterUserSecretKmsKeyId: expect.any(String), ApplyImmediately: true },
    ]);
    clock.advance(rds.durations.manageSecretMs);
    const ready = (await core({ action: 'check', identifier: 'swifteats-vfy-w202611290200', attempt: 2, maxAttempts: 60 }, deps)) as Record<string, unknown>;
    expect(ready).toMatchObject({ ready: true, status: 'available', elapsedSeconds: 1080, attempt: 3 });
    expect(rds.instance(WEST, 'swifteats-vfy-w202611290200')?.MasterUserSecret?.SecretStatus).toBe('active');
    expect(ready.secretArn).toMatch(/^arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-swifteats-vfy-w202611290200/);
    expect(ready.endpoint).toEqual(expect.any(String));
  });

  it('times out with WaitTimeoutError on its last poll', async () => {
    await core({ action: 'restore', snapshotId: 'swifteats-weekly-202611290200' }, deps);
    await expect(core({ action: 'check', identifier: 'swifteats-vfy-w202611290200', attempt: 59, maxAttempts: 60 }, deps)).rejects.toMatchObject({
      name: 'WaitTimeoutError',
      message: 'swifteats-vfy-w202611290200 still creating after 60 polls',
    });
  });

  it('refuses to use an identifier held by a database that is not this temporary restore', async () => {
    rds.addInstance({ id: 'swifteats-vfy-w202611290200', region: WEST });
    await expect(core({ action: 'restore', snapshotId: 'swifteats-weekly-202611290200' }, deps)).rejects.toMatchObject({ name: 'DatabaseAlreadyExistsError' });
    expect(rds.callCount('RestoreDBInstanceFromDBSnapshot')).toBe(0);
  });

  it('names an unknown snapshot and creates nothing', async () => {
    await expect(core({ action: 'restore', snapshotId: 'swifteats-daily-202001010200' }, deps)).rejects.toMatchObject({ name: 'SnapshotNotFoundError' });
    expect(rds.instances(WEST).map((i) => i.DBInstanceIdentifier)).toEqual(['swifteats']);
  });
});

describe('restore λ: delete and sweep', () => {
  it('deletes its temporary instance without a final snapshot, idempotently', async () => {
    await core({ action: 'restore', snapshotId: 'swifteats-weekly-202611290200' }, deps);
    clock.advance(900_000);
    expect(await core({ action: 'delete', identifier: 'swifteats-vfy-w202611290200' }, deps)).toEqual({ identifier: 'swifteats-vfy-w202611290200', outcome: 'deleted' });
    expect(await core({ action: 'delete', identifier: 'swifteats-vfy-w202611290200' }, deps)).toEqual({ identifier: 'swifteats-vfy-w202611290200', outcome: 'already-deleting' });
    clock.advance(600_000);
    expect(await core({ action: 'delete', identifier: 'swifteats-vfy-w202611290200' }, deps)).toEqual({ identifier: 'swifteats-vfy-w202611290200', outcome: 'not-found' });
    expect(rds.calls({ command: 'DeleteDBInstance' }).map((c) => c.input)).toEqual([{ DBInstanceIdentifier: 'swifteats-vfy-w202611290200', SkipFinalSnapshot: true, DeleteAutomatedBackups: true }]);
  });

  it('refuses to delete anything that is not a temporary restore of this database', async () => {
    await expect(core({ action: 'delete', identifier: 'swifteats' }, deps)).rejects.toMatchObject({
      name: 'UnsafeDeleteError',
      message: 'swifteats is not a temporary restore of swifteats (tags dr:temporary=absent, dr:database=absent): not deleted',
    });
    rds.addInstance({ id: 'swifteats-vfy-x', region: WEST, tags: [{ Key: 'dr:temporary', Value: 'true' }, { Key: 'dr:database', Value: 'other' }] });
    await expect(core({ action: 'delete', identifier: 'swifteats-vfy-x' }, deps)).rejects.toMatchObject({ name: 'UnsafeDeleteError' });
    expect(rds.callCount('DeleteDBInstance')).toBe(0);
  });

  it('sweeps temporary instances past their expiry, keeps the rest, and counts unreadable expiries as leaked', async () => {
    const temp = (id: string, expires: string, database = 'swifteats') =>
      rds.addInstance({ id, region: WEST, tags: [{ Key: 'dr:temporary', Value: 'true' }, { Key: 'dr:database', Value: database }, { Key: 'dr:expires-at', Value: expires }] });
    temp('swifteats-vfy-d202611250200', '2026-11-25T12:00:00.000Z');
    temp('swifteats-vfy-d202611290200', '2026-11-29T12:00:00.000Z');
    temp('swifteats-vfy-d202611260200', 'soon');
    temp('other-vfy-d202611250200', '2026-11-25T12:00:00.000Z', 'other');
    expect(await core({ action: 'sweep' }, deps)).toEqual({ leaked: 2, deleted: ['swifteats-vfy-d202611250200'], unreadable: ['swifteats-vfy-d202611260200'] });
    expect(rds.calls({ command: 'DeleteDBInstance' }).map((c) => c.input.DBInstanceIdentifier)).toEqual(['swifteats-vfy-d202611250200']);
  });
});

describe('restore λ: sweeper records', () => {
  const temp = (id: string, expires: string) =>
    rds.addInstance({ id, region: WEST, tags: [{ Key: 'dr:temporary', Value: 'true' }, { Key: 'dr:database', Value: 'swifteats' }, { Key: 'dr:expires-at', Value: expires }, { Key: 'dr:source-snapshot', Value: 'swifteats-daily-202611250200' }] });

  it('records each sweeper deletion before it, then the sweep', async () => {
    temp('swifteats-vfy-d202611250200', '2026-11-25T12:00:00.000Z');
    temp('swifteats-vfy-d202611290200', '2026-11-29T12:00:00.000Z');
    await core({ action: 'sweep' }, deps);
    const records = archive.json('audit/swifteats/') as { action: string; resource: string; result: string; executionArn: string; details: Record<string, unknown>; documents: unknown[] }[];
    expect(records.map((r) => [r.action, r.resource, r.result, r.executionArn])).toEqual([
      ['sweep.delete', 'swifteats-vfy-d202611250200', 'intent', 'schedule'],
      ['sweep.run', 'swifteats', 'succeeded', 'schedule'],
    ]);
    expect(records[0]?.details).toMatchObject({ expiresAt: '2026-11-25T12:00:00.000Z', sourceSnapshot: 'swifteats-daily-202611250200' });
    expect(records[1]?.details).toEqual({ deleted: ['swifteats-vfy-d202611250200'], unreadable: [], leaked: 1 });
    expect(records[1]?.documents).toHaveLength(1);
  });

  it('deletes nothing it could not record first', async () => {
    temp('swifteats-vfy-d202611250200', '2026-11-25T12:00:00.000Z');
    archive.failPuts = 1;
    await expect(core({ action: 'sweep' }, deps)).rejects.toMatchObject({ name: 'ArchiveWriteError' });
    expect(rds.callCount('DeleteDBInstance')).toBe(0);
  });
});

describe('restore λ: verdict', () => {
  it('records the verdict first (naming the report and the tags to come), then tags the snapshot and its offsite copy', async () => {
    const verdict = await core(
      {
        action: 'verdict',
        snapshotId: 'swifteats-weekly-202611290200',
        passed: true,
        restoreSeconds: 900,
        dataAgeSeconds: 60,
        report: { key: 'reports/swifteats/swifteats-weekly-202611290200.json', sha256: 'a'.repeat(64), versionId: 'v1' },
        executionArn: 'arn:exec:verify',
      },
      deps,
    );
    // The record reads nothing from RDS and tags nothing.
    expect(verdict).toMatchObject({ snapshotId: 'swifteats-weekly-202611290200', passed: true, tags: { 'dr:verified': 'passed', 'dr:verified-at': '2026-11-29T06:00:00.000Z' } });
    expect(rds.callCount('AddTagsToResource')).toBe(0);
    expect(archive.json('audit/swifteats/')).toEqual([
      expect.objectContaining({
        action: 'verify.verdict',
        resource: 'swifteats-weekly-202611290200',
        result: 'succeeded',
        documents: [{ key: 'reports/swifteats/swifteats-weekly-202611290200.json', sha256: 'a'.repeat(64), versionId: 'v1' }],
      }),
    ]);
    const result = await core({ action: 'tag', snapshotId: 'swifteats-weekly-202611290200', passed: true, executionArn: 'arn:exec:verify' }, deps);
    expect(result).toMatchObject({ snapshotId: 'swifteats-weekly-202611290200', passed: true, tagged: [rds.snapshotArn(WEST, 'swifteats-weekly-202611290200'), rds.snapshotArn(CENTRAL, 'swifteats-weekly-202611290200')] });
    for (const region of [WEST, CENTRAL]) {
      expect(tags(region, 'snapshot', 'swifteats-weekly-202611290200')).toMatchObject({ 'dr:verified': 'passed', 'dr:verified-at': '2026-11-29T06:00:00.000Z' });
    }
  });

  it('records an inconclusive verdict of a snapshot that no longer exists', async () => {
    const result = await core({ action: 'verdict', snapshotId: 'swifteats-daily-202001010200', inconclusive: true, reason: 'SnapshotNotFoundError: gone', executionArn: 'arn:exec:verify' }, deps);
    expect(result).toMatchObject({ passed: false, inconclusive: true, tags: null });
    expect(archive.json('audit/swifteats/')).toEqual([expect.objectContaining({ action: 'verify.verdict', resource: 'swifteats-daily-202001010200', result: 'failed' })]);
  });

  it('requires the verdict, naming the field', async () => {
    await expect(core({ action: 'verdict', snapshotId: 'swifteats-weekly-202611290200' }, deps)).rejects.toMatchObject({ name: 'ValidationError', problems: ['passed: required, true or false'] });
    expect(rds.callCount('AddTagsToResource')).toBe(0);
  });
});

describe('restore λ: point-in-time restore', () => {
  it('restores to the latest restorable time into a new database placed with the production security group', async () => {
    const result = await core({ action: 'pitr', targetTime: 'latest', name: 'swifteats-pitr-1' }, deps);
    expect(result).toEqual({ identifier: 'swifteats-pitr-1', status: 'creating', targetTime: 'latest', resolvedTargetTime: '2026-11-29T05:55:00.000Z' });
    expect(rds.calls({ command: 'RestoreDBInstanceToPointInTime' })[0]?.input).toMatchObject({
      SourceDBInstanceIdentifier: 'swifteats',
      TargetDBInstanceIdentifier: 'swifteats-pitr-1',
      UseLatestRestorableTime: true,
      VpcSecurityGroupIds: ['sg-0database00000000'],
    });
    expect(rds.calls({ command: 'RestoreDBInstanceToPointInTime' })[0]?.input).not.toHaveProperty('ManageMasterUserPassword');
    expect(tags(WEST, 'instance', 'swifteats-pitr-1')).toEqual({ 'dr:pitr-target': 'latest', 'dr:database': 'swifteats' });
    expect(await core({ action: 'pitr', targetTime: 'latest', name: 'swifteats-pitr-1' }, deps)).toEqual(result);
    expect(rds.callCount('RestoreDBInstanceToPointInTime')).toBe(1);
  });

  it('refuses a time outside the restorable window, naming the window, and creates nothing', async () => {
    await expect(core({ action: 'pitr', targetTime: '2026-11-01T00:00:00Z', name: 'swifteats-pitr-2' }, deps)).rejects.toMatchObject({
      name: 'RestoreWindowError',
      message: '2026-11-01T00:00:00.000Z is outside the restorable window of swifteats: 2026-11-15T05:55:00.000Z to 2026-11-29T05:55:00.000Z',
    });
    await expect(core({ action: 'pitr', targetTime: '2026-11-29T05:59:00Z', name: 'swifteats-pitr-2' }, deps)).rejects.toMatchObject({ name: 'RestoreWindowError' });
    expect(rds.instances(WEST).map((i) => i.DBInstanceIdentifier)).toEqual(['swifteats']);
  });

  it('names bad input: a malformed time, a bad name, the source itself', async () => {
    await expect(core({ action: 'pitr', targetTime: 'yesterday', name: 'Bad_Name' }, deps)).rejects.toMatchObject({
      problems: ['targetTime: "yesterday" is not "latest" or an ISO-8601 time with a zone'],
    });
    await expect(core({ action: 'pitr', targetTime: 'latest', name: 'Bad_Name' }, deps)).rejects.toMatchObject({
      problems: ['name: "Bad_Name" is not a DB identifier (1-63 lower-case letters, digits, single hyphens, starting with a letter)'],
    });
    await expect(core({ action: 'pitr', targetTime: 'latest', name: 'swifteats' }, deps)).rejects.toMatchObject({
      problems: ['name: must start with "swifteats-" (a restore never replaces swifteats)'],
    });
    expect(rds.callCount('RestoreDBInstanceToPointInTime')).toBe(0);
  });
});
