/**
 * The RDS fake must behave like the API reference, or every handler and workflow test built on it proves
 * nothing. These tests drive it through real RDSClients (aws-sdk-client-mock routing), as the handlers will.
 */
import {
  AddTagsToResourceCommand,
  CopyDBClusterSnapshotCommand,
  CopyDBSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DBClusterNotFoundFault,
  DBInstanceNotFoundFault,
  DBSnapshotAlreadyExistsFault,
  DBSnapshotNotFoundFault,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DeleteDBSnapshotCommand,
  DescribeAccountAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  FailoverDBClusterCommand,
  InvalidDBClusterStateFault,
  InvalidDBInstanceStateFault,
  InvalidDBSnapshotStateFault,
  KMSKeyNotAccessibleFault,
  ListTagsForResourceCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
  PointInTimeRestoreNotEnabledFault,
  PromoteReadReplicaCommand,
  RDSClient,
  RDSServiceException,
  RebootDBInstanceCommand,
  RemoveTagsFromResourceCommand,
  RestoreDBClusterFromSnapshotCommand,
  RestoreDBClusterToPointInTimeCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
  SnapshotQuotaExceededFault,
  paginateDescribeDBInstances,
  paginateDescribeDBSnapshots,
} from '@aws-sdk/client-rds';
import type { DBSnapshot } from '@aws-sdk/client-rds';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { controlPlaneFor } from '../../functions/adapters/rds/control-plane.ts';
import { RdsFake, VirtualClock } from '../support/rds-fake.ts';

const WEST = 'eu-west-1';
const CENTRAL = 'eu-central-1';
const T0 = new Date('2026-11-02T09:00:00.000Z');

let clock: VirtualClock;
let rds: RdsFake;
let mock: AwsClientStub<RDSClient>;
let west: RDSClient;
let central: RDSClient;

beforeEach(() => {
  clock = new VirtualClock(T0);
  rds = new RdsFake({ clock });
  mock = rds.install();
  west = new RDSClient({ region: WEST });
  central = new RDSClient({ region: CENTRAL });
});

afterEach(() => {
  mock.restore();
});

/** Awaits a promise that must reject and returns the rejection, so a test can assert several of its properties. */
async function rejectionOf(promise: Promise<unknown>): Promise<RDSServiceException & { Code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as RDSServiceException & { Code?: string };
  }
  throw new Error('expected the call to reject, it resolved');
}

function seedSnapshots(count: number, prefix: string, type: 'manual' | 'automated' = 'manual'): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = type === 'manual' ? `${prefix}-${String(i).padStart(3, '0')}` : `rds:${prefix}-2026-10-${String(i + 1).padStart(2, '0')}-03-10`;
    rds.addSnapshot({ id, region: WEST, instanceId: 'swifteats', SnapshotType: type, SnapshotCreateTime: new Date(T0.getTime() - (count - i) * 3_600_000) });
    ids.push(id);
  }
  return ids;
}

describe('CreateDBSnapshot', () => {
  it('moves creating -> available as virtual time passes, reporting progress, create time and tags', async () => {
    // Prepare
    rds.addInstance({ id: 'swifteats', region: WEST });
    const tags = [{ Key: 'dr:managed', Value: 'true' }, { Key: 'dr:tier', Value: 'daily' }];

    // Act
    const created = await west.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'swifteats', DBSnapshotIdentifier: 'swifteats-daily-202611020900', Tags: tags }));
    clock.advance(rds.durations.snapshotCreateMs / 2);
    const halfway = await west.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 'swifteats-daily-202611020900' }));
    clock.advance(rds.durations.snapshotCreateMs / 2 - 1);
    const justBefore = rds.snapshot(WEST, 'swifteats-daily-202611020900');
    clock.advance(1);
    const done = await west.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 'swifteats-daily-202611020900' }));

    // Assess
    expect(created.DBSnapshot).toMatchObject({
      DBSnapshotIdentifier: 'swifteats-daily-202611020900',
      DBInstanceIdentifier: 'swifteats',
      Status: 'creating',
      PercentProgress: 0,
      SnapshotType: 'manual',
      DBSnapshotArn: 'arn:aws:rds:eu-west-1:123456789012:snapshot:swifteats-daily-202611020900',
      Encrypted: true,
      KmsKeyId: rds.defaultKmsKeyArn(WEST),
      TagList: tags,
    });
    expect(halfway.DBSnapshots?.map((s) => [s.Status, s.PercentProgress])).toEqual([['creating', 50]]);
    expect([justBefore?.Status, justBefore?.PercentProgress]).toEqual(['creating', 99]);
    expect(done.DBSnapshots?.map((s) => [s.Status, s.PercentProgress])).toEqual([['available', 100]]);
    // RDS reports the create time (and the data time) only once the snapshot is available.
    expect([created.DBSnapshot?.SnapshotCreateTime, halfway.DBSnapshots?.[0]?.SnapshotCreateTime, justBefore?.SnapshotCreateTime, justBefore?.SnapshotDatabaseTime]).toEqual([undefined, undefined, undefined, undefined]);
    expect(done.DBSnapshots?.map((s) => [s.SnapshotCreateTime, s.OriginalSnapshotCreateTime, s.SnapshotDatabaseTime])).toEqual([[T0, T0, T0]]);
    expect(done.DBSnapshots?.[0]?.TagList).toEqual(tags);
    expect(rds.nextTransitionAt()).toBeUndefined();
  });

  it('throws DBSnapshotAlreadyExistsFault (wire code DBSnapshotAlreadyExists) when the id is taken, in any case', async () => {
    // Prepare
    rds.addInstance({ id: 'swifteats', region: WEST });
    await west.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'swifteats', DBSnapshotIdentifier: 'swifteats-daily-1' }));

    // Act
    const error = await rejectionOf(west.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'swifteats', DBSnapshotIdentifier: 'SwiftEats-Daily-1' })));

    // Assess
    expect(error).toBeInstanceOf(DBSnapshotAlreadyExistsFault);
    expect(error.name).toBe('DBSnapshotAlreadyExistsFault');
    expect(error.Code).toBe('DBSnapshotAlreadyExists');
    expect(error.$fault).toBe('client');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(rds.snapshots(WEST).map((s) => s.DBSnapshotIdentifier)).toEqual(['swifteats-daily-1']);
  });

  it('throws InvalidDBInstanceStateFault when the source instance is not available', async () => {
    // Prepare
    rds.addInstance({ id: 'swifteats', region: WEST, status: 'stopped' });

    // Act
    const error = await rejectionOf(west.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'swifteats', DBSnapshotIdentifier: 'snap-1' })));

    // Assess
    expect(error).toBeInstanceOf(InvalidDBInstanceStateFault);
    expect([error.name, error.Code]).toEqual(['InvalidDBInstanceStateFault', 'InvalidDBInstanceState']);
    expect(rds.snapshots(WEST)).toEqual([]);
  });

  it('throws DBInstanceNotFoundFault (404) for an unknown instance', async () => {
    // Act
    const error = await rejectionOf(west.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'nope', DBSnapshotIdentifier: 'snap-1' })));

    // Assess
    expect(error).toBeInstanceOf(DBInstanceNotFoundFault);
    expect([error.name, error.Code, error.$metadata.httpStatusCode]).toEqual(['DBInstanceNotFoundFault', 'DBInstanceNotFound', 404]);
  });

  it('rejects identifiers RDS would reject, with InvalidParameterValue', async () => {
    // Prepare
    rds.addInstance({ id: 'swifteats', region: WEST });

    // Act
    const error = await rejectionOf(west.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'swifteats', DBSnapshotIdentifier: 'snap--double' })));

    // Assess
    expect(error).toBeInstanceOf(RDSServiceException);
    expect(error.name).toBe('InvalidParameterValue');
  });
});

