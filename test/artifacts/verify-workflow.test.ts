/**
 * The deployed restore-test workflow (verify) runs end to end in the local ASL runner with the
 * SHIPPED restore and verify bundles bound to its Task states, their AWS calls over the wire fake
 * (RDS, Secrets Manager, S3), the checks running real SQL over TLS against a database on the test
 * server standing in for the restored one.
 *
 * Deviations from the template environment, each because the test runs elsewhere: DB_NAME (the
 * stand-in database), DB_TLS_MODE=require instead of verify-full (the test server's certificate
 * names 127.0.0.1, not the RDS endpoint name the fake hands out), the RDS endpoint names resolving
 * to 127.0.0.1 (BUNDLE_HOST_RESOLVE), and AWS_ENDPOINT_URL (the wire fake).
 */
import * as secretsModel from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PgDatabaseInspector } from '../../functions/adapters/pg/inspector.ts';
import { PgContentReader } from '../../functions/adapters/pg/content.ts';
import { archiveAfterReading, archiveManifest } from '../../functions/domain/verification/manifest-archive.ts';
import { ARCHIVED_READINGS } from '../../functions/contracts/documents/archive.ts';
import { execute, type Execution } from '../support/asl.ts';
import { boundFunctions, bundleOf, hostBundles, resolvedEnvironment, resolvedStateMachines, type HostedBundle } from '../support/bundles.ts';
import { createTempDatabase, type TempDatabase } from '../support/pg.ts';
import { RdsFake, VirtualClock } from '../support/rds-fake.ts';
import { S3Fake } from '../support/s3-fake.ts';
import { SecretsFake } from '../support/secrets-fake.ts';
import { WireFake } from '../support/wire-fake.ts';

const WEST = 'eu-west-1';
const CENTRAL = 'eu-central-1';
const found = resolvedStateMachines().find((m) => m.name === 'swifteats-verify');
if (!found) throw new Error('no swifteats-verify state machine in the assembly');
const verify = found;
const BUCKET = resolvedEnvironment(bundleOf('verify'))['ARCHIVE_BUCKET'] ?? '';
const MANAGED = [
  { Key: 'dr:managed', Value: 'true' },
  { Key: 'dr:database', Value: 'swifteats' },
];
const SCHEMA = `
  DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;
  DROP SCHEMA IF EXISTS dr CASCADE;
  CREATE TABLE orders (id bigserial PRIMARY KEY, total numeric(10,2) NOT NULL CHECK (total >= 0), placed_at timestamptz NOT NULL);
  CREATE INDEX orders_placed_at_idx ON orders (placed_at);
  INSERT INTO orders (total, placed_at) SELECT g, '2026-11-01T00:00:00Z'::timestamptz + g * interval '1 hour' FROM generate_series(1, 200) g;
  CREATE SCHEMA dr;
  CREATE TABLE dr.heartbeat (id bigserial PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now(), writer text NOT NULL);
`;

let clock: VirtualClock;
let rds: RdsFake;
let secrets: SecretsFake;
let s3: S3Fake;
let wire: WireFake;
let restored: TempDatabase;
let hosted = new Map<string, HostedBundle>();

beforeAll(async () => {
  restored = await createTempDatabase('artifacts_verify');
  wire = new WireFake({ rds: (command, input, region) => rds.handle(command, input, region), json: { secretsmanager: { handle: (command, input) => secrets.handle(command, input), model: secretsModel } }, s3: (command, input, region) => s3.handle(command, input, region) });
  const endpoint = await wire.start();
  hosted = await hostBundles({
    restore: { AWS_ENDPOINT_URL: endpoint },
    verify: { AWS_ENDPOINT_URL: endpoint, DB_NAME: restored.name, DB_TLS_MODE: 'require', BUNDLE_HOST_RESOLVE: JSON.stringify({ '.rds.amazonaws.com': '127.0.0.1' }) },
  });
});

afterAll(async () => {
  await Promise.all([...hosted.values()].map((b) => b.stop()));
  await wire?.stop();
  await restored?.drop();
});

let snapshotId: string;
let temporaryId: string;

