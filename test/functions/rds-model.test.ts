/**
 * The RDS fake checked against the AWS SDK's own model of RDS (the installed `@aws-sdk/client-rds`):
 * - every operation the fake implements exists, and every RDSClient command of it is routed to the fake;
 * - every error the fake throws from an operation is declared for that operation (or is a common error):
 *   a scenario table drives every fault the fake can raise, and the fake refuses to throw an undeclared one
 *   on any call of any test (`RdsFake.handle`);
 * - every input member the project sends is a member of the operation's input: the fake refuses unknown members
 *   on every call, a tour of both topologies' adapters sends each request the project makes, and the ASL files
 *   are scanned for `aws-sdk:rds:*` tasks;
 * - documented constraints the project relies on are enforced (ManageMasterUserPassword on instance restores
 *   "Applies to RDS for Oracle only").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sdk from '@aws-sdk/client-rds';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { controlPlaneFor } from '../../functions/adapters/rds/control-plane.ts';
import { restoresFor } from '../../functions/adapters/rds/restore.ts';
import { allStates } from '../support/asl.ts';
import { COMMON_ERRORS, declaredErrors, inputMembers, mayThrow, memberDoc, operationExists } from '../support/rds-model.ts';
import { RDS_FAKE_OPERATIONS, RdsFake, VirtualClock, rdsFault, type RdsFaultCode } from '../support/rds-fake.ts';
import { CENTRAL, WEST, fakeRdsClient } from '../support/rds-planes.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const T0 = new Date('2026-11-02T09:00:00.000Z');

let clock: VirtualClock;
let rds: RdsFake;
let stub: AwsClientStub<sdk.RDSClient>;

beforeEach(() => {
  clock = new VirtualClock(T0);
  rds = new RdsFake({ clock });
  stub = rds.install();
});

afterEach(() => {
  stub.restore();
});

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail, it succeeded');
}

describe('the SDK model as read by test/support/rds-model.ts', () => {
  it('knows the operations, their input members and declared errors (a model that reads nothing would pass nothing)', () => {
    expect(operationExists('CreateDBSnapshot')).toBe(true);
    expect(operationExists('CreateDBSnapshotz')).toBe(false);
    expect([...inputMembers('CreateDBSnapshot')].sort()).toEqual(['DBInstanceIdentifier', 'DBSnapshotIdentifier', 'Tags']);
    expect([...declaredErrors('CreateDBSnapshot')].sort()).toEqual(['DBInstanceNotFoundFault', 'DBSnapshotAlreadyExistsFault', 'InvalidDBInstanceStateFault', 'SnapshotQuotaExceededFault']);
    expect(mayThrow('CreateDBSnapshot', 'InvalidParameterValue')).toBe(true);
    expect(mayThrow('CreateDBSnapshot', 'DBClusterNotFoundFault')).toBe(false);
    expect(memberDoc('RestoreDBInstanceFromDBSnapshot', 'ManageMasterUserPassword')).toContain('Applies to RDS for Oracle only.');
  });
});

describe('operations', () => {
  it('every operation the fake implements exists in RDS and is routed from a real RDSClient', async () => {
    // Prepare
    const client = fakeRdsClient(WEST);
    const notImplemented: string[] = [];
    // Act: an empty request reaches the fake (which answers with a validation error, or a result).
    for (const op of RDS_FAKE_OPERATIONS) {
      expect(operationExists(op), op).toBe(true);
      const Command = (sdk as unknown as Record<string, new (input: object) => sdk.DescribeDBInstancesCommand>)[`${op}Command`];
      expect(Command, `${op}Command`).toBeDefined();
      if (Command === undefined) continue;
      const error = await client.send(new Command({})).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      if (error?.message.includes('does not implement') === true) notImplemented.push(op);
    }
    // Assess
    expect(notImplemented).toEqual([]);
    expect(RDS_FAKE_OPERATIONS.length).toBeGreaterThanOrEqual(26);
  });
});

/** One way to make the fake raise one fault. */
interface Scenario {
  readonly name: string;
  readonly op: string;
  readonly setup?: (fake: RdsFake) => void;
  readonly input: Record<string, unknown>;
  readonly region?: string;
  /** The exception name expected (the SDK class name for modeled faults, the code for common errors). */
  readonly error: string;
}