describe('manual snapshot quota', () => {
  it('throws SnapshotQuotaExceededFault at the quota, ignoring automated snapshots, and reports Used/Max', async () => {
    // Prepare
    rds.addInstance({ id: 'swifteats', region: WEST });
    rds.setQuota('ManualSnapshots', 3, WEST);
    seedSnapshots(2, 'old');
    seedSnapshots(4, 'swifteats', 'automated');
    await west.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'swifteats', DBSnapshotIdentifier: 'third' }));
    // The instance is backing-up while its snapshot starts.
    clock.advance(rds.durations.backingUpMs);

    // Act
    const error = await rejectionOf(west.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'swifteats', DBSnapshotIdentifier: 'fourth' })));
    const attributes = await west.send(new DescribeAccountAttributesCommand({}));
    const centralAttributes = await central.send(new DescribeAccountAttributesCommand({}));

    // Assess
    expect(error).toBeInstanceOf(SnapshotQuotaExceededFault);
    expect([error.name, error.Code]).toEqual(['SnapshotQuotaExceededFault', 'SnapshotQuotaExceeded']);
    expect(attributes.AccountQuotas?.find((q) => q.AccountQuotaName === 'ManualSnapshots')).toEqual({ AccountQuotaName: 'ManualSnapshots', Used: 3, Max: 3 });
    expect(centralAttributes.AccountQuotas?.find((q) => q.AccountQuotaName === 'ManualSnapshots')).toEqual({ AccountQuotaName: 'ManualSnapshots', Used: 0, Max: 100 });
  });
});

describe('DescribeDBSnapshots', () => {
  it('paginates with paginateDescribeDBSnapshots: every manual snapshot exactly once, in order, over three pages', async () => {
    // Prepare
    const manual = seedSnapshots(45, 'swifteats-daily');
    seedSnapshots(5, 'swifteats', 'automated');

    // Act
    const seen: string[] = [];
    const pageSizes: number[] = [];
    for await (const page of paginateDescribeDBSnapshots({ client: west, pageSize: 20 }, { SnapshotType: 'manual' })) {
      pageSizes.push(page.DBSnapshots?.length ?? 0);
      for (const snapshot of page.DBSnapshots ?? []) seen.push(snapshot.DBSnapshotIdentifier ?? '');
    }

    // Assess
    expect(pageSizes).toEqual([20, 20, 5]);
    expect(seen).toEqual(manual);
    const markers = rds.calls({ command: 'DescribeDBSnapshots' }).map((c) => c.input.Marker);
    expect(markers).toHaveLength(3);
    expect(markers[0]).toBeUndefined();
    expect(new Set(markers).size).toBe(3);
    expect(rds.callCount('DescribeDBSnapshots', WEST)).toBe(3);
  });

  it('keeps pages consistent when a snapshot is deleted between pages', async () => {
    // Prepare
    const ids = seedSnapshots(30, 'snap');

    // Act
    const first = await west.send(new DescribeDBSnapshotsCommand({ MaxRecords: 20 }));
    await west.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: ids[5] }));
    await west.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: ids[25] }));
    const second = await west.send(new DescribeDBSnapshotsCommand({ MaxRecords: 20, Marker: first.Marker }));

    // Assess
    expect(first.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toEqual(ids.slice(0, 20));
    expect(second.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toEqual([...ids.slice(20, 25), ...ids.slice(26)]);
    expect(second.Marker).toBeUndefined();
  });

  it('returns manual and automated snapshots without SnapshotType, and filters by type, instance and Filters', async () => {
    // Prepare
    seedSnapshots(2, 'swifteats-daily');
    const automated = seedSnapshots(2, 'swifteats', 'automated');
    rds.addSnapshot({ id: 'other-manual', region: WEST, instanceId: 'other-db' });

    // Act
    const all = await west.send(new DescribeDBSnapshotsCommand({}));
    const onlyAutomated = await west.send(new DescribeDBSnapshotsCommand({ SnapshotType: 'automated' }));
    const byInstance = await west.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: 'other-db' }));
    const byFilters = await west.send(
      new DescribeDBSnapshotsCommand({
        Filters: [
          { Name: 'db-instance-id', Values: [rds.instanceArn(WEST, 'swifteats')] },
          { Name: 'snapshot-type', Values: ['automated'] },
        ],
      }),
    );
    const badFilter = await rejectionOf(west.send(new DescribeDBSnapshotsCommand({ Filters: [{ Name: 'status', Values: ['available'] }] })));

    // Assess
    expect(all.DBSnapshots?.map((s) => s.SnapshotType)).toEqual(['manual', 'manual', 'automated', 'automated', 'manual']);
    expect(onlyAutomated.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toEqual(automated);
    expect(byInstance.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toEqual(['other-manual']);
    expect(byFilters.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toEqual(automated);
    expect(badFilter.name).toBe('InvalidParameterValue');
  });

  it('finds an automated snapshot by id only with SnapshotType automated, and throws DBSnapshotNotFoundFault otherwise', async () => {
    // Prepare
    const [automated] = seedSnapshots(1, 'swifteats', 'automated');

    // Act
    const withType = await west.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: automated, SnapshotType: 'automated' }));
    const withoutType = await rejectionOf(west.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 'missing-snapshot' })));

    // Assess
    expect(withType.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toEqual([automated]);
    expect(withoutType).toBeInstanceOf(DBSnapshotNotFoundFault);
    expect([withoutType.name, withoutType.Code, withoutType.$metadata.httpStatusCode]).toEqual(['DBSnapshotNotFoundFault', 'DBSnapshotNotFound', 404]);
  });

  it('rejects MaxRecords outside 20..100 with InvalidParameterValue', async () => {
    // Act
    const tooSmall = await rejectionOf(west.send(new DescribeDBSnapshotsCommand({ MaxRecords: 19 })));
    const tooLarge = await rejectionOf(west.send(new DescribeDBSnapshotsCommand({ MaxRecords: 101 })));

    // Assess
    expect([tooSmall.name, tooLarge.name]).toEqual(['InvalidParameterValue', 'InvalidParameterValue']);
  });
});

