/**
 * RDS implementations of the {@link RestoreControlPlane} port: DB instances, and
 * Multi-AZ DB clusters (whose restores need the cluster instance class and storage).
 */
import {
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  ModifyDBClusterCommand,
  ModifyDBInstanceCommand,
  paginateDescribeDBClusters,
  paginateDescribeDBInstances,
  RestoreDBClusterFromSnapshotCommand,
  RestoreDBClusterToPointInTimeCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
  type DBCluster,
  type DBInstance,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { RestoreControlPlane, RestoredDatabase, RestorePlacement, RestoreWindow } from '../../ports/restore-control-plane.ts';
import type { Topology } from '../../ports/database-control-plane.ts';
import { DatabaseNotFoundError } from '../../shared/errors.ts';
import { call, tagList, tagsOf } from './common.ts';

function fromInstance(db: DBInstance): RestoredDatabase {
  return {
    identifier: db.DBInstanceIdentifier ?? '',
    arn: db.DBInstanceArn ?? '',
    status: db.DBInstanceStatus ?? 'unknown',
    endpoint: db.Endpoint?.Address ?? null,
    port: db.Endpoint?.Port ?? null,
    secretArn: db.MasterUserSecret?.SecretArn ?? null,
    createdAt: db.InstanceCreateTime ?? null,
    tags: tagsOf(db.TagList),
  };
}

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

/**
 * Restored DB instances: single-AZ (a restore test needs no standby), not public, in the
 * given subnets and security groups, no deletion protection (it is deleted right after the
 * test) and, for temporary restores, no backups of its own.
 *
 * The master secret: ManageMasterUserPassword on RestoreDBInstanceFromDBSnapshot and
 * RestoreDBInstanceToPointInTime "Applies to RDS for Oracle only" (RDS API reference, both
 * operations, Constraints). A restored PostgreSQL instance keeps the source's master password,
 * so {@link RdsInstanceRestores.ensureOwnSecret} turns on ManageMasterUserPassword with
 * ModifyDBInstance once the instance is available; the checks wait for that to complete.
 */
export class RdsInstanceRestores implements RestoreControlPlane {
  readonly #rds: RDSClient;

  constructor(rds: RDSClient) {
    this.#rds = rds;
  }

  async restoreFromSnapshot(snapshotId: string, p: RestorePlacement): Promise<RestoredDatabase> {
    const out = await call('RestoreDBInstanceFromDBSnapshot', () =>
      this.#rds.send(
        new RestoreDBInstanceFromDBSnapshotCommand({
          DBInstanceIdentifier: p.targetId,
          DBSnapshotIdentifier: snapshotId,
          ...this.#placement(p),
          // A temporary restore needs no backups of its own: "Setting this parameter to 0 disables automated
          // backups" (RDS API reference, RestoreDBInstanceFromDBSnapshot, BackupRetentionPeriod; the restore
          // accepts it, so no backup is taken at creation). Otherwise it keeps the source's retention (14 days).
          BackupRetentionPeriod: 0,
        }),
      ),
    );
    return fromInstance(out.DBInstance ?? {});
  }

  async restoreToPointInTime(sourceId: string, at: Date | 'latest', p: RestorePlacement): Promise<RestoredDatabase> {
    const out = await call('RestoreDBInstanceToPointInTime', () =>
      this.#rds.send(
        new RestoreDBInstanceToPointInTimeCommand({
          SourceDBInstanceIdentifier: sourceId,
          TargetDBInstanceIdentifier: p.targetId,
          ...(at === 'latest' ? { UseLatestRestorableTime: true } : { RestoreTime: at }),
          ...this.#placement(p),
        }),
      ),
    );
    return fromInstance(out.DBInstance ?? {});
  }

  #placement(p: RestorePlacement) {
    return {
      DBInstanceClass: p.instanceClass,
      DBSubnetGroupName: p.subnetGroupName,
      VpcSecurityGroupIds: [...p.securityGroupIds],
      DBParameterGroupName: p.parameterGroupName,
      MultiAZ: false,
      PubliclyAccessible: false,
      DeletionProtection: false,
      CopyTagsToSnapshot: false,
      Tags: tagList(p.tags),
    };
  }

  async describe(identifier: string): Promise<RestoredDatabase> {
    const out = await call('DescribeDBInstances', () => this.#rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier })));
    const db = out.DBInstances?.[0];
    if (!db) throw new DatabaseNotFoundError(`DescribeDBInstances: DB instance ${identifier} not found`);
    return fromInstance(db);
  }

  async list(): Promise<RestoredDatabase[]> {
    const out: RestoredDatabase[] = [];
    await call('DescribeDBInstances', async () => {
      for await (const page of paginateDescribeDBInstances({ client: this.#rds, pageSize: 100 }, {})) for (const db of page.DBInstances ?? []) out.push(fromInstance(db));
    });
    return out;
  }

  async delete(identifier: string): Promise<void> {
    await call('DeleteDBInstance', () =>
      this.#rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: identifier, SkipFinalSnapshot: true, DeleteAutomatedBackups: true })),
    );
  }

  /**
   * ModifyDBInstance with ManageMasterUserPassword: RDS generates a new password in a new secret
   * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html,
   * ManageMasterUserPassword: "If the DB instance doesn't manage the master user password with Amazon Web
   * Services Secrets Manager, you can turn on this management"), so the checks never use the production password.
   * The instance is `modifying` until the new secret exists.
   */
  async ensureOwnSecret(identifier: string, kmsKeyId: string): Promise<boolean> {
    const db = await this.describe(identifier);
    if (db.secretArn !== null || db.status !== 'available') return false;
    await call('ModifyDBInstance', () =>
      this.#rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: identifier, ManageMasterUserPassword: true, MasterUserSecretKmsKeyId: kmsKeyId, ApplyImmediately: true })),
    );
    return true;
  }

  async restoreWindow(sourceId: string): Promise<RestoreWindow> {
    const db = (await call('DescribeDBInstances', () => this.#rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: sourceId })))).DBInstances?.[0];
    if (!db) throw new DatabaseNotFoundError(`DescribeDBInstances: DB instance ${sourceId} not found`);
    // DescribeDBInstances reports only the latest restorable time; the earliest comes with
    // the automated backups. Without it, the retention period bounds it (checked by RDS too).
    const latest = db.LatestRestorableTime ?? null;
    const days = db.BackupRetentionPeriod ?? 0;
    const created = db.InstanceCreateTime ?? null;
    const byRetention = latest ? new Date(latest.getTime() - days * 86_400_000) : null;
    const earliest = byRetention && created && created > byRetention ? created : byRetention;
    return { earliest, latest };
  }
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

/** The restore adapter for a topology. */
export function restoresFor(topology: Topology, rds: RDSClient, engineVersion: string): RestoreControlPlane {
  return topology === 'multi-az-cluster' ? new RdsClusterRestores(rds, engineVersion) : new RdsInstanceRestores(rds);
}
