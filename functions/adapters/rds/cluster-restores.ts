/**
 * The {@link RestoreControlPlane} port for Multi-AZ DB clusters, whose restores need the
 * cluster instance class and storage: restores from DB cluster snapshots and to a point in
 * time, the restored clusters' own master secret, the sweeper's list and delete.
 */
import {
  DeleteDBClusterCommand,
  DescribeDBClustersCommand,
  ModifyDBClusterCommand,
  paginateDescribeDBClusters,
  RestoreDBClusterFromSnapshotCommand,
  RestoreDBClusterToPointInTimeCommand,
  type DBCluster,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { RestoreControlPlane, RestoredDatabase, RestorePlacement, RestoreWindow } from '../../ports/restore-control-plane.ts';
import { DatabaseNotFoundError } from '../../shared/errors.ts';
import { call, tagList, tagsOf } from './common.ts';

/** A DB cluster as the port reports it. */
function fromCluster(db: DBCluster): RestoredDatabase {
  return {
    identifier: db.DBClusterIdentifier ?? '',
    arn: db.DBClusterArn ?? '',
    status: db.Status ?? 'unknown',
    endpoint: db.Endpoint ?? null,
    port: db.Port ?? null,
    secretArn: db.MasterUserSecret?.SecretArn ?? null,
    createdAt: db.ClusterCreateTime ?? null,
    tags: tagsOf(db.TagList),
  };
}

/** Restored Multi-AZ DB clusters (writer + two readable standbys, as the source). */
export class RdsClusterRestores implements RestoreControlPlane {
  readonly #rds: RDSClient;
  readonly #engineVersion: string;

  constructor(rds: RDSClient, engineVersion: string) {
    this.#rds = rds;
    this.#engineVersion = engineVersion;
  }

  #placement(p: RestorePlacement) {
    return {
      DBClusterInstanceClass: p.instanceClass,
      DBSubnetGroupName: p.subnetGroupName,
      VpcSecurityGroupIds: [...p.securityGroupIds],
      DBClusterParameterGroupName: p.parameterGroupName,
      PubliclyAccessible: false,
      DeletionProtection: false,
      StorageType: p.storage?.type,
      Iops: p.storage?.iops,
      Tags: tagList(p.tags),
    };
  }

  async restoreFromSnapshot(snapshotId: string, p: RestorePlacement): Promise<RestoredDatabase> {
    const out = await call('RestoreDBClusterFromSnapshot', () =>
      this.#rds.send(
        new RestoreDBClusterFromSnapshotCommand({
          DBClusterIdentifier: p.targetId,
          SnapshotIdentifier: snapshotId,
          Engine: 'postgres',
          EngineVersion: this.#engineVersion,
          ...this.#placement(p),
          // Temporary: the least a Multi-AZ DB cluster allows ("Must be a value from 1 to 35", RDS API reference,
          // RestoreDBClusterFromSnapshot, BackupRetentionPeriod), instead of the source's 14 days.
          BackupRetentionPeriod: 1,
        }),
      ),
    );
    return fromCluster(out.DBCluster ?? {});
  }

  async restoreToPointInTime(sourceId: string, at: Date | 'latest', p: RestorePlacement): Promise<RestoredDatabase> {
    const out = await call('RestoreDBClusterToPointInTime', () =>
      this.#rds.send(
        new RestoreDBClusterToPointInTimeCommand({
          SourceDBClusterIdentifier: sourceId,
          DBClusterIdentifier: p.targetId,
          ...(at === 'latest' ? { UseLatestRestorableTime: true } : { RestoreToTime: at }),
          ...this.#placement(p),
        }),
      ),
    );
    return fromCluster(out.DBCluster ?? {});
  }

  async describe(identifier: string): Promise<RestoredDatabase> {
    const out = await call('DescribeDBClusters', () => this.#rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier })));
    const db = out.DBClusters?.[0];
    if (!db) throw new DatabaseNotFoundError(`DescribeDBClusters: DB cluster ${identifier} not found`);
    return fromCluster(db);
  }

  async list(): Promise<RestoredDatabase[]> {
    const out: RestoredDatabase[] = [];
    await call('DescribeDBClusters', async () => {
      for await (const page of paginateDescribeDBClusters({ client: this.#rds, pageSize: 100 }, {})) for (const db of page.DBClusters ?? []) out.push(fromCluster(db));
    });
    return out;
  }

  async delete(identifier: string): Promise<void> {
    await call('DeleteDBCluster', () => this.#rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: identifier, SkipFinalSnapshot: true })));
  }

  /**
   * RestoreDBClusterFromSnapshot has no ManageMasterUserPassword: the restored cluster would
   * accept the production password. ModifyDBCluster with ManageMasterUserPassword makes RDS
   * generate a new password in a new secret, so the checks never use production credentials.
   */
  async ensureOwnSecret(identifier: string, kmsKeyId: string): Promise<boolean> {
    const db = await this.describe(identifier);
    if (db.secretArn !== null || db.status !== 'available') return false;
    await call('ModifyDBCluster', () =>
      this.#rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: identifier, ManageMasterUserPassword: true, MasterUserSecretKmsKeyId: kmsKeyId, ApplyImmediately: true })),
    );
    return true;
  }

  async restoreWindow(sourceId: string): Promise<RestoreWindow> {
    const db = (await call('DescribeDBClusters', () => this.#rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: sourceId })))).DBClusters?.[0];
    if (!db) throw new DatabaseNotFoundError(`DescribeDBClusters: DB cluster ${sourceId} not found`);
    return { earliest: db.EarliestRestorableTime ?? null, latest: db.LatestRestorableTime ?? null };
  }
}