describe('DeleteDBSnapshot', () => {
  it('deletes an available manual snapshot, refuses one still creating, and throws DBSnapshotNotFoundFault for unknown ids', async () => {
    // Prepare
    rds.addInstance({ id: 'swifteats', region: WEST });
    rds.addSnapshot({ id: 'old', region: WEST, instanceId: 'swifteats' });
    await west.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'swifteats', DBSnapshotIdentifier: 'in-progress' }));

    // Act
    const deleted = await west.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: 'old' }));
    const creating = await rejectionOf(west.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: 'in-progress' })));
    const missing = await rejectionOf(west.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: 'old' })));

    // Assess
    expect(deleted.DBSnapshot?.Status).toBe('deleted');
    expect(creating).toBeInstanceOf(InvalidDBSnapshotStateFault);
    expect([creating.name, creating.Code]).toEqual(['InvalidDBSnapshotStateFault', 'InvalidDBSnapshotState']);
    expect(missing).toBeInstanceOf(DBSnapshotNotFoundFault);
    expect(rds.snapshots(WEST).map((s) => s.DBSnapshotIdentifier)).toEqual(['in-progress']);
  });
});

describe('CopyDBSnapshot across regions', () => {
  it('copies from the source ARN into the caller region with the target KMS key and merged tags', async () => {
    // Prepare
    const sourceTags = [{ Key: 'dr:managed', Value: 'true' }, { Key: 'dr:tier', Value: 'daily' }];
    rds.addSnapshot({ id: 'swifteats-daily-1', region: WEST, instanceId: 'swifteats', tags: sourceTags, SnapshotCreateTime: new Date('2026-11-02T03:00:00Z') });
    const sourceArn = rds.snapshotArn(WEST, 'swifteats-daily-1');
    const drKey = rds.defaultKmsKeyArn(CENTRAL);

    // Act
    const copy = await central.send(
      new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: sourceArn,
        TargetDBSnapshotIdentifier: 'swifteats-daily-1',
        KmsKeyId: drKey,
        CopyTags: true,
        Tags: [{ Key: 'dr:copy', Value: 'offsite' }, { Key: 'dr:tier', Value: 'weekly' }],
      }),
    );
    clock.advance(rds.durations.crossRegionCopyMs);
    const done = rds.snapshot(CENTRAL, 'swifteats-daily-1');

    // Assess
    expect(copy.DBSnapshot).toMatchObject({
      DBSnapshotIdentifier: 'swifteats-daily-1',
      Status: 'copying',
      PercentProgress: 0,
      SourceRegion: WEST,
      SourceDBSnapshotIdentifier: sourceArn,
      KmsKeyId: drKey,
      Encrypted: true,
      OriginalSnapshotCreateTime: new Date('2026-11-02T03:00:00Z'),
      SnapshotDatabaseTime: new Date('2026-11-02T03:00:00Z'),
      DBSnapshotArn: rds.snapshotArn(CENTRAL, 'swifteats-daily-1'),
    });
    expect(copy.DBSnapshot?.SnapshotCreateTime).toBeUndefined();
    expect(done?.Status).toBe('available');
    // SnapshotCreateTime "changes for the copy"; the original time and the data time are the source's.
    expect([done?.SnapshotCreateTime, done?.OriginalSnapshotCreateTime, done?.SnapshotDatabaseTime]).toEqual([T0, new Date('2026-11-02T03:00:00Z'), new Date('2026-11-02T03:00:00Z')]);
    expect(done?.TagList).toEqual([
      { Key: 'dr:managed', Value: 'true' },
      { Key: 'dr:tier', Value: 'weekly' },
      { Key: 'dr:copy', Value: 'offsite' },
    ]);
    expect(rds.calls({ command: 'CopyDBSnapshot' }).map((c) => [c.region, c.input.SourceDBSnapshotIdentifier])).toEqual([[CENTRAL, sourceArn]]);
    expect(rds.snapshots(WEST).map((s) => s.DBSnapshotIdentifier)).toEqual(['swifteats-daily-1']);
  });

  it('requires a KmsKeyId for an encrypted cross-region copy, and an ARN for a source in another region', async () => {
    // Prepare
    rds.addSnapshot({ id: 'snap-1', region: WEST, instanceId: 'swifteats' });

    // Act
    const noKey = await rejectionOf(central.send(new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: rds.snapshotArn(WEST, 'snap-1'), TargetDBSnapshotIdentifier: 'snap-1' })));
    const bareId = await rejectionOf(central.send(new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: 'snap-1', TargetDBSnapshotIdentifier: 'snap-1', KmsKeyId: rds.defaultKmsKeyArn(CENTRAL) })));

    // Assess
    expect([noKey.name, noKey.message]).toEqual(['InvalidParameterValue', 'Must specify new KMS key for cross region encrypted snapshot copy.']);
    expect(bareId).toBeInstanceOf(DBSnapshotNotFoundFault);
    expect(rds.snapshots(CENTRAL)).toEqual([]);
  });

  it('throws KMSKeyNotAccessibleFault for a key marked inaccessible and for a key of another region', async () => {
    // Prepare
    rds.addSnapshot({ id: 'snap-1', region: WEST, instanceId: 'swifteats' });
    const drKey = rds.defaultKmsKeyArn(CENTRAL);
    rds.markKeyInaccessible(drKey);

    // Act
    const disabled = await rejectionOf(central.send(new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: rds.snapshotArn(WEST, 'snap-1'), TargetDBSnapshotIdentifier: 'snap-1', KmsKeyId: drKey })));
    const wrongRegion = await rejectionOf(
      central.send(new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: rds.snapshotArn(WEST, 'snap-1'), TargetDBSnapshotIdentifier: 'snap-1', KmsKeyId: rds.defaultKmsKeyArn(WEST) })),
    );
    rds.markKeyAccessible(drKey);
    const ok = await central.send(new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: rds.snapshotArn(WEST, 'snap-1'), TargetDBSnapshotIdentifier: 'snap-1', KmsKeyId: drKey }));

    // Assess
    expect(disabled).toBeInstanceOf(KMSKeyNotAccessibleFault);
    expect([disabled.name, disabled.Code]).toEqual(['KMSKeyNotAccessibleFault', 'KMSKeyNotAccessibleFault']);
    expect(wrongRegion).toBeInstanceOf(KMSKeyNotAccessibleFault);
    expect(ok.DBSnapshot?.Status).toBe('copying');
  });

  it('copies within a region without SourceRegion, and lets a copy in progress be deleted (cancelled)', async () => {
    // Prepare
    rds.addSnapshot({ id: 'snap-1', region: WEST, instanceId: 'swifteats', tags: [{ Key: 'dr:managed', Value: 'true' }] });

    // Act
    const copy = await west.send(new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: 'snap-1', TargetDBSnapshotIdentifier: 'snap-1-copy' }));
    const cancelled = await west.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: 'snap-1-copy' }));
    clock.advance(rds.durations.snapshotCopyMs);

    // Assess
    expect(copy.DBSnapshot?.SourceRegion).toBeUndefined();
    expect(copy.DBSnapshot?.TagList).toEqual([]);
    expect(cancelled.DBSnapshot?.Status).toBe('deleted');
    expect(rds.snapshots(WEST).map((s) => s.DBSnapshotIdentifier)).toEqual(['snap-1']);
  });
});

