/**
 * The point-in-time restore workflow (pitr-restore.asl.json) and the restore test (verify.asl.json) run in the
 * local ASL runner for BOTH topologies, with the real restore and verify handlers loaded for each topology, the
 * real RDS adapters over the RDS fake, and real SQL checks against a PostgreSQL database standing in for what RDS
 * restored. The checks must only ever receive the secret RDS generated for the restored database, after the
 * ModifyDBInstance / ModifyDBCluster that created it has completed.
 */
import { RDSClient } from '@aws-sdk/client-rds';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DbSession } from '../../functions/adapters/pg/connect.ts';
import type { PgVerificationProbe } from '../../functions/adapters/pg/verification-probe.ts';
import type { Topology } from '../../functions/ports/database-control-plane.ts';
import { aslText, execute, substitute, type Execution, type LocalFunction } from '../support/asl.ts';
import { setHandlerEnv } from '../support/handler-env.ts';
import type { MemoryArchive } from '../support/memory-archive.ts';
import { createTempDatabase, type TempDatabase } from '../support/pg.ts';
import { RdsFake, VirtualClock } from '../support/rds-fake.ts';
import { CENTRAL, WEST, fakeRdsClient } from '../support/rds-planes.ts';

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
  INSERT INTO orders (total, placed_at) SELECT g, '2026-11-01T00:00:00Z'::timestamptz + g * interval '1 hour' FROM generate_series(1, 50) g;
  CREATE SCHEMA dr;
  CREATE TABLE dr.heartbeat (id bigserial PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now(), writer text NOT NULL);
