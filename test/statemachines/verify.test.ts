import { RDSClient } from '@aws-sdk/client-rds';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import validator from 'asl-validator';
import { openSession, type DbSession } from '../../functions/adapters/pg/connect.ts';
import { PgContentReader } from '../../functions/adapters/pg/content.ts';
import { PgDatabaseInspector } from '../../functions/adapters/pg/inspector.ts';
import { PgVerificationProbe } from '../../functions/adapters/pg/verification-probe.ts';
import { archiveAfterReading, archiveManifest } from '../../functions/domain/verification/manifest-archive.ts';
import { ARCHIVED_READINGS } from '../../functions/contracts/documents/archive.ts';
import type { VerifyDeps } from '../../functions/handlers/verify.ts';
import { SqlConnectionError } from '../../functions/shared/errors.ts';
import { aslText, execute, substitute, substitutionKeys, type Execution, type LocalFunction } from '../support/asl.ts';
import { setHandlerEnv } from '../support/handler-env.ts';
import { MemoryArchive } from '../support/memory-archive.ts';
import { createTempDatabase, type TempDatabase } from '../support/pg.ts';
import { RdsFake, rdsFault, VirtualClock, type RdsFakeDurations } from '../support/rds-fake.ts';
import { CENTRAL, WEST, instancePlanes } from '../support/rds-planes.ts';

const FN = {
  restore: 'arn:aws:lambda:eu-west-1:123456789012:function:swifteats-restore',
  verify: 'arn:aws:lambda:eu-west-1:123456789012:function:swifteats-verify',
};
const SUBSTITUTIONS = { RestoreFunctionArn: FN.restore, VerifyFunctionArn: FN.verify };
const SNAPSHOT = 'swifteats-weekly-202611290200';
const TEMP = 'swifteats-vfy-w202611290200';
const MANAGED = [
  { Key: 'dr:managed', Value: 'true' },
  { Key: 'dr:database', Value: 'swifteats' },
];
const SCHEMA = `
  CREATE TABLE orders (id bigserial PRIMARY KEY, total numeric(10,2) NOT NULL CHECK (total >= 0), placed_at timestamptz NOT NULL);
  CREATE INDEX orders_placed_at_idx ON orders (placed_at);
  INSERT INTO orders (total, placed_at) SELECT g, '2026-11-01T00:00:00Z'::timestamptz + g * interval '1 hour' FROM generate_series(1, 200) g;
  CREATE SCHEMA dr;
  CREATE TABLE dr.heartbeat (id bigserial PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now(), writer text NOT NULL);
`;

setHandlerEnv({ DB_TLS_MODE: 'require' });
let restoreCore: typeof import('../../functions/handlers/restore/index.ts').core;
let verifyCore: typeof import('../../functions/handlers/verify.ts').core;
beforeAll(async () => {
  ({ core: restoreCore } = await import('../../functions/handlers/restore/index.ts'));
  ({ core: verifyCore } = await import('../../functions/handlers/verify.ts'));
});

let clock: VirtualClock;
let rds: RdsFake;
let stub: AwsClientStub<RDSClient>;
let archive: MemoryArchive;
let databases: TempDatabase[];
let restored: TempDatabase;
let connect: VerifyDeps['connect'];

/**
 * A real database standing in for what RDS restored: built, its manifest archived as the
 * backup workflow does, then optionally damaged. The RDS fake plays the control plane;
 * the checks run real SQL, over TLS, against this database.
 */
async function restoredDatabase(heartbeatAt: string, damage = ''): Promise<TempDatabase> {
  const db = await createTempDatabase('verify_sm');
  databases.push(db);
  const admin = await db.connect();
  await admin.query(SCHEMA);
  await admin.query('INSERT INTO dr.heartbeat (written_at, writer) VALUES ($1, $2)', [heartbeatAt, 'probe']);
  // With content tallies and large objects, as the manifest function's default connection takes them.
  const content = new PgContentReader(admin);
  await archiveManifest(new PgDatabaseInspector(admin), archive, { database: 'swifteats', snapshotId: SNAPSHOT, now: () => new Date('2026-11-29T01:59:50Z'), content, parse: ARCHIVED_READINGS });
  // Reading B, as the backup workflow takes it once the snapshot is available (no writes in between).
  const settle = { pollSeconds: 1, maxWaitSeconds: 0, flushSeconds: 1 };
  await archiveAfterReading(new PgDatabaseInspector(admin), archive, { database: 'swifteats', snapshotId: SNAPSHOT, snapshotPoint: new Date(Date.now() - 60_000), settle, sleep: async () => undefined, content, parse: ARCHIVED_READINGS });
  if (damage !== '') await admin.query(damage);
  await admin.end();
  return db;
}

