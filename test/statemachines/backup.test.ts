import { RDSClient } from '@aws-sdk/client-rds';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import validator from 'asl-validator';
import { sha256 } from '../../functions/domain/audit/records.ts';
import { openSession } from '../../functions/adapters/pg/connect.ts';
import { PgContentReader } from '../../functions/adapters/pg/content.ts';
import { PgDatabaseInspector } from '../../functions/adapters/pg/inspector.ts';
import type { DatabaseControlPlane } from '../../functions/ports/database-control-plane.ts';
import { aslText, execute, substitute, substitutionKeys, type Execution, type LocalFunction } from '../support/asl.ts';
import { setHandlerEnv } from '../support/handler-env.ts';
import { MemoryArchive } from '../support/memory-archive.ts';
import { createTempDatabase, type TempDatabase } from '../support/pg.ts';
import { RdsFake, rdsFault, VirtualClock, type RdsFakeDurations } from '../support/rds-fake.ts';
import { CENTRAL, WEST, instancePlanes } from '../support/rds-planes.ts';

const FN = {
  snapshot: 'arn:aws:lambda:eu-west-1:123456789012:function:swifteats-snapshot',
  manifest: 'arn:aws:lambda:eu-west-1:123456789012:function:swifteats-manifest',
  retention: 'arn:aws:lambda:eu-west-1:123456789012:function:swifteats-retention',
};
const DEFINITION = substitute(aslText('backup'), { SnapshotFunctionArn: FN.snapshot, ManifestFunctionArn: FN.manifest, RetentionFunctionArn: FN.retention });
// A Sunday at 02:00 UTC: the weekly tier.
const SCHEDULED = '2026-11-29T02:00:00Z';
const ID = 'swifteats-weekly-202611290200';

setHandlerEnv({
  RETENTION_POLICY: JSON.stringify({ daily: 7, weekly: 5, monthly: 12, yearly: 3, minimumCount: 3, quotaHeadroom: 10, deletesPerSecond: 2, maxVerifiedAgeHours: 72 }),
});
let handlers: {
  snapshot: typeof import('../../functions/handlers/snapshot/index.ts');
  manifest: typeof import('../../functions/handlers/manifest.ts');
  retention: typeof import('../../functions/handlers/retention.ts');
};
let database: TempDatabase;

beforeAll(async () => {
  handlers = {
    snapshot: await import('../../functions/handlers/snapshot/index.ts'),
    manifest: await import('../../functions/handlers/manifest.ts'),
    retention: await import('../../functions/handlers/retention.ts'),
  };
  // The manifest step runs real SQL against a real database.
  database = await createTempDatabase('backup_sm');
  const client = await database.connect();
  await client.query(`
    CREATE TABLE orders (id bigserial PRIMARY KEY, total numeric(10,2) NOT NULL);
    INSERT INTO orders (total) SELECT g FROM generate_series(1, 25) g;
    CREATE SCHEMA dr;
    CREATE TABLE dr.heartbeat (id bigserial PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now(), writer text NOT NULL);
    INSERT INTO dr.heartbeat (written_at, writer) VALUES ('2026-11-29T01:59:00Z', 'probe');
  `);
  await client.end();
});

afterAll(async () => {
  await database.drop();
});

let clock: VirtualClock;
let rds: RdsFake;
let stub: AwsClientStub<RDSClient>;
let archive: MemoryArchive;
let primary: DatabaseControlPlane;
let dr: DatabaseControlPlane | null;
let manifestConnect: () => Promise<{ inspector: PgDatabaseInspector; close: () => Promise<void>; content?: PgContentReader }>;

beforeEach(() => {
  clock = new VirtualClock('2026-11-29T02:00:03Z');
  rds = new RdsFake({ clock });
  stub = rds.install();
  rds.addInstance({ id: 'swifteats', region: WEST });
  archive = new MemoryArchive();
  ({ primary, dr } = instancePlanes());
  manifestConnect = async () => {
    const session = await openSession({ host: '127.0.0.1', port: 5432, database: database.name, user: 'postgres', password: '', tls: 'disable' });
    // As the manifest function's own connection: content tallies, digests and large objects too.
    return { inspector: new PgDatabaseInspector(session.client), content: new PgContentReader(session.client), close: session.close };
  };
});