describe('fault injection', () => {
  it('throttle mode throws Throttling / Rate exceeded for a burst of N matching calls, then recovers', async () => {
    // Prepare
    seedSnapshots(1, 'snap');
    rds.addInstance({ id: 'swifteats', region: WEST });
    rds.throttle(2, { commands: ['DescribeDBSnapshots'] });

    // Act
    const first = await rejectionOf(west.send(new DescribeDBSnapshotsCommand({})));
    const unaffected = await west.send(new DescribeDBInstancesCommand({}));
    const second = await rejectionOf(west.send(new DescribeDBSnapshotsCommand({})));
    const third = await west.send(new DescribeDBSnapshotsCommand({}));

    // Assess
    for (const error of [first, second]) {
      expect(error).toBeInstanceOf(RDSServiceException);
      expect([error.name, error.message, error.Code, error.$metadata.httpStatusCode]).toEqual(['Throttling', 'Rate exceeded', 'Throttling', 400]);
    }
    expect(unaffected.DBInstances).toHaveLength(1);
    expect(third.DBSnapshots).toHaveLength(1);
    expect(rds.calls({ command: 'DescribeDBSnapshots' }).map((c) => c.outcome)).toEqual(['Throttling', 'Throttling', 'ok']);
  });

  it('failNext fails the next N calls of one command before any state changes', async () => {
    // Prepare
    rds.addInstance({ id: 'swifteats', region: WEST });
    rds.failNext('CreateDBSnapshot', (input) => new InvalidDBInstanceStateFault({ message: `injected for ${String(input.DBSnapshotIdentifier)}`, $metadata: {} }), 2);

    // Act
    const first = await rejectionOf(west.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'swifteats', DBSnapshotIdentifier: 'snap-1' })));
    const second = await rejectionOf(west.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'swifteats', DBSnapshotIdentifier: 'snap-1' })));
    const third = await west.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'swifteats', DBSnapshotIdentifier: 'snap-1' }));

    // Assess
    expect([first.name, first.message]).toEqual(['InvalidDBInstanceStateFault', 'injected for snap-1']);
    expect(second.name).toBe('InvalidDBInstanceStateFault');
    expect(third.DBSnapshot?.Status).toBe('creating');
    expect(rds.callCountsByCommand()).toEqual({ CreateDBSnapshot: 3 });
  });

  it('rejects commands the fake does not model, naming them', async () => {
    // Act
    const error = await rejectionOf(west.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: 'x', DBInstanceClass: 'db.t4g.micro', Engine: 'postgres' })));

    // Assess
    expect(error.message).toBe('RdsFake does not implement CreateDBInstanceCommand; add it to test/support/rds-fake.ts');
  });
});

describe('RebootDBInstance with ForceFailover', () => {
  it('swaps primary and standby AZs once the failover duration has passed', async () => {
    // Prepare
    rds.addInstance({ id: 'swifteats', region: WEST, MultiAZ: true, AvailabilityZone: 'eu-west-1a', SecondaryAvailabilityZone: 'eu-west-1b' });

    // Act
    const rebooting = await west.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: 'swifteats', ForceFailover: true }));
    clock.advance(rds.durations.failoverMs - 1);
    const during = rds.instance(WEST, 'swifteats');
    clock.advance(1);
    const after = await west.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'swifteats' }));

    // Assess
    expect([rebooting.DBInstance?.DBInstanceStatus, rebooting.DBInstance?.AvailabilityZone]).toEqual(['rebooting', 'eu-west-1a']);
    expect([during?.DBInstanceStatus, during?.AvailabilityZone]).toEqual(['rebooting', 'eu-west-1a']);
    expect(after.DBInstances?.map((i) => [i.DBInstanceStatus, i.AvailabilityZone, i.SecondaryAvailabilityZone])).toEqual([['available', 'eu-west-1b', 'eu-west-1a']]);
  });

  it('throws InvalidDBInstanceStateFault for a Single-AZ instance and for an instance that is not available', async () => {
    // Prepare
    rds.addInstance({ id: 'single', region: WEST, MultiAZ: false });
    rds.addInstance({ id: 'multi', region: WEST, MultiAZ: true });
    await west.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: 'multi' }));

    // Act
    const singleAz = await rejectionOf(west.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: 'single', ForceFailover: true })));
    const busy = await rejectionOf(west.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: 'multi', ForceFailover: true })));

    // Assess
    expect(singleAz).toBeInstanceOf(InvalidDBInstanceStateFault);
    expect([singleAz.name, singleAz.Code]).toEqual(['InvalidDBInstanceStateFault', 'InvalidDBInstanceState']);
    expect(busy).toBeInstanceOf(InvalidDBInstanceStateFault);
    expect(rds.instance(WEST, 'single')?.DBInstanceStatus).toBe('available');
  });
});

