/**
 * The deployed backup workflow (definition asset after its substitutions) runs end to end in the
 * local ASL runner with the SHIPPED bundles bound to its Task states: each bundle in its own
 * process with its template environment, its AWS SDK calls going over HTTP to the wire fake
 * (test/support/wire-fake.ts) backed by the RDS and Secrets Manager fakes, and the manifest's SQL
 * running over verify-full TLS against the test PostgreSQL server.
 *
 * Deviations from the template environment, each because the test runs elsewhere: the database
 * endpoint (DB_HOST/DB_PORT/DB_NAME point at a throwaway database on 127.0.0.1), the CA bundle
 * (NODE_EXTRA_CA_CERTS is the test server's certificate, not /var/runtime/ca-cert.pem), and
 * AWS_ENDPOINT_URL (the wire fake).
 */
import * as secretsModel from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execute, type Execution } from '../support/asl.ts';
import { boundFunctions, bundleOf, hostBundles, resolvedEnvironment, resolvedStateMachines, type HostedBundle } from '../support/bundles.ts';
import { createTempDatabase, withServerClient, type TempDatabase } from '../support/pg.ts';
import { RdsFake, VirtualClock } from '../support/rds-fake.ts';
import { S3Fake } from '../support/s3-fake.ts';
import { SecretsFake } from '../support/secrets-fake.ts';
import { WireFake } from '../support/wire-fake.ts';

const WEST = 'eu-west-1';
const CENTRAL = 'eu-central-1';
const machine = resolvedStateMachines().find((m) => m.name === 'swifteats-backup');
if (!machine) throw new Error('no swifteats-backup state machine in the assembly');
const backup = machine;

let clock: VirtualClock;
let rds: RdsFake;
let secrets: SecretsFake;
let s3: S3Fake;
let wire: WireFake;
let database: TempDatabase;
let hosted = new Map<string, HostedBundle>();

/** The manifest's secret: the RDS-managed master secret the template names (DB_SECRET_ARN), holding the test server's login. */
function addMasterSecret(secretArn: string): void {
  const name = /:secret:(.+)-[A-Za-z0-9]{6}$/.exec(secretArn)?.[1];
  if (!name) throw new Error(`unexpected secret ARN ${secretArn}`);
  const arn = secrets.addSecret(name, JSON.stringify({ username: 'postgres', password: '' }), WEST);
  if (arn !== secretArn) throw new Error(`secret ARN ${arn} is not the template's ${secretArn}`);
}

beforeAll(async () => {
  database = await createTempDatabase('artifacts_backup');
  const client = await database.connect();
  await client.query(`
    CREATE TABLE orders (id bigserial PRIMARY KEY, total numeric(10,2) NOT NULL);
    INSERT INTO orders (total) SELECT g FROM generate_series(1, 25) g;
    CREATE SCHEMA dr;
    CREATE TABLE dr.heartbeat (id bigserial PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now(), writer text NOT NULL);
    INSERT INTO dr.heartbeat (written_at, writer) VALUES (now() - interval '1 minute', 'probe');
  `);
  await client.end();
  const certificate = await withServerClient(async (c) => `${(await c.query<{ data_directory: string }>('SHOW data_directory')).rows[0]?.data_directory}/rds-dr-test.crt`);

  wire = new WireFake({ rds: (command, input, region) => rds.handle(command, input, region), json: { secretsmanager: { handle: (command, input) => secrets.handle(command, input), model: secretsModel } }, s3: (command, input, region) => s3.handle(command, input, region) });
  const endpoint = await wire.start();
  hosted = await hostBundles({
    snapshot: { AWS_ENDPOINT_URL: endpoint },
    manifest: { AWS_ENDPOINT_URL: endpoint, DB_HOST: '127.0.0.1', DB_PORT: '5432', DB_NAME: database.name, NODE_EXTRA_CA_CERTS: certificate },
    retention: { AWS_ENDPOINT_URL: endpoint },
  });
});

afterAll(async () => {
  await Promise.all([...hosted.values()].map((b) => b.stop()));
  await wire?.stop();
  await database?.drop();
});