const instance = (fake: RdsFake, extra: Partial<Parameters<RdsFake['addInstance']>[0]> = {}): void => void fake.addInstance({ id: 'db1', region: WEST, ...extra });
const cluster = (fake: RdsFake, extra: Partial<Parameters<RdsFake['addCluster']>[0]> = {}): void => void fake.addCluster({ id: 'c1', region: WEST, ...extra });

const SCENARIOS: readonly Scenario[] = [
  { name: 'unknown instance', op: 'DescribeDBInstances', input: { DBInstanceIdentifier: 'nope' }, error: 'DBInstanceNotFoundFault' },
  {
    name: 'restore onto an existing instance',
    op: 'RestoreDBInstanceFromDBSnapshot',
    setup: (f) => {
      instance(f);
      f.addSnapshot({ id: 's1', region: WEST, instanceId: 'db1' });
    },
    input: { DBInstanceIdentifier: 'db1', DBSnapshotIdentifier: 's1' },
    error: 'DBInstanceAlreadyExistsFault',
  },
  {
    name: 'instance quota',
    op: 'RestoreDBInstanceFromDBSnapshot',
    setup: (f) => {
      instance(f);
      f.addSnapshot({ id: 's1', region: WEST, instanceId: 'db1' });
      f.setQuota('DBInstances', 1);
    },
    input: { DBInstanceIdentifier: 'db2', DBSnapshotIdentifier: 's1' },
    error: 'InstanceQuotaExceededFault',
  },
  { name: 'restore from an unknown snapshot', op: 'RestoreDBInstanceFromDBSnapshot', input: { DBInstanceIdentifier: 'db2', DBSnapshotIdentifier: 'nope' }, error: 'DBSnapshotNotFoundFault' },
  {
    name: 'restore from a snapshot still creating',
    op: 'RestoreDBInstanceFromDBSnapshot',
    setup: (f) => void f.addSnapshot({ id: 's1', region: WEST, instanceId: 'db1', status: 'creating' }),
    input: { DBInstanceIdentifier: 'db2', DBSnapshotIdentifier: 's1' },
    error: 'InvalidDBSnapshotStateFault',
  },
  {
    name: 'snapshot of an instance that is not available',
    op: 'CreateDBSnapshot',
    setup: (f) => instance(f, { status: 'modifying' }),
    input: { DBInstanceIdentifier: 'db1', DBSnapshotIdentifier: 's1' },
    error: 'InvalidDBInstanceStateFault',
  },
  {
    name: 'snapshot id taken',
    op: 'CreateDBSnapshot',
    setup: (f) => {
      instance(f);
      f.addSnapshot({ id: 's1', region: WEST, instanceId: 'db1' });
    },
    input: { DBInstanceIdentifier: 'db1', DBSnapshotIdentifier: 's1' },
    error: 'DBSnapshotAlreadyExistsFault',
  },
  {
    name: 'manual snapshot quota',
    op: 'CreateDBSnapshot',
    setup: (f) => {
      instance(f);
      f.setQuota('ManualSnapshots', 0);
    },
    input: { DBInstanceIdentifier: 'db1', DBSnapshotIdentifier: 's1' },
    error: 'SnapshotQuotaExceededFault',
  },
  {
    name: 'snapshot of a cluster member',
    op: 'CreateDBSnapshot',
    setup: (f) => cluster(f),
    input: { DBInstanceIdentifier: 'c1-instance-1', DBSnapshotIdentifier: 's1' },
    error: 'InvalidParameterValue',
  },
  {
    name: 'deleting an automated snapshot',
    op: 'DeleteDBSnapshot',
    setup: (f) => void f.addSnapshot({ id: 'rds:db1-2026-11-01-03-10', region: WEST, instanceId: 'db1', SnapshotType: 'automated' }),
    input: { DBSnapshotIdentifier: 'rds:db1-2026-11-01-03-10' },
    error: 'InvalidDBSnapshotStateFault',
  },
  { name: 'deleting an unknown snapshot', op: 'DeleteDBSnapshot', input: { DBSnapshotIdentifier: 'nope' }, error: 'DBSnapshotNotFoundFault' },
  {
    name: 'copy with an inaccessible key',
    op: 'CopyDBSnapshot',
    region: CENTRAL,
    setup: (f) => {
      f.addSnapshot({ id: 's1', region: WEST, instanceId: 'db1' });
      f.markKeyInaccessible('arn:aws:kms:eu-central-1:123456789012:key/dr');
    },
    input: { SourceDBSnapshotIdentifier: 'arn:aws:rds:eu-west-1:123456789012:snapshot:s1', TargetDBSnapshotIdentifier: 's1', KmsKeyId: 'arn:aws:kms:eu-central-1:123456789012:key/dr' },
    error: 'KMSKeyNotAccessibleFault',
  },
  {
    name: 'point-in-time restore without backups',
    op: 'RestoreDBInstanceToPointInTime',
    setup: (f) => instance(f, { BackupRetentionPeriod: 0 }),
    input: { SourceDBInstanceIdentifier: 'db1', TargetDBInstanceIdentifier: 'db2', UseLatestRestorableTime: true },
    error: 'PointInTimeRestoreNotEnabledFault',
  },
  {
    name: 'deleting a cluster member',
    op: 'DeleteDBInstance',
    setup: (f) => cluster(f),
    input: { DBInstanceIdentifier: 'c1-instance-1', SkipFinalSnapshot: true },
    error: 'InvalidDBClusterStateFault',
  },
  {
    name: 'forced failover of a Single-AZ instance',
    op: 'RebootDBInstance',
    setup: (f) => instance(f, { MultiAZ: false }),
    input: { DBInstanceIdentifier: 'db1', ForceFailover: true },
    error: 'InvalidDBInstanceStateFault',
  },
  { name: 'promoting an instance that is no replica', op: 'PromoteReadReplica', setup: (f) => instance(f), input: { DBInstanceIdentifier: 'db1' }, error: 'InvalidDBInstanceStateFault' },
  { name: 'modifying an instance that is not available', op: 'ModifyDBInstance', setup: (f) => instance(f, { status: 'backing-up' }), input: { DBInstanceIdentifier: 'db1', ManageMasterUserPassword: true }, error: 'InvalidDBInstanceStateFault' },
  { name: 'unknown cluster', op: 'DescribeDBClusters', input: { DBClusterIdentifier: 'nope' }, error: 'DBClusterNotFoundFault' },
  { name: 'modifying an unknown cluster', op: 'ModifyDBCluster', input: { DBClusterIdentifier: 'nope', ManageMasterUserPassword: true }, error: 'DBClusterNotFoundFault' },
  { name: 'modifying a cluster that is not available', op: 'ModifyDBCluster', setup: (f) => cluster(f, { status: 'modifying' }), input: { DBClusterIdentifier: 'c1', ManageMasterUserPassword: true }, error: 'InvalidDBClusterStateFault' },
  { name: 'failing over a cluster that is not available', op: 'FailoverDBCluster', setup: (f) => cluster(f, { status: 'modifying' }), input: { DBClusterIdentifier: 'c1' }, error: 'InvalidDBClusterStateFault' },
  { name: 'failing over to the writer', op: 'FailoverDBCluster', setup: (f) => cluster(f), input: { DBClusterIdentifier: 'c1', TargetDBInstanceIdentifier: 'c1-instance-1' }, error: 'InvalidDBInstanceStateFault' },
  {
    name: 'cluster restore onto an existing cluster',
    op: 'RestoreDBClusterFromSnapshot',
    setup: (f) => {
      cluster(f);
      f.addClusterSnapshot({ id: 'cs1', region: WEST, clusterId: 'c1' });
    },
    input: { DBClusterIdentifier: 'c1', SnapshotIdentifier: 'cs1', Engine: 'postgres' },
    error: 'DBClusterAlreadyExistsFault',
  },
  {
    name: 'cluster restore whose members collide with existing instances',
    op: 'RestoreDBClusterFromSnapshot',
    setup: (f) => {
      f.addInstance({ id: 'c2-instance-1', region: WEST });
      f.addClusterSnapshot({ id: 'cs1', region: WEST, clusterId: 'c1' });
    },
    input: { DBClusterIdentifier: 'c2', SnapshotIdentifier: 'cs1', Engine: 'postgres' },
    error: 'DBClusterAlreadyExistsFault',
  },
  {
    name: 'cluster quota',
    op: 'RestoreDBClusterToPointInTime',
    setup: (f) => {
      cluster(f);
      f.setQuota('DBClusters', 1);
    },
    input: { DBClusterIdentifier: 'c2', SourceDBClusterIdentifier: 'c1', UseLatestRestorableTime: true },
    error: 'DBClusterQuotaExceededFault',
  },
  { name: 'restore from an unknown cluster snapshot', op: 'RestoreDBClusterFromSnapshot', input: { DBClusterIdentifier: 'c2', SnapshotIdentifier: 'nope', Engine: 'postgres' }, error: 'DBClusterSnapshotNotFoundFault' },
  {
    name: 'cluster snapshot id taken',
    op: 'CreateDBClusterSnapshot',
    setup: (f) => {
      cluster(f);
      f.addClusterSnapshot({ id: 'cs1', region: WEST, clusterId: 'c1' });
    },
    input: { DBClusterIdentifier: 'c1', DBClusterSnapshotIdentifier: 'cs1' },
    error: 'DBClusterSnapshotAlreadyExistsFault',
  },
  {
    name: 'deleting an automated cluster snapshot',
    op: 'DeleteDBClusterSnapshot',
    setup: (f) => void f.addClusterSnapshot({ id: 'rds:c1-2026-11-01-03-10', region: WEST, clusterId: 'c1', SnapshotType: 'automated' }),
    input: { DBClusterSnapshotIdentifier: 'rds:c1-2026-11-01-03-10' },
    error: 'InvalidDBClusterSnapshotStateFault',
  },
  { name: 'tagging a missing cluster snapshot', op: 'AddTagsToResource', input: { ResourceName: 'arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:nope', Tags: [] }, error: 'DBSnapshotNotFoundFault' },
  { name: 'listing tags of a missing cluster', op: 'ListTagsForResource', input: { ResourceName: 'arn:aws:rds:eu-west-1:123456789012:cluster:nope' }, error: 'DBClusterNotFoundFault' },
  { name: 'replicated backups of an unknown instance', op: 'DescribeDBInstanceAutomatedBackups', input: { DBInstanceIdentifier: 'nope' }, error: 'DBInstanceAutomatedBackupNotFoundFault' },
  {
    name: 'ManageMasterUserPassword on a PostgreSQL snapshot restore (Oracle only)',
    op: 'RestoreDBInstanceFromDBSnapshot',
    setup: (f) => void f.addSnapshot({ id: 's1', region: WEST, instanceId: 'db1' }),
    input: { DBInstanceIdentifier: 'db2', DBSnapshotIdentifier: 's1', ManageMasterUserPassword: true },
    error: 'InvalidParameterCombination',
  },
  {
    name: 'ManageMasterUserPassword on a PostgreSQL point-in-time restore (Oracle only)',
    op: 'RestoreDBInstanceToPointInTime',
    setup: (f) => instance(f),
    input: { SourceDBInstanceIdentifier: 'db1', TargetDBInstanceIdentifier: 'db2', UseLatestRestorableTime: true, ManageMasterUserPassword: true },
    error: 'InvalidParameterCombination',
  },
];