beforeEach(async () => {
  // Production-like times: a sub-second clock, microsecond heartbeats (timestamptz).
  clock = new VirtualClock('2026-11-29T06:00:00.250Z');
  rds = new RdsFake({ clock });
  stub = rds.install();
  seed(rds);
  archive = new MemoryArchive();
  databases = [];
  restored = await restoredDatabase('2026-11-29T01:59:30.123456Z');
  connect = async () => {
    const sessions: DbSession[] = [];
    for (let i = 0; i < 2; i += 1) sessions.push(await openSession({ host: '127.0.0.1', port: 5432, database: restored.name, user: 'postgres', password: '', tls: 'require' }));
    return { probe: new PgVerificationProbe(sessions.map((s) => s.client)), close: async () => void (await Promise.all(sessions.map((s) => s.close()))) };
  };
});

afterEach(async () => {
  stub.restore();
  await Promise.all(databases.map((d) => d.drop()));
});

function seed(fake: RdsFake): void {
  fake.addInstance({ id: 'swifteats', region: WEST, BackupRetentionPeriod: 14, InstanceCreateTime: new Date('2026-01-01T00:00:00Z'), DeletionProtection: true });
  fake.addSnapshot({ id: SNAPSHOT, region: WEST, instanceId: 'swifteats', SnapshotCreateTime: new Date('2026-11-29T02:00:00Z'), tags: MANAGED });
  fake.addSnapshot({ id: SNAPSHOT, region: CENTRAL, instanceId: 'swifteats', SnapshotCreateTime: new Date('2026-11-29T02:20:00Z'), tags: MANAGED });
}

function rebuild(durations: Partial<RdsFakeDurations>): void {
  stub.restore();
  rds = new RdsFake({ clock, durations });
  stub = rds.install();
  seed(rds);
}

function functions(): Record<string, LocalFunction> {
  const now = (): Date => clock.now();
  const deps = {
    ...instancePlanes(),
    archive,
    now,
  };
  return {
    [FN.restore]: (payload) => restoreCore(payload, deps),
    [FN.verify]: (payload) => verifyCore(payload, { connect: (target) => connect(target), archive, now }),
  };
}

function run(name: 'verify' | 'pitr-restore', input: unknown): Promise<Execution> {
  return execute(name, substitute(aslText(name), SUBSTITUTIONS), input, { functions: functions(), clock });
}

function tagsOf(region: string, id: string): Record<string, string | undefined> {
  return Object.fromEntries((rds.snapshot(region, id)?.TagList ?? []).map((t) => [t.Key, t.Value]));
}

/** The temporary database is gone or going: deleted without a final snapshot. */
function expectTemporaryDeleted(): void {
  expect(rds.calls({ command: 'DeleteDBInstance' }).filter((c) => c.outcome === 'ok').map((c) => c.input)).toEqual([{ DBInstanceIdentifier: TEMP, SkipFinalSnapshot: true, DeleteAutomatedBackups: true }]);
}

function verdicts(): { result: string; details: Record<string, unknown>; documents: unknown[] }[] {
  return (archive.json('audit/swifteats/') as { action: string; result: string; details: Record<string, unknown>; documents: unknown[] }[]).filter((r) => r.action === 'verify.verdict');
}

describe('verify.asl.json and pitr-restore.asl.json', () => {
  it('are valid ASL with exactly the substitutions the stack provides', () => {
    for (const name of ['verify', 'pitr-restore']) {
      const result = validator(JSON.parse(aslText(name)));
      expect(result.errorsText()).toBe('');
      expect(substitutionKeys(aslText(name))).toEqual(['RestoreFunctionArn', 'VerifyFunctionArn']);
    }
  });
});