let scheduledAt: string;

beforeEach(() => {
  // The bundles read the real clock; the fake's virtual clock starts an hour before it, so the
  // 25 virtual minutes the polls wait never run ahead of the handlers' time.
  const start = new Date(Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000);
  clock = new VirtualClock(start);
  rds = new RdsFake({ clock });
  rds.addInstance({ id: 'swifteats', region: WEST });
  secrets = new SecretsFake(clock);
  addMasterSecret(resolvedEnvironment(bundleOf('manifest'))['DB_SECRET_ARN'] ?? '');
  s3 = new S3Fake(clock);
  s3.createBucket(archiveBucket(), { objectLock: { mode: 'COMPLIANCE', days: 365 } });
  wire.unhandled.length = 0;
  wire.requests.length = 0;
  scheduledAt = start.toISOString();
});

function run(input: unknown): Promise<Execution> {
  return execute('backup', backup.definition, input, { functions: boundFunctions(backup, hosted), clock });
}

const archiveBucket = (): string => resolvedEnvironment(bundleOf('snapshot'))['ARCHIVE_BUCKET'] ?? '';

describe('backup workflow with the shipped bundles', () => {
  it('takes the manifest over TLS, the snapshot, the DR copy, applies retention and records success', async () => {
    const result = await run({ scheduledAt, tier: 'daily' });
    const id = rds.snapshots(WEST)[0]?.DBSnapshotIdentifier ?? 'none';
    expect(id).toMatch(/^swifteats-daily-\d{12}$/);
    expect(wire.unhandled).toEqual([]);
    expect(result.cause).toBeNull();
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
    expect(rds.snapshot(WEST, id)?.Status).toBe('available');
    expect(rds.snapshot(CENTRAL, id)?.Status).toBe('available');
    // Every AWS call went over the wire, from the bundles' own SDK, signed for the right region.
    expect(wire.requests).toEqual(expect.arrayContaining(['rds:eu-west-1:CreateDBSnapshot', 'rds:eu-central-1:CopyDBSnapshot', 'secretsmanager:eu-west-1:GetSecretValue', 's3:eu-west-1:PutObject']));
    const [manifest] = s3.json(archiveBucket(), `manifests/swifteats/${id}.json`) as { rowCounts: Record<string, number> }[];
    expect(manifest?.rowCounts).toEqual({ 'public.orders': 25 });
    const audits = (s3.json(archiveBucket(), 'audit/swifteats/') as { action: string; result: string; resource: string }[]).filter((a) => a.action === 'backup.run');
    expect(audits.map((a) => [a.result, a.resource])).toEqual([['succeeded', id]]);
  });

  it('retries RDS throttling through Retry on ThrottledError, the name the bundle throws', async () => {
    // The bundle's SDK retries a throttled call itself (3 attempts); the 4th throttle reaches
    // the handler, which throws ThrottledError, and the state machine's Retry takes it.
    rds.throttle(3, { commands: ['CreateDBSnapshot'] });
    const result = await run({ scheduledAt, tier: 'weekly' });
    expect(result.status).toBe('SUCCEEDED');
    expect(rds.calls({ command: 'CreateDBSnapshot' }).map((c) => c.outcome)).toEqual(['Throttling', 'Throttling', 'Throttling', 'ok']);
    expect(result.invocations.filter((i) => i.state === 'Create snapshot')).toHaveLength(2);
  });

  it('catches SnapshotQuotaExceededError by name and records the failure', async () => {
    rds.setQuota('ManualSnapshots', 0, WEST);
    const result = await run({ scheduledAt, tier: 'monthly' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'SnapshotQuotaExceededError' });
    expect(result.path.slice(-2)).toEqual(['Record failure', 'Backup failed']);
    expect(rds.snapshots(WEST)).toEqual([]);
    const audits = (s3.json(archiveBucket(), 'audit/swifteats/') as { action: string; result: string }[]).filter((a) => a.action === 'backup.run');
    expect(audits.map((a) => a.result)).toEqual(['failed']);
  });
});