describe('errors the fake throws', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s: the expected error, declared for the operation', async (_name, scenario) => {
    // Prepare
    scenario.setup?.(rds);
    // Act
    const error = await errorOf(rds.handle(scenario.op, scenario.input, scenario.region ?? WEST));
    // Assess
    expect(error.name).toBe(scenario.error);
    expect(mayThrow(scenario.op, error.name)).toBe(true);
    expect(rds.thrownErrors()).toEqual([{ command: scenario.op, error: scenario.error, injected: false }]);
  });

  it('the scenario table raises every modeled fault the fake source can throw', async () => {
    // Prepare: the codes passed to rdsFault(...) anywhere in the fake (its facade and its layers under rds/).
    const layers = readdirSync(join(ROOT, 'test', 'support', 'rds')).map((file) => join('rds', file));
    const source = ['rds-fake.ts', ...layers].map((file) => readFileSync(join(ROOT, 'test', 'support', file), 'utf8')).join('\n');
    const codes = [...new Set([...source.matchAll(/rdsFault\('(\w+)'/g)].map((m) => m[1] ?? ''))];
    const names = codes.map((code) => rdsFault(code as RdsFaultCode, 'x').name);
    // Act
    const raised = new Set<string>();
    for (const scenario of SCENARIOS) {
      const fake = new RdsFake({ clock: new VirtualClock(T0) });
      scenario.setup?.(fake);
      await fake.handle(scenario.op, scenario.input, scenario.region ?? WEST).catch(() => undefined);
      for (const thrown of fake.thrownErrors()) raised.add(thrown.error);
    }
    // Assess
    expect(names.filter((n) => !raised.has(n))).toEqual([]);
    expect(names.length).toBeGreaterThanOrEqual(18);
  });

  it('refuses to throw an error the operation does not declare, naming it (checked on every call of every test)', async () => {
    // Prepare: an undeclared fault produced by the fake's own logic is simulated by a seeded state the API forbids.
    rds.addInstance({ id: 'db1', region: WEST });
    // Act: injected faults are the test's choice and pass through; the model check covers the fake's own logic.
    rds.failNext('DescribeDBInstances', rdsFault('DBClusterNotFoundFault', 'injected'));
    const injected = await errorOf(rds.handle('DescribeDBInstances', {}, WEST));
    // Assess
    expect(injected.name).toBe('DBClusterNotFoundFault');
    expect(rds.thrownErrors()).toEqual([{ command: 'DescribeDBInstances', error: 'DBClusterNotFoundFault', injected: true }]);
    expect(COMMON_ERRORS.has('Throttling')).toBe(true);
  });
});