beforeEach(async () => {
  // The bundles read the real clock: the backup is four hours old, the virtual clock of the fake
  // starts an hour ago, so the restore's virtual minutes never run ahead of the handlers' time.
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const taken = new Date(now - 4 * 3_600_000);
  const stamp = taken.toISOString().slice(0, 16).replace(/[-T:]/g, '');
  snapshotId = `swifteats-daily-${stamp}`;
  temporaryId = `swifteats-vfy-d${stamp}`;
  clock = new VirtualClock(new Date(now - 3_600_000));
  rds = new RdsFake({ clock });
  rds.addInstance({ id: 'swifteats', region: WEST, BackupRetentionPeriod: 14, InstanceCreateTime: new Date('2026-01-01T00:00:00Z'), DeletionProtection: true });
  rds.addSnapshot({ id: snapshotId, region: WEST, instanceId: 'swifteats', SnapshotCreateTime: taken, tags: MANAGED });
  rds.addSnapshot({ id: snapshotId, region: CENTRAL, instanceId: 'swifteats', SnapshotCreateTime: new Date(taken.getTime() + 20 * 60_000), tags: MANAGED });
  secrets = new SecretsFake(clock);
  // RDS creates the restored database's managed secret; the fakes are separate, so the test adds it.
  secrets.addSecret(`rds!db-${temporaryId}`, JSON.stringify({ username: 'postgres', password: '' }), WEST);
  s3 = new S3Fake(clock);
  s3.createBucket(BUCKET, { objectLock: { mode: 'COMPLIANCE', days: 365 } });
  wire.unhandled.length = 0;
  wire.requests.length = 0;
  // The stand-in for the restored database, and its manifest as the backup archived it.
  const admin = await restored.connect();
  await admin.query(SCHEMA);
  await admin.query('INSERT INTO dr.heartbeat (written_at, writer) VALUES ($1, $2)', [new Date(taken.getTime() - 30_000), 'probe']);
  // With content tallies and large objects, as the shipped manifest function takes them.
  const content = new PgContentReader(admin);
  await archiveManifest(new PgDatabaseInspector(admin), s3.archive(BUCKET), { database: 'swifteats', snapshotId, now: () => new Date(taken.getTime() - 10_000), content, parse: ARCHIVED_READINGS });
  // Reading B, as the backup workflow takes it once the snapshot is available (no writes in between).
  const settle = { pollSeconds: 1, maxWaitSeconds: 0, flushSeconds: 1 };
  await archiveAfterReading(new PgDatabaseInspector(admin), s3.archive(BUCKET), { database: 'swifteats', snapshotId, snapshotPoint: new Date(Date.now() - 60_000), settle, sleep: async () => undefined, content, parse: ARCHIVED_READINGS });
  await admin.end();
});

function run(input: unknown): Promise<Execution> {
  return execute('verify', verify.definition, input, { functions: boundFunctions(verify, hosted), clock });
}

const tagsOf = (region: string): Record<string, string | undefined> => Object.fromEntries((rds.snapshot(region, snapshotId)?.TagList ?? []).map((t) => [t.Key, t.Value]));

describe('restore-test workflow with the shipped bundles', () => {
  it('proves a faithful backup: checks pass over TLS, both copies are tagged passed, the temporary database is deleted', async () => {
    const result = await run({});
    expect(wire.unhandled).toEqual([]);
    expect(result.cause).toBeNull();
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
    expect(rds.calls({ command: 'DeleteDBInstance' }).filter((c) => c.outcome === 'ok').map((c) => c.input['DBInstanceIdentifier'])).toEqual([temporaryId]);
    for (const region of [WEST, CENTRAL]) expect(tagsOf(region)['dr:verified']).toBe('passed');
    const [report] = s3.json(BUCKET, `reports/swifteats/${snapshotId}/`) as { checks: { id: string; status: string }[] }[];
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
    expect(wire.requests).toEqual(expect.arrayContaining(['rds:eu-west-1:RestoreDBInstanceFromDBSnapshot', 'secretsmanager:eu-west-1:GetSecretValue', 's3:eu-west-1:GetObject', 's3:eu-west-1:PutObject']));
  });

  it('catches a backup that lost rows by the name VerificationFailedError: tagged failed, temporary database deleted', async () => {
    const admin = await restored.connect();
    await admin.query('DELETE FROM orders WHERE id > 190');
    await admin.end();
    const result = await run({ snapshotId });
    expect(result).toMatchObject({ status: 'FAILED', error: 'VerificationFailedError' });
    for (const region of [WEST, CENTRAL]) expect(tagsOf(region)['dr:verified']).toBe('failed');
    expect(rds.calls({ command: 'DeleteDBInstance' }).filter((c) => c.outcome === 'ok').map((c) => c.input['DBInstanceIdentifier'])).toEqual([temporaryId]);
  });
});
