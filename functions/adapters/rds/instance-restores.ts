/**
 * The {@link RestoreControlPlane} port for DB instances: restores from DB snapshots and to a
 * point in time, the restored instances' own master secret, the sweeper's list and delete.
 */
import {
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  paginateDescribeDBInstances,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
  type DBInstance,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { RestoreControlPlane, RestoredDatabase, RestorePlacement, RestoreWindow } from '../../ports/restore-control-plane.ts';
import { DatabaseNotFoundError } from '../../shared/errors.ts';
import { call, tagList, tagsOf } from './common.ts';

/** A DB instance as the port reports it. */
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