describe('RestoreDBInstanceToPointInTime', () => {
  it('restores a time inside [earliest, LatestRestorableTime] and records the restored point in time', async () => {
    // Prepare
    rds.addInstance({ id: 'swifteats', region: WEST, BackupRetentionPeriod: 7 });
    const target = new Date(T0.getTime() - 3_600_000);

    // Act
    const restored = await west.send(new RestoreDBInstanceToPointInTimeCommand({ SourceDBInstanceIdentifier: 'swifteats', TargetDBInstanceIdentifier: 'swifteats-pitr', RestoreTime: target }));
    clock.advance(rds.durations.instanceCreateMs);
    const after = rds.instance(WEST, 'swifteats-pitr');

    // Assess
    expect(restored.DBInstance?.DBInstanceStatus).toBe('creating');
    expect(after?.DBInstanceStatus).toBe('available');
    expect(rds.restoreOrigin(WEST, 'swifteats-pitr')).toEqual({ kind: 'point-in-time', sourceArn: rds.instanceArn(WEST, 'swifteats'), restoreTime: target });
  });

  it('rejects times after LatestRestorableTime or before the retention window with InvalidParameterValue', async () => {
    // Prepare
    rds.addInstance({ id: 'swifteats', region: WEST, BackupRetentionPeriod: 7, pitrLagMs: 300_000 });
    const latest = rds.instance(WEST, 'swifteats')?.LatestRestorableTime;

    // Act
    const tooLate = await rejectionOf(
      west.send(new RestoreDBInstanceToPointInTimeCommand({ SourceDBInstanceIdentifier: 'swifteats', TargetDBInstanceIdentifier: 'late', RestoreTime: new Date(T0.getTime() - 299_000) })),
    );
    const tooEarly = await rejectionOf(
      west.send(new RestoreDBInstanceToPointInTimeCommand({ SourceDBInstanceIdentifier: 'swifteats', TargetDBInstanceIdentifier: 'early', RestoreTime: new Date(T0.getTime() - 8 * 86_400_000) })),
    );
    const both = await rejectionOf(
      west.send(new RestoreDBInstanceToPointInTimeCommand({ SourceDBInstanceIdentifier: 'swifteats', TargetDBInstanceIdentifier: 'both', RestoreTime: T0, UseLatestRestorableTime: true })),
    );

    // Assess
    expect(latest).toEqual(new Date(T0.getTime() - 300_000));
    expect([tooLate.name, tooEarly.name, both.name]).toEqual(['InvalidParameterValue', 'InvalidParameterValue', 'InvalidParameterCombination']);
    expect(rds.instances(WEST).map((i) => i.DBInstanceIdentifier)).toEqual(['swifteats']);
  });

  it('restores to LatestRestorableTime with UseLatestRestorableTime, which follows the clock', async () => {
    // Prepare
    rds.addInstance({ id: 'swifteats', region: WEST });
    clock.advance(600_000);

    // Act
    await west.send(new RestoreDBInstanceToPointInTimeCommand({ SourceDBInstanceIdentifier: 'swifteats', TargetDBInstanceIdentifier: 'latest', UseLatestRestorableTime: true }));

    // Assess
    expect(rds.restoreOrigin(WEST, 'latest')).toEqual({ kind: 'point-in-time', sourceArn: rds.instanceArn(WEST, 'swifteats'), restoreTime: new Date(T0.getTime() + 300_000) });
  });

  it('throws PointInTimeRestoreNotEnabledFault when backups are disabled', async () => {
    // Prepare
    rds.addInstance({ id: 'nobackups', region: WEST, BackupRetentionPeriod: 0 });

    // Act
    const error = await rejectionOf(west.send(new RestoreDBInstanceToPointInTimeCommand({ SourceDBInstanceIdentifier: 'nobackups', TargetDBInstanceIdentifier: 't', UseLatestRestorableTime: true })));

    // Assess
    expect(error).toBeInstanceOf(PointInTimeRestoreNotEnabledFault);
    expect([error.name, error.Code]).toEqual(['PointInTimeRestoreNotEnabledFault', 'PointInTimeRestoreNotEnabled']);
  });
});

