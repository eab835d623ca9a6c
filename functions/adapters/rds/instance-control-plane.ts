/**
 * The {@link DatabaseControlPlane} port for a Multi-AZ DB instance (and its cross-region read
 * replica): DB instances, DB snapshots, replicated automated backups. RDS faults become typed
 * errors through ../sdk-errors.ts, the SDK error kept as `cause`.
 */
import {
  CopyDBSnapshotCommand,
  CreateDBSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  PromoteReadReplicaCommand,
  RebootDBInstanceCommand,
  paginateDescribeDBInstanceAutomatedBackups,
  paginateDescribeDBSnapshots,
  type DBSnapshot,
  type DBInstance,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { CopySnapshotRequest, DatabaseControlPlane, DatabaseState, Snapshot, SnapshotQuota, WriterState } from '../../ports/database-control-plane.ts';
import { DatabaseNotFoundError, SnapshotNotFoundError } from '../../shared/errors.ts';
import { addTags, call, manualSnapshotQuota, tagList, tagsOf } from './common.ts';

/** A DB snapshot as the port reports it. */
function fromDbSnapshot(s: DBSnapshot): Snapshot {
  return {
    id: s.DBSnapshotIdentifier ?? '',
    arn: s.DBSnapshotArn ?? '',
    databaseId: s.DBInstanceIdentifier ?? '',
    status: s.Status ?? 'unknown',
    type: s.SnapshotType ?? 'unknown',
    createdAt: s.SnapshotCreateTime ?? null,
    percentProgress: s.PercentProgress ?? null,
    encrypted: s.Encrypted ?? false,
    kmsKeyId: s.KmsKeyId ?? null,
    tags: tagsOf(s.TagList),
    originalCreatedAt: s.OriginalSnapshotCreateTime ?? null,
    databaseTime: s.SnapshotDatabaseTime ?? null,
  };
}

/** The DB instance, or DatabaseNotFoundError. */
async function describeInstance(rds: RDSClient, identifier: string): Promise<DBInstance> {
  const out = await call('DescribeDBInstances', () => rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier })));
  const db = out.DBInstances?.[0];
  if (!db) throw new DatabaseNotFoundError(`DescribeDBInstances: DB instance ${identifier} not found`);
  return db;
}

/** DB instance topology: DB snapshots. */
export class RdsInstanceControlPlane implements DatabaseControlPlane {
  readonly topology = 'multi-az-instance' as const;
  readonly region: string;
  // A plain field, not #private: a control plane stays usable as the prototype of a wrapper (Object.create).
  private readonly rds: RDSClient;

  constructor(rds: RDSClient, region: string) {
    this.rds = rds;
    this.region = region;
  }

  async addTags(arn: string, tags: Readonly<Record<string, string>>): Promise<void> {
    await addTags(this.rds, arn, tags);
  }

  async manualSnapshotQuota(): Promise<SnapshotQuota> {
    return manualSnapshotQuota(this.rds, 'ManualSnapshots');
  }

  async describeDatabase(identifier: string): Promise<DatabaseState> {
    const db = await describeInstance(this.rds, identifier);
    return {
      identifier,
      arn: db.DBInstanceArn ?? '',
      status: db.DBInstanceStatus ?? 'unknown',
      latestRestorableTime: db.LatestRestorableTime ?? null,
      kmsKeyId: db.KmsKeyId ?? null,
      // MultiAZ alone is also true while a conversion is still creating the standby; the
      // secondary AZ appears once the standby exists.
      multiAz: db.MultiAZ === true && db.SecondaryAvailabilityZone !== undefined,
    };
  }