describe('restore test (verify.asl.json)', () => {
  it('proves a faithful backup: every check passes, the snapshot and its copy are tagged, the temporary database is deleted', async () => {
    // Act
    const result = await run('verify', {});
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path.filter((s) => !/^(Wait for|Check restore|Restore available)/.test(s))).toEqual([
      'Select snapshot',
      'Anything to prove?',
      'Restore temporary database',
      'Start polling restore',
      'Run checks',
      'Record verdict',
      'Tag verdict',
      'Delete temporary database',
      'Passed?',
      'Verified',
    ]);
    expectTemporaryDeleted();
    // Restored (15 min), then its own secret via ModifyDBInstance (3 min): the checks never see the production password.
    expect(rds.calls({ command: 'ModifyDBInstance' }).map((c) => [c.input, c.at.toISOString()])).toEqual([
      [{ DBInstanceIdentifier: TEMP, ManageMasterUserPassword: true, MasterUserSecretKmsKeyId: expect.any(String), ApplyImmediately: true }, '2026-11-29T06:15:00.250Z'],
    ]);
    expect(result.invocations.filter((i) => i.state === 'Run checks').map((i) => (i.payload as { secretArn: string }).secretArn)).toEqual([rds.masterSecretArn(WEST, 'db', TEMP)]);
    for (const region of [WEST, CENTRAL]) expect(tagsOf(region, SNAPSHOT)).toMatchObject({ 'dr:verified': 'passed', 'dr:verified-at': '2026-11-29T06:18:00.250Z' });
    const [report] = archive.json(`reports/swifteats/${SNAPSHOT}/`) as { passed: boolean; checks: { id: string; status: string }[] }[];
    expect(report?.checks.map((c) => [c.id, c.status])).toEqual([
      ['tls', 'passed'],
      ['schema-fingerprint', 'passed'],
      ['row-counts', 'passed'],
      ['tables-readable', 'passed'],
      ['btree-indexes', expect.stringMatching(/^(passed|skipped)$/)],
      ['heartbeat', 'passed'],
      ['index-validity', 'passed'],
      ['sequences', 'passed'],
      ['foreign-keys', 'passed'],
      ['check-constraints', 'passed'],
      ['gin-indexes', 'skipped'],
      ['heap-pages', 'passed'],
      ['table-content', 'passed'],
      ['large-objects', 'passed'],
    ]);
    expect(verdicts()).toEqual([expect.objectContaining({ result: 'succeeded', details: expect.objectContaining({ passed: true, restoreSeconds: 1080, dataAgeSeconds: 15_511 }) })]);
  });

  it('catches a backup that lost rows: VerificationFailedError, snapshot tagged failed, temporary database deleted', async () => {
    restored = await restoredDatabase('2026-11-29T01:59:30.123456Z', 'DELETE FROM orders WHERE id > 190');
    const result = await run('verify', { snapshotId: SNAPSHOT });
    expect(result).toMatchObject({ status: 'FAILED', error: 'VerificationFailedError' });
    expect(tagsOf(WEST, SNAPSHOT)['dr:verified']).toBe('failed');
    expect(tagsOf(CENTRAL, SNAPSHOT)['dr:verified']).toBe('failed');
    expectTemporaryDeleted();
    const [report] = archive.json(`reports/swifteats/${SNAPSHOT}/`) as { checks: { id: string; status: string; evidence: string }[] }[];
    expect(report?.checks.find((c) => c.id === 'row-counts')?.status).toBe('failed');
  });

  it('is inconclusive, not verified and not failed, when the backup never took reading B: the snapshot stays untagged', async () => {
    // The backup failed after the snapshot: only reading A is archived.
    archive.documents.delete(`manifests/swifteats/${SNAPSHOT}.after.json`);
    const result = await run('verify', { snapshotId: SNAPSHOT });
    expect(result).toMatchObject({ status: 'FAILED', error: 'VerificationInconclusiveError' });
    expect(result.path.slice(-5)).toEqual(['Record verdict', 'Tag verdict', 'Delete temporary database', 'Passed?', 'Verification inconclusive']);
    expect(tagsOf(WEST, SNAPSHOT)['dr:verified']).toBeUndefined();
    expect(tagsOf(CENTRAL, SNAPSHOT)['dr:verified']).toBeUndefined();
    expectTemporaryDeleted();
    const [report] = archive.json(`reports/swifteats/${SNAPSHOT}/`) as { verdict: string; checks: { id: string; status: string; evidence: string }[] }[];
    expect(report?.verdict).toBe('inconclusive');
    expect(report?.checks.find((c) => c.id === 'row-counts')).toMatchObject({
      status: 'inconclusive',
      evidence: '1 of 1 table could not be judged: reading B was not taken after the snapshot: nothing bounds the writes in between',
    });
    expect(verdicts()).toEqual([expect.objectContaining({ result: 'failed', details: expect.objectContaining({ passed: false, inconclusive: true, tags: null }) })]);
  });

  it('deletes the temporary database and records an inconclusive test when the restore fails', async () => {
    rds.failNext('RestoreDBInstanceFromDBSnapshot', rdsFault('InstanceQuotaExceeded', 'Cannot create more than 40 DB instances.'));
    const result = await run('verify', {});
    expect(result).toMatchObject({ status: 'FAILED', error: 'InstanceQuotaExceededError' });
    expect(result.path.slice(-3)).toEqual(['Delete temporary database after failure', 'Record inconclusive', 'Restore test failed']);
    expect(tagsOf(WEST, SNAPSHOT)['dr:verified']).toBeUndefined();
    expect(verdicts()).toEqual([expect.objectContaining({ result: 'failed', details: expect.objectContaining({ inconclusive: true, tags: null }) })]);
  });

  it('deletes the temporary database when the restore never becomes available (bounded poll)', async () => {
    rebuild({ instanceCreateMs: 10 * 3_600_000 });
    const result = await run('verify', {});
    expect(result).toMatchObject({ status: 'FAILED', error: 'WaitTimeoutError' });
    expect(result.invocations.filter((i) => i.state === 'Check restore')).toHaveLength(180);
    expectTemporaryDeleted();
  });

  it('deletes the temporary database when the checks cannot connect, after retrying', async () => {
    let attempts = 0;
    connect = async () => {
      attempts += 1;
      throw new SqlConnectionError('connect to temp: ECONNREFUSED');
    };
    const result = await run('verify', {});
    expect(result).toMatchObject({ status: 'FAILED', error: 'SqlConnectionError' });
    expect(attempts).toBe(4);
    expectTemporaryDeleted();
    expect(tagsOf(WEST, SNAPSHOT)['dr:verified']).toBeUndefined();
  });

  it('deletes the temporary database when the report cannot be written', async () => {
    const put = archive.put.bind(archive);
    archive.put = async (key, body, type) => {
      if (key.startsWith('reports/')) throw Object.assign(new Error('We encountered an internal error.'), { name: 'InternalError' });
      return put(key, body, type);
    };
    const result = await run('verify', {});
    expect(result).toMatchObject({ status: 'FAILED', error: 'InternalError' });
    expectTemporaryDeleted();
  });

  it('retries a verdict record the archive did not confirm, then tags: the run passes', async () => {
    archive.failPutsMatching = /^audit\/.*-verify\.verdict-/;
    archive.failPuts = 2;
    const result = await run('verify', {});
    expect(result.status).toBe('SUCCEEDED');
    expect(result.invocations.filter((i) => i.state === 'Record verdict')).toHaveLength(3);
    expect(verdicts()).toEqual([expect.objectContaining({ result: 'succeeded', details: expect.objectContaining({ passed: true, tags: { 'dr:verified': 'passed', 'dr:verified-at': '2026-11-29T06:18:00.250Z' } }) })]);
    expect(tagsOf(WEST, SNAPSHOT)['dr:verified']).toBe('passed');
  });

  it('names the temporary database in an intent record before restoring it: no record, no restore', async () => {
    archive.failPutsMatching = /^audit\//;
    archive.failPuts = 1_000;
    const result = await run('verify', {});
    expect(result).toMatchObject({ status: 'FAILED', error: 'ArchiveWriteError' });
    expect(rds.callCount('RestoreDBInstanceFromDBSnapshot')).toBe(0);
    archive.failPuts = 0;
    const again = await run('verify', {});
    expect(again.status).toBe('SUCCEEDED');
    const intents = (archive.json('audit/swifteats/') as { action: string; resource: string; result: string; details: Record<string, unknown> }[]).filter((r) => r.action === 'verify.restore');
    expect(intents).toEqual([expect.objectContaining({ resource: TEMP, result: 'intent', details: expect.objectContaining({ sourceSnapshot: SNAPSHOT }) })]);
  });

  it('never tags a verdict that has no record: the archive down for good leaves the snapshot untagged', async () => {
    archive.failPutsMatching = /^audit\/.*-verify\.verdict-/;
    archive.failPuts = 1_000;
    const result = await run('verify', {});
    expect(result).toMatchObject({ status: 'FAILED', error: 'ArchiveWriteError' });
    expect(result.path).not.toContain('Tag verdict');
    expect(rds.callCount('AddTagsToResource')).toBe(0);
    for (const region of [WEST, CENTRAL]) expect(tagsOf(region, SNAPSHOT)['dr:verified']).toBeUndefined();
    expectTemporaryDeleted();
  });

  it('records an inconclusive test when retention expires the snapshot mid-test', async () => {
    // Prepare: the snapshot is deleted right after the restore test selected it.
    const fns = functions();
    const restore = fns[FN.restore]!;
    fns[FN.restore] = async (payload) => {
      if ((payload as { action: string }).action === 'restore') await instancePlanes().primary.deleteSnapshot(SNAPSHOT);
      return restore(payload);
    };
    // Act
    const result = await execute('verify', substitute(aslText('verify'), SUBSTITUTIONS), {}, { functions: fns, clock });
    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'SnapshotNotFoundError' });
    expect(result.path.slice(-2)).toEqual(['Record inconclusive', 'Restore test failed']);
    expect(verdicts()).toEqual([expect.objectContaining({ result: 'failed', details: expect.objectContaining({ inconclusive: true, tags: null, reason: expect.stringMatching(/^SnapshotNotFoundError: /) }) })]);
  });

  it('names an unknown snapshot and creates nothing', async () => {
    const result = await run('verify', { snapshotId: 'swifteats-daily-202001010200' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'SnapshotNotFoundError' });
    expect(result.path).toEqual(['Select snapshot', 'Not started']);
    expect(rds.callCount('RestoreDBInstanceFromDBSnapshot')).toBe(0);
  });

  it('refuses a malformed input before creating anything', async () => {
    const result = await run('verify', { snapshotId: 42 });
    expect(result).toMatchObject({ status: 'FAILED', error: 'ValidationError', cause: '1 problem(s): request.snapshotId: 42 is not a string matching /^[a-z][a-z0-9-]{0,254}$/' });
    expect(rds.callCount('RestoreDBInstanceFromDBSnapshot')).toBe(0);
  });

  it('ends quietly when every snapshot is verified', async () => {
    await instancePlanes().primary.addTags(rds.snapshotArn(WEST, SNAPSHOT), { 'dr:verified': 'passed' });
    const result = await run('verify', {});
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(['Select snapshot', 'Anything to prove?', 'Nothing to prove']);
  });
});