`;

interface Shape {
  readonly topology: Topology;
  /** How RDS names the database kind in the secret (`rds!db-…` / `rds!cluster-…`). */
  readonly kind: 'db' | 'cluster';
  readonly modify: 'ModifyDBInstance' | 'ModifyDBCluster';
  readonly pitr: 'RestoreDBInstanceToPointInTime' | 'RestoreDBClusterToPointInTime';
  readonly fromSnapshot: 'RestoreDBInstanceFromDBSnapshot' | 'RestoreDBClusterFromSnapshot';
  readonly remove: 'DeleteDBInstance' | 'DeleteDBCluster';
  /** Restore duration in the fake, then the secret modification. */
  readonly restoreMs: (fake: RdsFake) => number;
  readonly seed: (fake: RdsFake) => void;
  readonly status: (fake: RdsFake, id: string) => string | undefined;
}

const SHAPES: readonly Shape[] = [
  {
    topology: 'multi-az-instance',
    kind: 'db',
    modify: 'ModifyDBInstance',
    pitr: 'RestoreDBInstanceToPointInTime',
    fromSnapshot: 'RestoreDBInstanceFromDBSnapshot',
    remove: 'DeleteDBInstance',
    restoreMs: (fake) => fake.durations.instanceCreateMs,
    seed: (fake) => {
      fake.addInstance({ id: 'swifteats', region: WEST, BackupRetentionPeriod: 14, InstanceCreateTime: new Date('2026-01-01T00:00:00Z'), DeletionProtection: true });
      fake.addSnapshot({ id: SNAPSHOT, region: WEST, instanceId: 'swifteats', SnapshotCreateTime: new Date('2026-11-29T02:00:00Z'), tags: MANAGED });
    },
    status: (fake, id) => fake.instance(WEST, id)?.DBInstanceStatus,
  },
  {
    topology: 'multi-az-cluster',
    kind: 'cluster',
    modify: 'ModifyDBCluster',
    pitr: 'RestoreDBClusterToPointInTime',
    fromSnapshot: 'RestoreDBClusterFromSnapshot',
    remove: 'DeleteDBCluster',
    restoreMs: (fake) => fake.durations.clusterCreateMs,
    seed: (fake) => {
      fake.addCluster({ id: 'swifteats', region: WEST, BackupRetentionPeriod: 14, ClusterCreateTime: new Date('2026-01-01T00:00:00Z'), DeletionProtection: true });
      fake.addClusterSnapshot({ id: SNAPSHOT, region: WEST, clusterId: 'swifteats', SnapshotCreateTime: new Date('2026-11-29T02:00:00Z'), tags: MANAGED });
    },
    status: (fake, id) => fake.cluster(WEST, id)?.Status,
  },
];

let clock: VirtualClock;
let rds: RdsFake;
let stub: AwsClientStub<RDSClient>;
let archive: MemoryArchive;
let databases: TempDatabase[];
let restored: TempDatabase;
/** Every secret the checks were given, with the virtual time they connected. */
let connections: { secretArn: string; at: string }[];

/**
 * The project's modules, loaded afresh per topology (handlers read TOPOLOGY at module load). Adapters and
 * handlers must come from one module graph: the domain matches typed errors with `instanceof`.
 */
let project: {
  restoreCore: typeof import('../../functions/handlers/restore/index.ts').core;
  verifyCore: typeof import('../../functions/handlers/verify.ts').core;
  controlPlaneFor: typeof import('../../functions/adapters/rds/control-plane.ts').controlPlaneFor;
  restoresFor: typeof import('../../functions/adapters/rds/restore.ts').restoresFor;
  openSession: typeof import('../../functions/adapters/pg/connect.ts').openSession;
  PgVerificationProbe: typeof import('../../functions/adapters/pg/verification-probe.ts').PgVerificationProbe;
  PgDatabaseInspector: typeof import('../../functions/adapters/pg/inspector.ts').PgDatabaseInspector;
  archiveManifest: typeof import('../../functions/domain/verification/manifest-archive.ts').archiveManifest;
  archiveAfterReading: typeof import('../../functions/domain/verification/manifest-archive.ts').archiveAfterReading;
  MemoryArchive: typeof import('../support/memory-archive.ts').MemoryArchive;
  ARCHIVED_READINGS: typeof import('../../functions/contracts/documents/archive.ts').ARCHIVED_READINGS;
};

async function loadProject(): Promise<typeof project> {
  vi.resetModules();
  return {
    restoreCore: (await import('../../functions/handlers/restore/index.ts')).core,
    verifyCore: (await import('../../functions/handlers/verify.ts')).core,
    controlPlaneFor: (await import('../../functions/adapters/rds/control-plane.ts')).controlPlaneFor,
    restoresFor: (await import('../../functions/adapters/rds/restore.ts')).restoresFor,
    openSession: (await import('../../functions/adapters/pg/connect.ts')).openSession,
    PgVerificationProbe: (await import('../../functions/adapters/pg/verification-probe.ts')).PgVerificationProbe,
    PgDatabaseInspector: (await import('../../functions/adapters/pg/inspector.ts')).PgDatabaseInspector,
    archiveManifest: (await import('../../functions/domain/verification/manifest-archive.ts')).archiveManifest,
    archiveAfterReading: (await import('../../functions/domain/verification/manifest-archive.ts')).archiveAfterReading,
    MemoryArchive: (await import('../support/memory-archive.ts')).MemoryArchive,
    ARCHIVED_READINGS: (await import('../../functions/contracts/documents/archive.ts')).ARCHIVED_READINGS,
  };
}

async function restoredDatabase(heartbeatAt: string): Promise<TempDatabase> {
  const db = await createTempDatabase('pitr_sm');
  databases.push(db);
  const admin = await db.connect();
  await admin.query(SCHEMA);
  await admin.query('INSERT INTO dr.heartbeat (written_at, writer) VALUES ($1, $2)', [heartbeatAt, 'probe']);
  await project.archiveManifest(new project.PgDatabaseInspector(admin), archive, { database: 'swifteats', snapshotId: SNAPSHOT, now: () => new Date('2026-11-29T01:59:50Z'), parse: project.ARCHIVED_READINGS });
  // Reading B, as the backup workflow takes it once the snapshot is available (no writes in between).
  const settle = { pollSeconds: 1, maxWaitSeconds: 0, flushSeconds: 1 };
  await project.archiveAfterReading(new project.PgDatabaseInspector(admin), archive, { database: 'swifteats', snapshotId: SNAPSHOT, snapshotPoint: new Date(Date.now() - 60_000), settle, sleep: async () => undefined, parse: project.ARCHIVED_READINGS });
  await admin.end();
  return db;
}

afterEach(async () => {
  stub.restore();
  await Promise.all(databases.map((d) => d.drop()));
});

describe.each(SHAPES)('$topology', (shape) => {
  beforeEach(async () => {
    setHandlerEnv({ DB_TLS_MODE: 'require', TOPOLOGY: shape.topology, STORAGE_TYPE: shape.topology === 'multi-az-cluster' ? 'io1' : 'gp3', STORAGE_IOPS: '3000' });
    project = await loadProject();
    clock = new VirtualClock('2026-11-29T06:00:00Z');
    rds = new RdsFake({ clock });
    stub = rds.install();
    shape.seed(rds);
    archive = new project.MemoryArchive();
    databases = [];
    connections = [];
  });

  function functions(): Record<string, LocalFunction> {
    const now = (): Date => clock.now();
    const deps = {
      primary: project.controlPlaneFor(shape.topology, fakeRdsClient(WEST), WEST),
      dr: project.controlPlaneFor(shape.topology, fakeRdsClient(CENTRAL), CENTRAL),
      restores: project.restoresFor(shape.topology, fakeRdsClient(WEST), '16.4'),
      archive,
      now,
    };
    const connect = async (target: { secretArn: string }): Promise<{ probe: PgVerificationProbe; close: () => Promise<void> }> => {
      connections.push({ secretArn: target.secretArn, at: clock.now().toISOString() });
      const sessions: DbSession[] = [];
      for (let i = 0; i < 2; i += 1) sessions.push(await project.openSession({ host: '127.0.0.1', port: 5432, database: restored.name, user: 'postgres', password: '', tls: 'require' }));
      return { probe: new project.PgVerificationProbe(sessions.map((s) => s.client)), close: async () => void (await Promise.all(sessions.map((s) => s.close()))) };
    };
    return {
      [FN.restore]: (payload) => project.restoreCore(payload, deps),
      [FN.verify]: (payload) => project.verifyCore(payload, { connect, archive, now }),
    };
  }

  function run(name: 'verify' | 'pitr-restore', input: unknown): Promise<Execution> {
    return execute(name, substitute(aslText(name), SUBSTITUTIONS), input, { functions: functions(), clock });
  }

  /** The virtual time at which the modification creating the secret completed. */
  function secretReadyAt(): string {
    const [modify] = rds.calls({ command: shape.modify });
    return new Date((modify?.at.getTime() ?? Number.NaN) + rds.durations.manageSecretMs).toISOString();
  }

  it('point-in-time restore: restores to the latest restorable time, gets its own secret, and proves the recovered time', async () => {
    // Prepare: the fake's LatestRestorableTime trails the clock by 5 minutes: 05:55.
    restored = await restoredDatabase('2026-11-29T05:54:30Z');
    // Act
    const result = await run('pitr-restore', { targetTime: 'latest', name: 'swifteats-pitr-incident-42' });
    // Assess
    expect([result.status, result.error, result.cause]).toEqual(['SUCCEEDED', null, null]);
    const secretArn = rds.masterSecretArn(WEST, shape.kind, 'swifteats-pitr-incident-42');
    expect(result.output).toMatchObject({
      identifier: 'swifteats-pitr-incident-42',
      requestedTime: 'latest',
      recoveredPointInTime: '2026-11-29T05:54:30.000000Z',
      checksPassed: true,
      failedChecks: [],
      secretArn,
    });
    expect(rds.calls({ command: shape.pitr }).map((c) => c.input)).toEqual([expect.objectContaining({ UseLatestRestorableTime: true })]);
    expect(rds.calls({ command: shape.pitr })[0]?.input).not.toHaveProperty('ManageMasterUserPassword');
    expect(rds.calls({ command: shape.modify }).map((c) => c.input)).toEqual([expect.objectContaining({ ManageMasterUserPassword: true, ApplyImmediately: true })]);
    // Never the production password: the checks connect once, with the new secret, after it exists.
    expect(connections).toHaveLength(1);
    expect(connections[0]?.secretArn).toBe(secretArn);
    expect(Date.parse(connections[0]?.at ?? '')).toBeGreaterThanOrEqual(Date.parse(secretReadyAt()));
    expect((result.output as { restoreSeconds: number }).restoreSeconds).toBe((shape.restoreMs(rds) + rds.durations.manageSecretMs) / 1000);
    // Kept for the operator: nothing deletes it, and it keeps the source's backup retention.
    expect(rds.callCount(shape.remove)).toBe(0);
    expect(shape.status(rds, 'swifteats-pitr-incident-42')).toBe('available');
  });

  it('point-in-time restore: refuses a time outside the window and creates nothing', async () => {
    restored = await restoredDatabase('2026-11-29T05:54:30Z');
    const result = await run('pitr-restore', { targetTime: '2026-10-01T00:00:00Z', name: 'swifteats-pitr-old' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'RestoreWindowError' });
    expect(rds.callCount(shape.pitr)).toBe(0);
  });

  it('restore test: proves the snapshot with the temporary database’s own secret, tags it, and deletes the temporary database', async () => {
    // Prepare
    restored = await restoredDatabase('2026-11-29T01:59:30Z');
    // Act
    const result = await run('verify', {});
    // Assess
    expect([result.status, result.error, result.cause]).toEqual(['SUCCEEDED', null, null]);
    expect(result.path.at(-1)).toBe('Verified');
    expect(rds.calls({ command: shape.fromSnapshot }).map((c) => c.input)).toEqual([expect.objectContaining({ BackupRetentionPeriod: shape.kind === 'db' ? 0 : 1 })]);
    expect(connections.map((c) => c.secretArn)).toEqual([rds.masterSecretArn(WEST, shape.kind, TEMP)]);
    expect(Date.parse(connections[0]?.at ?? '')).toBeGreaterThanOrEqual(Date.parse(secretReadyAt()));
    expect(rds.calls({ command: shape.remove }).filter((c) => c.outcome === 'ok').map((c) => c.input)).toEqual([expect.objectContaining({ SkipFinalSnapshot: true })]);
    const tags = Object.fromEntries(((shape.kind === 'db' ? rds.snapshot(WEST, SNAPSHOT)?.TagList : rds.clusterSnapshot(WEST, SNAPSHOT)?.TagList) ?? []).map((t) => [t.Key, t.Value]));
    expect(tags['dr:verified']).toBe('passed');
  });
});
