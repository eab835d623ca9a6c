/**
 * The {@link DatabaseControlPlane} port for a Multi-AZ DB cluster: DB clusters and DB cluster
 * snapshots. RDS has no cross-region read replica of such a cluster and does not replicate its
 * automated backups to another region, so those two methods make no call. RDS faults become
 * typed errors through ../sdk-errors.ts, the SDK error kept as `cause`.
 */
import {
  CopyDBClusterSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  FailoverDBClusterCommand,
  paginateDescribeDBClusterSnapshots,
  type DBClusterSnapshot,
  type DBCluster,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { CopySnapshotRequest, DatabaseControlPlane, DatabaseState, Snapshot, SnapshotQuota, WriterState } from '../../ports/database-control-plane.ts';
import { ConfigurationError, DatabaseNotFoundError, SnapshotNotFoundError } from '../../shared/errors.ts';
import { addTags, call, manualSnapshotQuota, tagList, tagsOf } from './common.ts';

/** A DB cluster snapshot as the port reports it. */
function fromClusterSnapshot(s: DBClusterSnapshot): Snapshot {
  return {
    id: s.DBClusterSnapshotIdentifier ?? '',
    arn: s.DBClusterSnapshotArn ?? '',
    databaseId: s.DBClusterIdentifier ?? '',
    status: s.Status ?? 'unknown',
    type: s.SnapshotType ?? 'unknown',
    createdAt: s.SnapshotCreateTime ?? null,
    percentProgress: s.PercentProgress ?? null,
    encrypted: s.StorageEncrypted ?? false,
    kmsKeyId: s.KmsKeyId ?? null,
    tags: tagsOf(s.TagList),
  };
}

/** The DB cluster, or DatabaseNotFoundError. */
async function describeCluster(rds: RDSClient, identifier: string): Promise<DBCluster> {
  const out = await call('DescribeDBClusters', () => rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier })));
  const db = out.DBClusters?.[0];
  if (!db) throw new DatabaseNotFoundError(`DescribeDBClusters: DB cluster ${identifier} not found`);
  return db;
}

/** Multi-AZ DB cluster topology: DB cluster snapshots. */
export class RdsClusterControlPlane implements DatabaseControlPlane {
  readonly topology = 'multi-az-cluster' as const;
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
    return manualSnapshotQuota(this.rds, 'ManualClusterSnapshots');
  }

  async describeDatabase(identifier: string): Promise<DatabaseState> {
    const db = await describeCluster(this.rds, identifier);
    return {
      identifier,
      arn: db.DBClusterArn ?? '',
      status: db.Status ?? 'unknown',
      latestRestorableTime: db.LatestRestorableTime ?? null,
      kmsKeyId: db.KmsKeyId ?? null,
      // Semi-synchronous replication needs a reader to acknowledge each commit.
      multiAz: db.MultiAZ === true && (db.DBClusterMembers ?? []).some((m) => m.IsClusterWriter === false),
    };
  }

  async createSnapshot(databaseId: string, snapshotId: string, tags: Readonly<Record<string, string>>): Promise<Snapshot> {
    const out = await call('CreateDBClusterSnapshot', () =>
      this.rds.send(new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: databaseId, DBClusterSnapshotIdentifier: snapshotId, Tags: tagList(tags) })),
    );
    return fromClusterSnapshot({ ...out.DBClusterSnapshot, TagList: out.DBClusterSnapshot?.TagList ?? tagList(tags) });
  }

  async getSnapshot(snapshotId: string): Promise<Snapshot> {
    const out = await call('DescribeDBClusterSnapshots', () =>
      this.rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: snapshotId })),
    );
    const snapshot = out.DBClusterSnapshots?.[0];
    if (!snapshot) throw new SnapshotNotFoundError(`DescribeDBClusterSnapshots: DB cluster snapshot ${snapshotId} not found`);
    return fromClusterSnapshot(snapshot);
  }

  async listManualSnapshots(databaseId: string): Promise<Snapshot[]> {
    const out: Snapshot[] = [];
    await call('DescribeDBClusterSnapshots', async () => {
      const pages = paginateDescribeDBClusterSnapshots({ client: this.rds, pageSize: 100 }, { DBClusterIdentifier: databaseId, SnapshotType: 'manual' });
      for await (const page of pages) for (const s of page.DBClusterSnapshots ?? []) out.push(fromClusterSnapshot(s));
    });
    return out;
  }

  async deleteSnapshot(snapshotId: string): Promise<void> {
    await call('DeleteDBClusterSnapshot', () => this.rds.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: snapshotId })));
  }

  async copySnapshot(request: CopySnapshotRequest): Promise<Snapshot> {
    // RDS does not copy Multi-AZ DB cluster snapshots across regions; configuration
    // validation refuses it, and this call would fail with RDS's own error if reached.
    const out = await call('CopyDBClusterSnapshot', () =>
      this.rds.send(
        new CopyDBClusterSnapshotCommand({
          SourceDBClusterSnapshotIdentifier: request.sourceArn,
          TargetDBClusterSnapshotIdentifier: request.targetId,
          KmsKeyId: request.kmsKeyId,
          Tags: tagList(request.tags),
        }),
      ),
    );
    return fromClusterSnapshot({ ...out.DBClusterSnapshot, TagList: out.DBClusterSnapshot?.TagList ?? tagList(request.tags) });
  }

  /** The writer member's identifier is the writer's location; the other members are the readable standbys. */
  async describeWriter(identifier: string): Promise<WriterState> {
    const db = await describeCluster(this.rds, identifier);
    const members = db.DBClusterMembers ?? [];
    return {
      identifier,
      arn: db.DBClusterArn ?? '',
      status: db.Status ?? 'unknown',
      writer: members.find((m) => m.IsClusterWriter === true)?.DBInstanceIdentifier ?? null,
      standbys: members.filter((m) => m.IsClusterWriter !== true).length,
      replicaSource: db.ReplicationSourceIdentifier ?? null,
      endpoint: db.Endpoint === undefined ? null : { address: db.Endpoint, port: db.Port ?? 5432 },
    };
  }

  /** FailoverDBCluster without a target: RDS promotes a readable standby (InvalidDBClusterState unless available). */
  async forceFailover(identifier: string): Promise<void> {
    await call('FailoverDBCluster', () => this.rds.send(new FailoverDBClusterCommand({ DBClusterIdentifier: identifier })));
  }

  /** RDS has no cross-region read replica of a Multi-AZ DB cluster (configuration validation refuses one). */
  async promoteReadReplica(identifier: string): Promise<void> {
    throw new ConfigurationError(`promoting ${identifier}: Multi-AZ DB clusters have no cross-region read replica to promote`);
  }

  /** RDS does not replicate a Multi-AZ DB cluster's automated backups to another region. */
  async replicatedBackupRestorableTime(_sourceArn: string): Promise<Date | null> {
    return null;
  }
}