describe('point-in-time restore (pitr-restore.asl.json)', () => {
  it('restores to the latest restorable time and outputs the endpoint, the new secret and the proven recovered time', async () => {
    // LatestRestorableTime in the fake trails the clock by 5 minutes: 05:55.
    restored = await restoredDatabase('2026-11-29T05:54:30.654321Z');
    const result = await run('pitr-restore', { targetTime: 'latest', name: 'swifteats-pitr-incident-42' });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({
      identifier: 'swifteats-pitr-incident-42',
      requestedTime: 'latest',
      recoveredPointInTime: '2026-11-29T05:54:30.654321Z',
      checksPassed: true,
      failedChecks: [],
      restoreSeconds: 1080,
    });
    expect(rds.calls({ command: 'RestoreDBInstanceToPointInTime' }).map((c) => c.input)).toEqual([expect.not.objectContaining({ ManageMasterUserPassword: expect.anything() })]);
    expect(rds.calls({ command: 'ModifyDBInstance' }).map((c) => c.input.ManageMasterUserPassword)).toEqual([true]);
    expect((result.output as { secretArn: string }).secretArn).toMatch(/secret:rds!db-swifteats-pitr-incident-42/);
    // Nothing switches traffic and nothing deletes the new database.
    expect(rds.callCount('DeleteDBInstance')).toBe(0);
    expect(rds.instance(WEST, 'swifteats-pitr-incident-42')?.DBInstanceStatus).toBe('available');
  });

  it('records the restore: an intent record before the restore call, the outcome naming the report after the checks', async () => {
    restored = await restoredDatabase('2026-11-29T05:54:30.654321Z');
    const put = archive.put.bind(archive);
    const restoresWhenRecorded: number[] = [];
    archive.put = async (key, body, type) => {
      if (key.startsWith('audit/')) restoresWhenRecorded.push(rds.callCount('RestoreDBInstanceToPointInTime'));
      return put(key, body, type);
    };
    const result = await run('pitr-restore', { targetTime: 'latest', name: 'swifteats-pitr-incident-42' });
    expect(result.status).toBe('SUCCEEDED');
    expect(restoresWhenRecorded).toEqual([0, 1]);
    const records = archive.json('audit/swifteats/') as { action: string; resource: string; result: string; details: Record<string, unknown>; documents: { key: string }[] }[];
    expect(records.map((r) => [r.action, r.resource, r.result])).toEqual([
      ['pitr.restore', 'swifteats-pitr-incident-42', 'intent'],
      ['pitr.restore', 'swifteats-pitr-incident-42', 'succeeded'],
    ]);
    expect(records[1]?.details).toMatchObject({ requestedTime: 'latest', resolvedTargetTime: '2026-11-29T05:55:00.250Z', checksPassed: true, failedChecks: [], recoveredPointInTime: '2026-11-29T05:54:30.654321Z', restoreSeconds: 1080 });
    expect(records[1]?.documents.map((d) => d.key)).toEqual([expect.stringMatching(/^reports\/swifteats\/swifteats-pitr-incident-42\//)]);
  });

  it('records a failed restore, and retries a record the archive did not confirm', async () => {
    rebuild({ instanceCreateMs: 10 * 3_600_000 });
    archive.failPutsMatching = /^audit\//;
    archive.failPuts = 2;
    const result = await run('pitr-restore', { targetTime: 'latest', name: 'swifteats-pitr-slow' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'WaitTimeoutError' });
    expect(result.path.slice(-2)).toEqual(['Record failed restore', 'Restore failed']);
    const records = archive.json('audit/swifteats/') as { result: string; details: { reason?: string } }[];
    expect(records.map((r) => r.result)).toEqual(['intent', 'failed']);
    expect(records[1]?.details.reason).toMatch(/^WaitTimeoutError: /);
  });

  it('refuses a time outside the window, naming it, and creates nothing', async () => {
    const result = await run('pitr-restore', { targetTime: '2026-10-01T00:00:00Z', name: 'swifteats-pitr-old' });
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'RestoreWindowError',
      cause: '2026-10-01T00:00:00.000Z is outside the restorable window of swifteats: 2026-11-15T05:55:00.250Z to 2026-11-29T05:55:00.250Z',
    });
    expect(rds.callCount('RestoreDBInstanceToPointInTime')).toBe(0);
  });

  it('refuses malformed input before creating anything', async () => {
    const result = await run('pitr-restore', { targetTime: 'last tuesday', name: 'swifteats-x' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'ValidationError' });
    const missing = await run('pitr-restore', { targetTime: 'latest' });
    expect(missing).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(rds.callCount('RestoreDBInstanceToPointInTime')).toBe(0);
  });

  it('keeps the new database for inspection when it never becomes available', async () => {
    rebuild({ instanceCreateMs: 10 * 3_600_000 });
    const result = await run('pitr-restore', { targetTime: 'latest', name: 'swifteats-pitr-slow' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'WaitTimeoutError' });
    expect(rds.callCount('DeleteDBInstance')).toBe(0);
  });
});
