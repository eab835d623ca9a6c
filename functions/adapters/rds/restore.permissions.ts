/**
 * The authorizations of {@link RdsInstanceRestores} and {@link RdsClusterRestores} (restore.ts),
 * per port method, with the same arguments. Test-only: see shared.permissions.ts.
 *
 * RestoreDBInstanceFromDBSnapshot, RestoreDBInstanceToPointInTime, RestoreDBClusterFromSnapshot
 * and RestoreDBClusterToPointInTime are authorized against every resource they name or imply:
 * the new database, the snapshot or source database, the subnet group, the (cluster) parameter
 * group and the option group — `default:postgres-<major>` when the request names none
 * (Service Authorization Reference, Amazon RDS: `og` is a required resource type of all four).
 */
import type { RestoreControlPlane, RestorePlacement } from '../../ports/restore-control-plane.ts';
import type { Topology } from '../../ports/database-control-plane.ts';
import { rdsArn, viaService, type AwsAuthorization, type AwsLocation } from '../shared.permissions.ts';
import { ANY_NAME } from './common.permissions.ts';

/** Deployment facts a restore's authorizations depend on. */
export interface RestoreFacts {
  /** Engine version of the source (`18.3`): its major names the default option group. */
  readonly engineVersion: string;
  /** The key encrypting the source database and its snapshots. */
  readonly storageKeyArn: string;
}

/** What the authorizations of one call depend on beyond its arguments. */
export interface RestoreState {
  /** Tags the database already carries. */
  readonly existingTags?: Readonly<Record<string, string>>;
}

/** The option group RDS applies when a restore names none (RDS User Guide, "Working with option groups"). */
export function defaultOptionGroup(engineVersion: string): string {
  return `default:postgres-${engineVersion.split('.')[0] ?? engineVersion}`;
}

type Declarations<T> = { [K in keyof T]: T[K] extends (...args: infer A) => unknown ? (...args: [...A, RestoreState?]) => AwsAuthorization[] : never };

/** The authorizations of the restore adapter of `topology` whose SDK client is in `at.region`. */
export function restorePermissions(at: AwsLocation, topology: Topology, facts: RestoreFacts): Declarations<RestoreControlPlane> {
  const cluster = topology === 'multi-az-cluster';
  const dbType = cluster ? 'cluster' : 'db';
  const describe = cluster ? 'DescribeDBClusters' : 'DescribeDBInstances';
  const a = (command: string, resource: string, more: Partial<AwsAuthorization> = {}): AwsAuthorization => ({ command: `${command}Command`, action: `rds:${command}`, resource, ...more });
  /** The resources every restore names besides its source, the implied tagging and the key use. */
  const placement = (command: string, p: RestorePlacement): AwsAuthorization[] => {
    const target = rdsArn(at, dbType, p.targetId);
    const out: AwsAuthorization[] = [
      a(command, target),
      a(command, rdsArn(at, 'subgrp', p.subnetGroupName)),
      a(command, rdsArn(at, cluster ? 'cluster-pg' : 'pg', p.parameterGroupName)),
      { ...a(command, rdsArn(at, 'og', defaultOptionGroup(facts.engineVersion))), why: 'the default option group applies when the request names none' },
      { ...a('AddTagsToResource', target, { requestTags: p.tags }), command: `${command}Command`, why: 'tags in the restore request' },
      // The source is encrypted: RDS uses its key for the new storage through a grant.
      { command: `${command}Command`, action: 'kms:CreateGrant', resource: facts.storageKeyArn, context: viaService('rds', at.region, true), why: 'encrypted source: RDS creates a grant' },
      { command: `${command}Command`, action: 'kms:DescribeKey', resource: facts.storageKeyArn, context: viaService('rds', at.region), why: 'encrypted source' },
    ];
    if (!cluster) out.push(...managedSecret(command, p.secretKmsKeyId));
    return out;
  };
  /**
   * ManageMasterUserPassword: RDS creates the secret `rds!…` with the caller's permissions
   * (RDS User Guide, "Permissions required for Secrets Manager integration").
   */
  const managedSecret = (command: string, keyArn: string): AwsAuthorization[] => {
    const secret = `arn:${at.partition}:secretsmanager:${at.region}:${at.account}:secret:rds!${cluster ? 'cluster' : 'db'}-${ANY_NAME}`;
    return [
      { command: `${command}Command`, action: 'secretsmanager:CreateSecret', resource: secret, why: 'RDS-managed master secret' },
      { command: `${command}Command`, action: 'secretsmanager:TagResource', resource: secret, why: 'RDS-managed master secret' },
      { command: `${command}Command`, action: 'kms:GenerateDataKey', resource: keyArn, context: viaService('secretsmanager', at.region), why: 'the secret is encrypted with this key' },
      { command: `${command}Command`, action: 'kms:Decrypt', resource: keyArn, context: viaService('secretsmanager', at.region), why: 'the secret is encrypted with this key' },
    ];
  };
  const describeOne = (identifier: string, state?: RestoreState): AwsAuthorization[] => [a(describe, rdsArn(at, dbType, identifier), { resourceTags: state?.existingTags })];
  return {
    restoreFromSnapshot: (snapshotId, p) => {
      const command = cluster ? 'RestoreDBClusterFromSnapshot' : 'RestoreDBInstanceFromDBSnapshot';
      return [a(command, rdsArn(at, cluster ? 'cluster-snapshot' : 'snapshot', snapshotId)), ...placement(command, p)];
    },
    restoreToPointInTime: (sourceId, _at, p) => {
      const command = cluster ? 'RestoreDBClusterToPointInTime' : 'RestoreDBInstanceToPointInTime';
      return [{ ...a(command, rdsArn(at, dbType, sourceId)), why: 'the source database' }, ...placement(command, p)];
    },
    describe: describeOne,
    list: () => [{ ...a(describe, rdsArn(at, dbType, ANY_NAME)), why: 'the sweeper lists every database of the region' }],
    delete: (identifier, state) => [a(cluster ? 'DeleteDBCluster' : 'DeleteDBInstance', rdsArn(at, dbType, identifier), { resourceTags: state?.existingTags ?? {} })],
    restoreWindow: (sourceId) => describeOne(sourceId),
    /**
     * ModifyDBCluster / ModifyDBInstance with ManageMasterUserPassword on the restored database.
     * Instances: ManageMasterUserPassword on the restore request "applies to RDS for Oracle only"
     * (RDS API reference), so a PostgreSQL instance gets its secret this way too (issue 9, defect 4);
     * declared here ahead of that adapter change, which its own tests carry.
     */
    ensureOwnSecret: (identifier, kmsKeyId, state) => {
      const modify = cluster ? 'ModifyDBCluster' : 'ModifyDBInstance';
      return [
        ...describeOne(identifier, state),
        a(modify, rdsArn(at, dbType, identifier), { resourceTags: state?.existingTags ?? {}, context: { 'rds:ManageMasterUserPassword': 'true' } }),
        ...managedSecret(modify, kmsKeyId),
      ];
    },
  };
}