describe('DB instance lifecycle', () => {
  it('restores from a snapshot with the snapshot tags, then deletes it: deleting, then gone', async () => {
    // Prepare
    rds.addSnapshot({ id: 'snap-1', region: WEST, instanceId: 'swifteats', tags: [{ Key: 'dr:managed', Value: 'true' }] });

    // Act
    const restored = await west.send(
      new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'verify-1', DBSnapshotIdentifier: 'snap-1', DBInstanceClass: 'db.t4g.medium' }),
    );
    clock.advance(rds.durations.instanceCreateMs);
    const available = rds.instance(WEST, 'verify-1');
    const origin = rds.restoreOrigin(WEST, 'verify-1');
    const deleting = await west.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'verify-1', SkipFinalSnapshot: true }));
    clock.advance(rds.durations.instanceDeleteMs);
    const gone = await rejectionOf(west.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'verify-1' })));

    // Assess
    expect([restored.DBInstance?.DBInstanceStatus, restored.DBInstance?.DBInstanceClass, restored.DBInstance?.TagList]).toEqual([
      'creating',
      'db.t4g.medium',
      [{ Key: 'dr:managed', Value: 'true' }],
    ]);
    expect(available?.DBInstanceStatus).toBe('available');
    expect(origin).toEqual({ kind: 'snapshot', snapshotArn: rds.snapshotArn(WEST, 'snap-1') });
    expect(deleting.DBInstance?.DBInstanceStatus).toBe('deleting');
    expect(gone).toBeInstanceOf(DBInstanceNotFoundFault);
  });

  it('requires a final snapshot decision and honours deletion protection', async () => {
    // Prepare
    rds.addInstance({ id: 'protected', region: WEST, DeletionProtection: true });
    rds.addInstance({ id: 'plain', region: WEST });

    // Act
    const protectedError = await rejectionOf(west.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'protected', SkipFinalSnapshot: true })));
    const noDecision = await rejectionOf(west.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'plain' })));
    await west.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'protected', DeletionProtection: false }));
    const withFinal = await west.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'protected', FinalDBSnapshotIdentifier: 'protected-final' }));

    // Assess
    expect(protectedError.name).toBe('InvalidParameterCombination');
    expect([noDecision.name, noDecision.message]).toEqual(['InvalidParameterCombination', 'FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.']);
    expect(withFinal.DBInstance?.DBInstanceStatus).toBe('deleting');
    expect(rds.snapshot(WEST, 'protected-final')?.Status).toBe('creating');
  });

  it('promotes a cross-region read replica: modifying, then standalone, and unlinked from its source', async () => {
    // Prepare
    rds.addInstance({ id: 'swifteats', region: WEST });
    rds.addInstance({ id: 'swifteats-dr', region: CENTRAL, MultiAZ: false, ReadReplicaSourceDBInstanceIdentifier: rds.instanceArn(WEST, 'swifteats') });
    const linked = rds.instance(WEST, 'swifteats')?.ReadReplicaDBInstanceIdentifiers;

    // Act
    const promoting = await central.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: 'swifteats-dr', BackupRetentionPeriod: 7 }));
    clock.advance(rds.durations.promoteMs);
    const promoted = rds.instance(CENTRAL, 'swifteats-dr');
    const again = await rejectionOf(central.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: 'swifteats-dr' })));

    // Assess
    expect(linked).toEqual([rds.instanceArn(CENTRAL, 'swifteats-dr')]);
    expect(promoting.DBInstance?.DBInstanceStatus).toBe('modifying');
    expect([promoted?.DBInstanceStatus, promoted?.ReadReplicaSourceDBInstanceIdentifier, promoted?.BackupRetentionPeriod]).toEqual(['available', undefined, 7]);
    expect(rds.instance(WEST, 'swifteats')?.ReadReplicaDBInstanceIdentifiers).toEqual([]);
    expect(again).toBeInstanceOf(InvalidDBInstanceStateFault);
  });

  it('applies a Multi-AZ conversion after the modify duration when ApplyImmediately, and only records it as pending otherwise', async () => {
    // Prepare
    rds.addInstance({ id: 'now', region: WEST, MultiAZ: false });
    rds.addInstance({ id: 'later', region: WEST, MultiAZ: false });

    // Act
    const modifying = await west.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'now', MultiAZ: true, ApplyImmediately: true }));
    const pending = await west.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'later', MultiAZ: true }));
    clock.advance(rds.durations.modifyMs);
    const converted = rds.instance(WEST, 'now');

    // Assess
    expect(modifying.DBInstance?.DBInstanceStatus).toBe('modifying');
    expect([converted?.DBInstanceStatus, converted?.MultiAZ, converted?.SecondaryAvailabilityZone]).toEqual(['available', true, 'eu-west-1b']);
    expect([pending.DBInstance?.MultiAZ, pending.DBInstance?.PendingModifiedValues]).toEqual([false, { MultiAZ: true }]);
  });

  it('paginates DescribeDBInstances with paginateDescribeDBInstances', async () => {
    // Prepare
    const ids = Array.from({ length: 25 }, (_, i) => `db-${String(i).padStart(2, '0')}`);
    for (const id of ids) rds.addInstance({ id, region: WEST });

    // Act
    const seen: string[] = [];
    for await (const page of paginateDescribeDBInstances({ client: west, pageSize: 20 }, {})) {
      for (const instance of page.DBInstances ?? []) seen.push(instance.DBInstanceIdentifier ?? '');
    }

    // Assess
    expect(seen).toEqual(ids);
    expect(rds.callCount('DescribeDBInstances')).toBe(2);
  });
});