  async createSnapshot(databaseId: string, snapshotId: string, tags: Readonly<Record<string, string>>): Promise<Snapshot> {
    const out = await call('CreateDBSnapshot', () =>
      this.rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: databaseId, DBSnapshotIdentifier: snapshotId, Tags: tagList(tags) })),
    );
    return fromDbSnapshot({ ...out.DBSnapshot, TagList: out.DBSnapshot?.TagList ?? tagList(tags) });
  }

  async getSnapshot(snapshotId: string): Promise<Snapshot> {
    const out = await call('DescribeDBSnapshots', () => this.rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotId })));
    const snapshot = out.DBSnapshots?.[0];
    if (!snapshot) throw new SnapshotNotFoundError(`DescribeDBSnapshots: DB snapshot ${snapshotId} not found`);
    return fromDbSnapshot(snapshot);
  }

  async listManualSnapshots(databaseId: string): Promise<Snapshot[]> {
    const out: Snapshot[] = [];
    await call('DescribeDBSnapshots', async () => {
      const pages = paginateDescribeDBSnapshots({ client: this.rds, pageSize: 100 }, { DBInstanceIdentifier: databaseId, SnapshotType: 'manual' });
      for await (const page of pages) for (const s of page.DBSnapshots ?? []) out.push(fromDbSnapshot(s));
    });
    return out;
  }

  async deleteSnapshot(snapshotId: string): Promise<void> {
    await call('DeleteDBSnapshot', () => this.rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: snapshotId })));
  }

  /**
   * The source region travels in the ARN. No PreSignedUrl: outside GovCloud RDS ignores it
   * (RDS API reference, CopyDBSnapshot, PreSignedUrl).
   */
  async copySnapshot(request: CopySnapshotRequest): Promise<Snapshot> {
    const out = await call('CopyDBSnapshot', () =>
      this.rds.send(
        new CopyDBSnapshotCommand({
          SourceDBSnapshotIdentifier: request.sourceArn,
          TargetDBSnapshotIdentifier: request.targetId,
          KmsKeyId: request.kmsKeyId,
          Tags: tagList(request.tags),
        }),
      ),
    );
    return fromDbSnapshot({ ...out.DBSnapshot, TagList: out.DBSnapshot?.TagList ?? tagList(request.tags) });
  }

  /**
   * The primary's AZ is the writer's location: a forced failover swaps it with the standby's
   * (`SecondaryAvailabilityZone`), which is how the workflow sees the failover has happened.
   */
  async describeWriter(identifier: string): Promise<WriterState> {
    const db = await describeInstance(this.rds, identifier);
    return {
      identifier,
      arn: db.DBInstanceArn ?? '',
      status: db.DBInstanceStatus ?? 'unknown',
      writer: db.AvailabilityZone ?? null,
      standbys: db.MultiAZ === true && db.SecondaryAvailabilityZone !== undefined ? 1 : 0,
      replicaSource: db.ReadReplicaSourceDBInstanceIdentifier ?? null,
      endpoint: db.Endpoint?.Address === undefined ? null : { address: db.Endpoint.Address, port: db.Endpoint.Port ?? 5432 },
    };
  }

  /** RebootDBInstance with ForceFailover: RDS refuses it (InvalidDBInstanceState) unless the instance is Multi-AZ and available. */
  async forceFailover(identifier: string): Promise<void> {
    await call('RebootDBInstance', () => this.rds.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: identifier, ForceFailover: true })));
  }

  /** PromoteReadReplica; RDS refuses it (InvalidDBInstanceState) unless the instance is an available read replica. */
  async promoteReadReplica(identifier: string): Promise<void> {
    await call('PromoteReadReplica', () => this.rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: identifier })));
  }

  /**
   * DescribeDBInstanceAutomatedBackups in this (the destination) region, filtered by the source
   * ARN (filter `db-instance-id` accepts ARNs; RDS API reference). The newest `RestoreWindow.LatestTime`
   * of any match wins: a retained backup whose replication stopped keeps an old window, so
   * taking the newest never hides a stalled replication when it is the only one.
   */
  async replicatedBackupRestorableTime(sourceArn: string): Promise<Date | null> {
    let newest: Date | null = null;
    await call('DescribeDBInstanceAutomatedBackups', async () => {
      const pages = paginateDescribeDBInstanceAutomatedBackups({ client: this.rds, pageSize: 100 }, { Filters: [{ Name: 'db-instance-id', Values: [sourceArn] }] });
      for await (const page of pages) {
        for (const backup of page.DBInstanceAutomatedBackups ?? []) {
          const latest = backup.RestoreWindow?.LatestTime;
          if (latest !== undefined && (newest === null || latest.getTime() > newest.getTime())) newest = latest;
        }
      }
    });
    return newest;
  }
}