describe('inputs', () => {
  it('the fake refuses a member that is not in the operation input, naming it', async () => {
    rds.addInstance({ id: 'db1', region: WEST });
    const error = await errorOf(rds.handle('CreateDBSnapshot', { DBInstanceIdentifier: 'db1', DBSnapshotIdentifier: 's1', ManageMasterUserPassword: true }, WEST));
    expect(error.message).toBe("RdsFake model violation: ManageMasterUserPassword is not a member of CreateDBSnapshot's input in @aws-sdk/client-rds");
    expect(rds.snapshots(WEST)).toEqual([]);
  });

  it('every request of both topologies’ adapters uses only real input members', async () => {
    // Prepare
    rds.addInstance({ id: 'swifteats', region: WEST });
    rds.addCluster({ id: 'swiftc', region: WEST });
    const placement = { instanceClass: 'db.t4g.medium', subnetGroupName: 'sg', securityGroupIds: ['sg-1'], parameterGroupName: 'pg', secretKmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/s', tags: { 'dr:temporary': 'true' } };
    const tour = async (topology: 'multi-az-instance' | 'multi-az-cluster', db: string): Promise<void> => {
      const primary = controlPlaneFor(topology, fakeRdsClient(WEST), WEST);
      const dr = controlPlaneFor(topology, fakeRdsClient(CENTRAL), CENTRAL);
      const restores = restoresFor(topology, fakeRdsClient(WEST), '16.4');
      const snap = await primary.createSnapshot(db, `${db}-daily-202611020900`, { 'dr:managed': 'true' });
      clock.advance(3_600_000);
      await primary.getSnapshot(snap.id);
      await primary.listManualSnapshots(db);
      await primary.addTags(snap.arn, { 'dr:verified': 'passed' });
      await primary.manualSnapshotQuota();
      await primary.describeDatabase(db);
      await primary.describeWriter(db);
      if (topology === 'multi-az-instance') {
        await dr.copySnapshot({ sourceArn: snap.arn, sourceRegion: WEST, targetId: snap.id, kmsKeyId: 'arn:aws:kms:eu-central-1:123456789012:key/dr', tags: {} });
        await dr.replicatedBackupRestorableTime(rds.instanceArn(WEST, db));
      }
      await restores.restoreFromSnapshot(snap.id, { ...placement, targetId: `${db}-vfy-d1`, ...(topology === 'multi-az-cluster' ? { storage: { type: 'io1', iops: 3000 } } : {}) });
      await restores.restoreToPointInTime(db, 'latest', { ...placement, targetId: `${db}-pitr-1` });
      await restores.restoreWindow(db);
      clock.advance(3_600_000);
      await restores.ensureOwnSecret(`${db}-vfy-d1`, placement.secretKmsKeyId);
      clock.advance(3_600_000);
      await restores.list();
      await restores.delete(`${db}-vfy-d1`);
      await primary.deleteSnapshot(snap.id);
      await primary.forceFailover(db);
    };
    // Act
    await tour('multi-az-instance', 'swifteats');
    await tour('multi-az-cluster', 'swiftc');
    // Assess: each call reached the fake's logic (a model violation is a plain Error, not an RDS error).
    const calls = rds.calls();
    for (const call of calls) {
      const members = inputMembers(call.command);
      expect(Object.keys(call.input).filter((k) => !members.has(k)), call.command).toEqual([]);
    }
    expect(calls.filter((c) => c.outcome !== 'ok')).toEqual([]);
    expect(new Set(calls.map((c) => c.command)).size).toBeGreaterThanOrEqual(20);
  });

  it('no ASL file calls RDS directly with parameters outside the model', () => {
    const bad: string[] = [];
    let rdsTasks = 0;
    for (const file of readdirSync(join(ROOT, 'statemachines')).filter((f) => f.endsWith('.asl.json'))) {
      const definition = JSON.parse(readFileSync(join(ROOT, 'statemachines', file), 'utf8')) as Record<string, unknown>;
      for (const [name, state] of Object.entries(allStates(definition))) {
        const match = /^arn:aws:states:::aws-sdk:rds:(\w+)$/.exec(String(state.Resource ?? ''));
        if (!match?.[1]) continue;
        rdsTasks += 1;
        const op = match[1].charAt(0).toUpperCase() + match[1].slice(1);
        if (!operationExists(op)) {
          bad.push(`${file} ${name}: no operation ${op}`);
          continue;
        }
        const members = inputMembers(op);
        for (const key of Object.keys((state.Parameters ?? {}) as object).map((k) => k.replace(/\.\$$/, ''))) {
          if (!members.has(key)) bad.push(`${file} ${name}: ${key} is not a member of ${op}`);
        }
      }
    }
    expect(bad).toEqual([]);
    // Today every RDS call goes through a Lambda adapter; this count changes when a workflow calls RDS directly.
    expect(rdsTasks).toBe(0);
  });
});

describe('documented constraints the project relies on', () => {
  it('ManageMasterUserPassword on an instance restore applies to RDS for Oracle only: refused for postgres, accepted for oracle', async () => {
    // Prepare
    rds.addSnapshot({ id: 'pg', region: WEST, instanceId: 'db1' });
    rds.addSnapshot({ id: 'ora', region: WEST, instanceId: 'db1', Engine: 'oracle-ee' });
    // Act
    const pg = await errorOf(rds.handle('RestoreDBInstanceFromDBSnapshot', { DBInstanceIdentifier: 'pg1', DBSnapshotIdentifier: 'pg', ManageMasterUserPassword: true }, WEST));
    await rds.handle('RestoreDBInstanceFromDBSnapshot', { DBInstanceIdentifier: 'ora1', DBSnapshotIdentifier: 'ora', ManageMasterUserPassword: true }, WEST);
    // Assess
    expect(memberDoc('RestoreDBInstanceToPointInTime', 'ManageMasterUserPassword')).toContain('Applies to RDS for Oracle only.');
    expect([pg.name, rds.instance(WEST, 'pg1')]).toEqual(['InvalidParameterCombination', undefined]);
    expect(rds.instance(WEST, 'ora1')?.MasterUserSecret?.SecretStatus).toBe('creating');
  });

  it('BackupRetentionPeriod is a member of both instance restores (so a temporary restore can turn backups off at creation)', () => {
    expect(inputMembers('RestoreDBInstanceFromDBSnapshot').has('BackupRetentionPeriod')).toBe(true);
    expect(inputMembers('RestoreDBInstanceToPointInTime').has('BackupRetentionPeriod')).toBe(true);
    expect(memberDoc('RestoreDBInstanceFromDBSnapshot', 'BackupRetentionPeriod')).toContain('Setting this parameter to 0 disables automated backups.');
    // Multi-AZ DB clusters cannot turn backups off: the least is 1 day.
    expect(memberDoc('RestoreDBClusterFromSnapshot', 'BackupRetentionPeriod')).toContain('Must be a value from 1 to 35.');
  });
});