describe('Multi-AZ DB clusters', () => {
  it('fails over to a readable standby: failing-over, then the writer flag and writer AZ move', async () => {
    // Prepare
    rds.addCluster({ id: 'swifteats', region: WEST });

    // Act
    const failing = await west.send(new FailoverDBClusterCommand({ DBClusterIdentifier: 'swifteats', TargetDBInstanceIdentifier: 'swifteats-instance-2' }));
    clock.advance(rds.durations.clusterFailoverMs);
    const cluster = await west.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'swifteats' }));
    const members = await west.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-cluster-id', Values: ['swifteats'] }] }));

    // Assess
    expect(failing.DBCluster?.Status).toBe('failing-over');
    expect(cluster.DBClusters?.[0]?.Status).toBe('available');
    expect(cluster.DBClusters?.[0]?.DBClusterMembers?.map((m) => [m.DBInstanceIdentifier, m.IsClusterWriter])).toEqual([
      ['swifteats-instance-1', false],
      ['swifteats-instance-2', true],
      ['swifteats-instance-3', false],
    ]);
    expect(members.DBInstances?.map((i) => [i.DBInstanceIdentifier, i.AvailabilityZone])).toEqual([
      ['swifteats-instance-1', 'eu-west-1a'],
      ['swifteats-instance-2', 'eu-west-1b'],
      ['swifteats-instance-3', 'eu-west-1c'],
    ]);
  });

  it('throws InvalidDBInstanceStateFault for a target that is not a reader, and DBClusterNotFoundFault for unknown clusters', async () => {
    // Prepare
    rds.addCluster({ id: 'swifteats', region: WEST });

    // Act
    const writerTarget = await rejectionOf(west.send(new FailoverDBClusterCommand({ DBClusterIdentifier: 'swifteats', TargetDBInstanceIdentifier: 'swifteats-instance-1' })));
    const unknown = await rejectionOf(west.send(new FailoverDBClusterCommand({ DBClusterIdentifier: 'nope' })));

    // Assess
    expect(writerTarget).toBeInstanceOf(InvalidDBInstanceStateFault);
    expect(unknown).toBeInstanceOf(DBClusterNotFoundFault);
    expect([unknown.name, unknown.Code, unknown.$metadata.httpStatusCode]).toEqual(['DBClusterNotFoundFault', 'DBClusterNotFoundFault', 404]);
  });

  it('snapshots, restores from the snapshot and to a point in time, and deletes clusters over virtual time', async () => {
    // Prepare
    rds.addCluster({ id: 'swifteats', region: WEST, tags: [{ Key: 'app', Value: 'swifteats' }] });

    // Act
    await west.send(new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: 'swifteats', DBClusterSnapshotIdentifier: 'swifteats-daily-1', Tags: [{ Key: 'dr:managed', Value: 'true' }] }));
    clock.advance(rds.durations.snapshotCreateMs);
    const fromSnapshot = await west.send(
      new RestoreDBClusterFromSnapshotCommand({ DBClusterIdentifier: 'verify-1', SnapshotIdentifier: 'swifteats-daily-1', Engine: 'postgres', DBClusterInstanceClass: 'db.m6gd.large' }),
    );
    const tooLate = await rejectionOf(
      west.send(new RestoreDBClusterToPointInTimeCommand({ DBClusterIdentifier: 'pitr-1', SourceDBClusterIdentifier: 'swifteats', RestoreToTime: clock.now() })),
    );
    await west.send(new RestoreDBClusterToPointInTimeCommand({ DBClusterIdentifier: 'pitr-1', SourceDBClusterIdentifier: 'swifteats', UseLatestRestorableTime: true }));
    clock.advance(rds.durations.clusterCreateMs);
    const restored = rds.cluster(WEST, 'verify-1');
    const deleting = await west.send(new DeleteDBClusterCommand({ DBClusterIdentifier: 'verify-1', SkipFinalSnapshot: true }));
    clock.advance(rds.durations.clusterDeleteMs);

    // Assess
    expect(rds.clusterSnapshot(WEST, 'swifteats-daily-1')).toMatchObject({ Status: 'available', PercentProgress: 100, TagList: [{ Key: 'dr:managed', Value: 'true' }] });
    expect(fromSnapshot.DBCluster?.Status).toBe('creating');
    expect(tooLate.name).toBe('InvalidParameterValue');
    expect([restored?.Status, restored?.DBClusterMembers?.length, restored?.TagList]).toEqual(['available', 3, [{ Key: 'dr:managed', Value: 'true' }]]);
    expect(rds.restoreOrigin(WEST, 'pitr-1')).toEqual({
      kind: 'point-in-time',
      sourceArn: rds.clusterArn(WEST, 'swifteats'),
      restoreTime: new Date(T0.getTime() + rds.durations.snapshotCreateMs - 300_000),
    });
    expect(deleting.DBCluster?.Status).toBe('deleting');
    expect(rds.cluster(WEST, 'verify-1')).toBeUndefined();
    expect(rds.instance(WEST, 'verify-1-instance-1')).toBeUndefined();
  });

  it('describes cluster snapshots by cluster and Filters, and enforces cluster state and the ManualClusterSnapshots quota', async () => {
    // Prepare
    rds.addCluster({ id: 'swifteats', region: WEST });
    rds.addCluster({ id: 'busy', region: WEST, status: 'modifying' });
    rds.addClusterSnapshot({ id: 'swifteats-1', region: WEST, clusterId: 'swifteats' });
    rds.addClusterSnapshot({ id: 'rds:swifteats-2026-11-01-03-10', region: WEST, clusterId: 'swifteats', SnapshotType: 'automated' });
    rds.addClusterSnapshot({ id: 'other-1', region: WEST, clusterId: 'other' });
    rds.setQuota('ManualClusterSnapshots', 2, WEST);

    // Act
    const byCluster = await west.send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: 'swifteats' }));
    const byFilter = await west.send(new DescribeDBClusterSnapshotsCommand({ Filters: [{ Name: 'snapshot-type', Values: ['manual'] }] }));
    const busy = await rejectionOf(west.send(new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: 'busy', DBClusterSnapshotIdentifier: 'busy-1' })));
    const overQuota = await rejectionOf(west.send(new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: 'swifteats', DBClusterSnapshotIdentifier: 'swifteats-2' })));

    // Assess
    expect(byCluster.DBClusterSnapshots?.map((s) => s.DBClusterSnapshotIdentifier)).toEqual(['swifteats-1', 'rds:swifteats-2026-11-01-03-10']);
    expect(byFilter.DBClusterSnapshots?.map((s) => s.DBClusterSnapshotIdentifier)).toEqual(['swifteats-1', 'other-1']);
    expect(busy).toBeInstanceOf(InvalidDBClusterStateFault);
    expect([busy.name, busy.Code]).toEqual(['InvalidDBClusterStateFault', 'InvalidDBClusterStateFault']);
    expect(overQuota).toBeInstanceOf(SnapshotQuotaExceededFault);
  });

  it('refuses to copy a Multi-AZ DB cluster snapshot but copies an Aurora one', async () => {
    // Prepare
    rds.addClusterSnapshot({ id: 'maz-snap', region: WEST, clusterId: 'swifteats' });
    rds.addClusterSnapshot({ id: 'aurora-snap', region: WEST, clusterId: 'aurora', Engine: 'aurora-postgresql' });

    // Act
    const multiAz = await rejectionOf(
      central.send(new CopyDBClusterSnapshotCommand({ SourceDBClusterSnapshotIdentifier: rds.clusterSnapshotArn(WEST, 'maz-snap'), TargetDBClusterSnapshotIdentifier: 'maz-snap', KmsKeyId: rds.defaultKmsKeyArn(CENTRAL) })),
    );
    const aurora = await central.send(
      new CopyDBClusterSnapshotCommand({ SourceDBClusterSnapshotIdentifier: rds.clusterSnapshotArn(WEST, 'aurora-snap'), TargetDBClusterSnapshotIdentifier: 'aurora-snap', KmsKeyId: rds.defaultKmsKeyArn(CENTRAL) }),
    );

    // Assess
    expect(multiAz.name).toBe('InvalidParameterCombination');
    expect(aurora.DBClusterSnapshot).toMatchObject({ Status: 'copying', SourceDBClusterSnapshotArn: rds.clusterSnapshotArn(WEST, 'aurora-snap'), KmsKeyId: rds.defaultKmsKeyArn(CENTRAL) });
  });
});

describe('tags', () => {
  it('adds (overwriting by key), lists and removes tags by ARN', async () => {
    // Prepare
    rds.addSnapshot({ id: 'snap-1', region: WEST, instanceId: 'swifteats', tags: [{ Key: 'dr:managed', Value: 'true' }] });
    const arn = rds.snapshotArn(WEST, 'snap-1');

    // Act
    await west.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: [{ Key: 'dr:verified', Value: 'false' }] }));
    await west.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: [{ Key: 'dr:verified', Value: '2026-11-02T09:00:00Z' }] }));
    const listed = await west.send(new ListTagsForResourceCommand({ ResourceName: arn }));
    await west.send(new RemoveTagsFromResourceCommand({ ResourceName: arn, TagKeys: ['dr:managed'] }));
    const described = await west.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 'snap-1' }));

    // Assess
    expect(listed.TagList).toEqual([
      { Key: 'dr:managed', Value: 'true' },
      { Key: 'dr:verified', Value: '2026-11-02T09:00:00Z' },
    ]);
    expect(described.DBSnapshots?.[0]?.TagList).toEqual([{ Key: 'dr:verified', Value: '2026-11-02T09:00:00Z' }]);
  });

  it('throws the not-found fault of the resource type and rejects the reserved aws: prefix', async () => {
    // Prepare
    rds.addInstance({ id: 'swifteats', region: WEST });

    // Act
    const missingSnapshot = await rejectionOf(west.send(new ListTagsForResourceCommand({ ResourceName: rds.snapshotArn(WEST, 'missing') })));
    const missingCluster = await rejectionOf(west.send(new ListTagsForResourceCommand({ ResourceName: rds.clusterArn(WEST, 'missing') })));
    const reserved = await rejectionOf(west.send(new AddTagsToResourceCommand({ ResourceName: rds.instanceArn(WEST, 'swifteats'), Tags: [{ Key: 'aws:x', Value: 'y' }] })));

    // Assess
    expect(missingSnapshot).toBeInstanceOf(DBSnapshotNotFoundFault);
    expect(missingCluster).toBeInstanceOf(DBClusterNotFoundFault);
    expect(reserved.name).toBe('InvalidParameterValue');
    expect(rds.instance(WEST, 'swifteats')?.TagList).toEqual([]);
  });
});