afterEach(() => {
  stub.restore();
});

/** The real handlers, bound to the fake, the archive and the real database. */
function functions(): Record<string, LocalFunction> {
  const now = (): Date => clock.now();
  return {
    [FN.snapshot]: (payload) => handlers.snapshot.core(payload, { primary, dr, archive, now }),
    [FN.manifest]: (payload) => handlers.manifest.core(payload, { connect: manifestConnect, archive, now, sleep: async () => undefined }),
    [FN.retention]: (payload) =>
      handlers.retention.core(payload, { primary, dr, archive, now, sleep: async () => undefined, random: () => 0.5 }),
  };
}

function run(input: unknown): Promise<Execution> {
  return execute('backup', DEFINITION, input, { functions: functions(), clock });
}

/** The audit records of backup runs, in order. */
function backupAudits(): { result: string; resource: string; details: Record<string, unknown> }[] {
  return (archive.json('audit/swifteats/') as { action: string; result: string; resource: string; details: Record<string, unknown> }[]).filter((r) => r.action === 'backup.run');
}

describe('backup.asl.json', () => {
  it('is valid ASL and every ${Key} has a substitution', () => {
    const { isValid, errorsText } = validator(JSON.parse(aslText('backup')));
    expect(errorsText()).toBe('');
    expect(isValid).toBe(true);
    expect(substitutionKeys(aslText('backup'))).toEqual(['ManifestFunctionArn', 'RetentionFunctionArn', 'SnapshotFunctionArn']);
  });

  it('takes the snapshot after the manifest, copies it offsite, applies retention in both regions and records success', async () => {
    // Act
    const result = await run({ scheduledAt: SCHEDULED });
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path.filter((s) => !/^(Wait for|Check|Snapshot available|Copy available)/.test(s))).toEqual([
      'Plan snapshot',
      'Capture manifest',
      'Create snapshot',
      'Start polling snapshot',
      'Capture after-reading',
      'Copy offsite?',
      'Copy to DR region',
      'Start polling copy',
      'Apply retention (primary)',
      'Retention in DR region?',
      'Apply retention (DR)',
      'Record success',
      'Done',
    ]);
    // Reading B is archived beside A, anchored on the snapshot's time, with its SHA-256.
    const afterBytes = await archive.get(`manifests/swifteats/${ID}.after.json`);
    const after = JSON.parse(afterBytes) as { snapshotPoint: string; settle: { settled: boolean }; counters: { tables: Record<string, unknown> } };
    expect(after.snapshotPoint).toBe(rds.snapshot(WEST, ID)?.SnapshotCreateTime?.toISOString());
    expect(after.settle.settled).toBe(true);
    expect(Object.keys(after.counters.tables)).toEqual(['public.orders']);
    expect((result.output as { afterReading: { Payload: { stored: { sha256: string } } } }).afterReading.Payload.stored.sha256).toBe(sha256(afterBytes));
    expect(backupAudits()[0]?.details.manifestWarnings).toBeUndefined();
    expect(rds.snapshot(WEST, ID)?.Status).toBe('available');
    expect(rds.snapshot(CENTRAL, ID)?.Status).toBe('available');
    // Default fake timings: 5 minutes to create (5 polls of 60 s), 20 minutes to copy (10 polls of 120 s).
    expect(result.invocations.filter((i) => i.state === 'Check snapshot')).toHaveLength(5);
    expect(result.invocations.filter((i) => i.state === 'Check copy')).toHaveLength(10);
    const manifest = JSON.parse(await archive.get(`manifests/swifteats/${ID}.json`)) as { rowCounts: Record<string, number>; heartbeat: { latestAt: string } };
    expect(manifest.rowCounts).toEqual({ 'public.orders': 25 });
    // The same scan's content tallies (id and total are NOT NULL numbers: zeros only) and the large objects, in A and B.
    const content = (manifest as unknown as { content: { digest: boolean; tables: Record<string, { rows: number; columns: unknown; digest: string }> } }).content;
    expect(content.digest).toBe(true);
    expect(content.tables['public.orders']).toEqual({ rows: 25, columns: { id: { zeros: 0 }, total: { zeros: 0 } }, digest: expect.stringMatching(/^-?\d+$/) });
    expect((manifest as unknown as { largeObjects: unknown }).largeObjects).toEqual({ count: 0, oidSum: '0' });
    expect((after as unknown as { largeObjects: unknown }).largeObjects).toEqual({ count: 0, oidSum: '0' });
    expect(manifest.heartbeat.latestAt).toBe('2026-11-29T01:59:00.000000Z');
    expect(backupAudits()).toEqual([{ ...backupAudits()[0], result: 'succeeded', resource: ID }]);
    expect(backupAudits()[0]?.details.durationSeconds).toBe(25 * 60);
    // The audit record names the manifest with the SHA-256 of the exact bytes archived.
    const manifestBytes = await archive.get(`manifests/swifteats/${ID}.json`);
    expect((archive.json('audit/swifteats/')[0] as { documents: unknown[] }).documents).toEqual([
      { key: `manifests/swifteats/${ID}.json`, sha256: sha256(manifestBytes), versionId: expect.any(String) },
    ]);
  });

  it('retries archive writes S3 did not confirm (ArchiveWriteError): the manifest and the run record are still written', async () => {
    archive.failPuts = 2;
    const result = await run({ scheduledAt: SCHEDULED });
    expect(result.status).toBe('SUCCEEDED');
    expect(archive.failedPuts).toEqual([`manifests/swifteats/${ID}.json`, `manifests/swifteats/${ID}.json`]);
    archive.failPutsMatching = /^audit\/swifteats\/.*-backup\.run-/;
    archive.failPuts = 2;
    const rerun = await run({ scheduledAt: SCHEDULED });
    expect(rerun.status).toBe('SUCCEEDED');
    expect(result.invocations.filter((i) => i.state === 'Capture manifest')).toHaveLength(3);
    expect(rerun.invocations.filter((i) => i.state === 'Record success')).toHaveLength(3);
    expect(backupAudits().map((r) => r.result)).toEqual(['succeeded', 'succeeded']);
  });

  it('is idempotent: a duplicate delivery of the same schedule creates and copies nothing new', async () => {
    await run({ scheduledAt: SCHEDULED });
    const second = await run({ scheduledAt: SCHEDULED });
    expect(second.status).toBe('SUCCEEDED');
    expect(rds.callCount('CreateDBSnapshot')).toBe(1);
    expect(rds.callCount('CopyDBSnapshot')).toBe(1);
    // Reading A and reading B, each once: the second run returns both unchanged.
    expect(archive.json('manifests/')).toHaveLength(2);
    expect(backupAudits().map((a) => a.result)).toEqual(['succeeded', 'succeeded']);
  });

  it('names a manual run (no scheduledAt) after the execution start time', async () => {
    const result = await run({ tier: 'monthly' });
    expect(result.status).toBe('SUCCEEDED');
    expect(rds.snapshots(WEST).map((s) => s.DBSnapshotIdentifier)).toEqual(['swifteats-monthly-202611290200']);
  });

  it('skips the copy and DR retention when no DR region is configured', async () => {
    dr = null;
    const result = await run({ scheduledAt: SCHEDULED });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).not.toContain('Copy to DR region');
    expect(result.path).not.toContain('Apply retention (DR)');
    expect(rds.callCount('CopyDBSnapshot')).toBe(0);
  });

  it('retries throttling by error name and succeeds', async () => {
    rds.throttle(2, { commands: ['CreateDBSnapshot'] });
    const result = await run({ scheduledAt: SCHEDULED });
    expect(result.status).toBe('SUCCEEDED');
    expect(rds.calls({ command: 'CreateDBSnapshot' }).map((c) => c.outcome)).toEqual(['Throttling', 'Throttling', 'ok']);
  });

  it('waits out a database that is briefly not available (e.g. backing-up)', async () => {
    rds.failNext('CreateDBSnapshot', rdsFault('InvalidDBInstanceState', 'DB instance swifteats is not in the available state (backing-up).'), 2);
    const result = await run({ scheduledAt: SCHEDULED });
    expect(result.status).toBe('SUCCEEDED');
    expect(rds.snapshot(WEST, ID)?.Status).toBe('available');
  });

  it('fails with SnapshotQuotaExceededError, creates nothing, and records the failure', async () => {
    rds.setQuota('ManualSnapshots', 0, WEST);
    const result = await run({ scheduledAt: SCHEDULED });
    expect(result).toMatchObject({ status: 'FAILED', error: 'SnapshotQuotaExceededError' });
    expect(result.path.slice(-2)).toEqual(['Record failure', 'Backup failed']);
    expect(rds.snapshots(WEST)).toEqual([]);
    expect(backupAudits().map((a) => [a.result, a.details.error])).toEqual([
      ['failed', 'SnapshotQuotaExceededError: manual-snapshot quota used up (0/0) in eu-west-1: no snapshot taken'],
    ]);
  });

  it('fails with WaitTimeoutError after its bounded poll when a snapshot stays creating', async () => {
    rds = rebuildFake({ snapshotCreateMs: 10 * 3_600_000 });
    const result = await run({ scheduledAt: SCHEDULED });
    expect(result).toMatchObject({ status: 'FAILED', error: 'WaitTimeoutError' });
    expect(result.invocations.filter((i) => i.state === 'Check snapshot')).toHaveLength(240);
    expect(result.path).not.toContain('Apply retention (primary)');
  });

  it('fails with SnapshotFailedError on a failed snapshot, and never runs retention', async () => {
    rds.addSnapshot({ id: ID, region: WEST, instanceId: 'swifteats', status: 'failed', tags: [{ Key: 'dr:managed', Value: 'true' }] });
    const result = await run({ scheduledAt: SCHEDULED });
    expect(result).toMatchObject({ status: 'FAILED', error: 'SnapshotFailedError', cause: `snapshot ${ID} in eu-west-1 is failed` });
    expect(result.path).not.toContain('Apply retention (primary)');
  });

  it('fails with SnapshotNotFoundError when someone deletes the snapshot between it becoming available and the copy', async () => {
    const result = await runDeletingWhenAvailable();
    expect(result).toMatchObject({ status: 'FAILED', error: 'SnapshotNotFoundError' });
    expect(result.path.slice(-3)).toEqual(['Copy to DR region', 'Record failure', 'Backup failed']);
    expect(rds.snapshots(CENTRAL)).toEqual([]);
  });

  it('fails with KmsKeyNotAccessibleError on the copy; after the key is fixed a re-run finishes without a second snapshot', async () => {
    rds.markKeyInaccessible('alias/swifteats-dr');
    const first = await run({ scheduledAt: SCHEDULED });
    expect(first).toMatchObject({ status: 'FAILED', error: 'KmsKeyNotAccessibleError' });
    expect(rds.snapshot(WEST, ID)?.Status).toBe('available');
    expect(rds.snapshots(CENTRAL)).toEqual([]);
    rds.markKeyAccessible('alias/swifteats-dr');
    const second = await run({ scheduledAt: SCHEDULED });
    expect(second.status).toBe('SUCCEEDED');
    expect(rds.callCount('CreateDBSnapshot')).toBe(1);
    expect(rds.snapshot(CENTRAL, ID)?.Status).toBe('available');
  });

  it('refuses a malformed input with ValidationError before touching RDS', async () => {
    const result = await run({ scheduledAt: 'tomorrow', tier: 'hourly' });
    expect(result).toMatchObject({ status: "FAILED", error: "ValidationError" });
    expect(result.cause).toBe('2 problem(s): request.scheduledAt: "tomorrow" is not an ISO-8601 time with a zone; request.tier: "hourly" is not one of daily, weekly, monthly, yearly');
    expect(rds.calls()).toEqual([]);
  });

  it('reports at backup time a manifest with no heartbeat and with unlogged tables: warnings in the run record', async () => {
    // Prepare: a database without the probe's table and with an unlogged table.
    const bare = await createTempDatabase('backup_warn');
    try {
      const admin = await bare.connect();
      await admin.query('CREATE TABLE orders (id int); CREATE UNLOGGED TABLE sessions (id int); INSERT INTO sessions VALUES (1);');
      await admin.end();
      manifestConnect = async () => {
        const session = await openSession({ host: '127.0.0.1', port: 5432, database: bare.name, user: 'postgres', password: '', tls: 'disable' });
        return { inspector: new PgDatabaseInspector(session.client), close: session.close };
      };
      // Act
      const result = await run({ scheduledAt: SCHEDULED });
      // Assess
      expect(result.status).toBe('SUCCEEDED');
      expect(backupAudits()[0]?.details.manifestWarnings).toEqual([
        'no heartbeat in the database (probe not deployed or dr.heartbeat missing): a restore test cannot prove the recovered point in time',
        'unlogged tables are not backed up by RDS snapshots (a restore empties them): public.sessions',
      ]);
    } finally {
      await bare.drop();
    }
  });

  it('keeps the backup when reading B fails: the run succeeds and the restore test will judge without it', async () => {
    const fns = functions();
    const manifestFn = fns[FN.manifest];
    if (!manifestFn) throw new Error('manifest function not bound');
    fns[FN.manifest] = async (payload) => {
      if ((payload as { action: string }).action === 'after') throw Object.assign(new Error('relation "pg_stat_user_tables" is gone'), { name: 'SqlQueryError' });
      return manifestFn(payload);
    };
    const result = await execute('backup', DEFINITION, { scheduledAt: SCHEDULED }, { functions: fns, clock });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Capture after-reading');
    expect(result.path).toContain('Record success');
    expect(archive.json('manifests/')).toHaveLength(1);
  });

  it('fails before the snapshot when the manifest cannot be captured (database unreachable), retrying the connection first', async () => {
    let attempts = 0;
    manifestConnect = async () => {
      attempts += 1;
      const session = await openSession({ host: '127.0.0.1', port: 1, database: 'x', user: 'postgres', password: '', tls: 'disable', connectTimeoutMs: 500 });
      return { inspector: new PgDatabaseInspector(session.client), close: session.close };
    };
    const result = await run({ scheduledAt: SCHEDULED });
    expect(result).toMatchObject({ status: 'FAILED', error: 'SqlConnectionError' });
    expect(attempts).toBe(4);
    expect(rds.callCount('CreateDBSnapshot')).toBe(0);
  });
});

/** A fresh fake with other durations, replacing the one beforeEach installed. */
function rebuildFake(durations: Partial<RdsFakeDurations>): RdsFake {
  stub.restore();
  const fake = new RdsFake({ clock, durations });
  stub = fake.install();
  fake.addInstance({ id: 'swifteats', region: WEST });
  return fake;
}

/** Runs the backup; as soon as a poll finds the snapshot available, an operator deletes it. */
async function runDeletingWhenAvailable(): Promise<Execution> {
  const fns = functions();
  const snapshotFn = fns[FN.snapshot];
  if (!snapshotFn) throw new Error('snapshot function not bound');
  fns[FN.snapshot] = async (payload) => {
    const out = await snapshotFn(payload);
    if ((payload as { action: string }).action === 'check' && (out as { ready: boolean }).ready) await primary.deleteSnapshot(ID);
    return out;
  };
  return execute('backup', DEFINITION, { scheduledAt: SCHEDULED }, { functions: fns, clock });
}