describe('routing and the call log', () => {
  it('routes concurrent calls by each client region and keeps regional state apart', async () => {
    // Prepare
    rds.addSnapshot({ id: 'west-only', region: WEST, instanceId: 'swifteats' });
    rds.addSnapshot({ id: 'central-only', region: CENTRAL, instanceId: 'swifteats' });

    // Act
    const [fromWest, fromCentral] = await Promise.all([west.send(new DescribeDBSnapshotsCommand({})), central.send(new DescribeDBSnapshotsCommand({}))]);

    // Assess
    expect(fromWest.DBSnapshots?.map((s: DBSnapshot) => s.DBSnapshotIdentifier)).toEqual(['west-only']);
    expect(fromCentral.DBSnapshots?.map((s: DBSnapshot) => s.DBSnapshotIdentifier)).toEqual(['central-only']);
    expect(rds.calls().map((c) => c.region)).toEqual([WEST, CENTRAL]);
  });

  it('serves Step Functions style calls through handle(), recording a copy of the input', async () => {
    // Prepare
    rds.addInstance({ id: 'swifteats', region: WEST });
    const input = { DBInstanceIdentifier: 'swifteats', DBSnapshotIdentifier: 'sfn-snap' };

    // Act
    const output = (await rds.handle('createDBSnapshot', input, WEST)) as { DBSnapshot?: DBSnapshot; $metadata: { httpStatusCode?: number } };
    input.DBSnapshotIdentifier = 'mutated-after-the-call';

    // Assess
    expect([output.DBSnapshot?.DBSnapshotIdentifier, output.$metadata.httpStatusCode]).toEqual(['sfn-snap', 200]);
    expect(rds.calls({ command: 'CreateDBSnapshot' }).map((c) => c.input.DBSnapshotIdentifier)).toEqual(['sfn-snap']);
  });
});

describe('managed master secrets', () => {
  it('ModifyDBCluster and ModifyDBInstance with ManageMasterUserPassword: modifying with a creating secret, then available with an active one', async () => {
    // Prepare
    rds.addCluster({ id: 'swiftc', region: WEST });
    rds.addInstance({ id: 'swifteats', region: WEST });
    const key = rds.defaultKmsKeyArn(WEST);
    // Act
    const cluster = await west.send(new ModifyDBClusterCommand({ DBClusterIdentifier: 'swiftc', ManageMasterUserPassword: true, MasterUserSecretKmsKeyId: key, ApplyImmediately: true }));
    const instance = await west.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'swifteats', ManageMasterUserPassword: true, MasterUserSecretKmsKeyId: key, ApplyImmediately: true }));
    const busy = await rejectionOf(west.send(new ModifyDBClusterCommand({ DBClusterIdentifier: 'swiftc', BackupRetentionPeriod: 3 })));
    clock.advance(rds.durations.manageSecretMs);
    const off = await rejectionOf(west.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'swifteats', ManageMasterUserPassword: false })).then(() => west.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'swifteats', ManageMasterUserPassword: false }))));
    // Assess
    expect([cluster.DBCluster?.Status, cluster.DBCluster?.MasterUserSecret]).toEqual(['modifying', { SecretArn: rds.masterSecretArn(WEST, 'cluster', 'swiftc'), SecretStatus: 'creating', KmsKeyId: key }]);
    expect([instance.DBInstance?.DBInstanceStatus, instance.DBInstance?.MasterUserSecret?.SecretStatus]).toEqual(['modifying', 'creating']);
    expect(busy).toBeInstanceOf(InvalidDBClusterStateFault);
    expect([rds.cluster(WEST, 'swiftc')?.Status, rds.cluster(WEST, 'swiftc')?.MasterUserSecret?.SecretStatus]).toEqual(['available', 'active']);
    expect(off.name).toBe('InvalidParameterCombination');
    expect(rds.instance(WEST, 'swifteats')?.MasterUserSecret).toBeUndefined();
  });
});

describe('DescribeDBInstanceAutomatedBackups', () => {
  it('shows replicated backups in the DR region, filtered by the source ARN, through the adapter the rpo monitor uses', async () => {
    // Prepare
    rds.addInstance({ id: 'swifteats', region: WEST, BackupRetentionPeriod: 14 });
    rds.addInstance({ id: 'other', region: WEST });
    rds.replicateAutomatedBackups({ sourceRegion: WEST, sourceId: 'swifteats', region: CENTRAL, lagMs: 600_000 });
    rds.replicateAutomatedBackups({ sourceRegion: WEST, sourceId: 'other', region: CENTRAL });
    const arn = rds.instanceArn(WEST, 'swifteats');
    // Act
    const byArn = await central.send(new DescribeDBInstanceAutomatedBackupsCommand({ Filters: [{ Name: 'db-instance-id', Values: [arn] }] }));
    const latest = await controlPlaneFor('multi-az-instance', new RDSClient({ region: CENTRAL }), CENTRAL).replicatedBackupRestorableTime(arn);
    const local = await west.send(new DescribeDBInstanceAutomatedBackupsCommand({ DBInstanceIdentifier: 'swifteats' }));
    const missing = await rejectionOf(central.send(new DescribeDBInstanceAutomatedBackupsCommand({ DBInstanceIdentifier: 'nope' })));
    // Assess: RDS's LatestRestorableTime trails by 5 min, the replication by 10 more.
    expect(byArn.DBInstanceAutomatedBackups?.map((b) => [b.DBInstanceArn, b.Region, b.Status, b.RestoreWindow?.LatestTime])).toEqual([[arn, WEST, 'replicating', new Date(T0.getTime() - 900_000)]]);
    expect(latest).toEqual(new Date(T0.getTime() - 900_000));
    expect(local.DBInstanceAutomatedBackups?.map((b) => [b.Status, b.Region, b.BackupRetentionPeriod])).toEqual([['active', WEST, 14]]);
    expect(missing.name).toBe('DBInstanceAutomatedBackupNotFoundFault');
  });
});
