/**
 * What the restore declarations of both topologies share (instance-restores.permissions.ts,
 * cluster-restores.permissions.ts): one builder, given each topology's commands and resource
 * types. Test-only: see ../shared.permissions.ts.
 *
 * RestoreDBInstanceFromDBSnapshot, RestoreDBInstanceToPointInTime, RestoreDBClusterFromSnapshot
 * and RestoreDBClusterToPointInTime are authorized against every resource they name or imply:
 * the new database, the snapshot or source database, the subnet group, the (cluster) parameter
 * group and the option group — `default:postgres-<major>` when the request names none
 * (Service Authorization Reference, Amazon RDS: `og` is a required resource type of all four).
 */
import type { RestoreControlPlane, RestorePlacement } from '../../ports/restore-control-plane.ts';
import { rdsArn, viaService, type AwsAuthorization, type AwsLocation } from '../shared.permissions.ts';
import { ANY_NAME, rdsAction } from './common.permissions.ts';

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

/** Per port method, its authorizations from the same arguments (and the {@link RestoreState}). */
export type RestoreDeclarations = { [K in keyof RestoreControlPlane]: RestoreControlPlane[K] extends (...args: infer A) => unknown ? (...args: [...A, RestoreState?]) => AwsAuthorization[] : never };

/** One topology's restore adapter as IAM sees it: the commands it sends and the resource types they name. */
export interface RestoreSpec {
  readonly fromSnapshot: string;
  readonly toPointInTime: string;
  readonly describe: string;
  readonly delete: string;
  readonly modify: string;
  readonly database: 'db' | 'cluster';
  readonly snapshot: 'snapshot' | 'cluster-snapshot';
  readonly parameterGroup: 'pg' | 'cluster-pg';
  /** Whether a restore request itself is authorized for the RDS-managed master secret (`rds!db-…`). */
  readonly secretOnRestore: boolean;
}

/** The authorizations of a restore adapter of `spec`'s topology whose SDK client is in `at.region`. */
export function restoreDeclarations(at: AwsLocation, facts: RestoreFacts, spec: RestoreSpec): RestoreDeclarations {
  /**
   * ManageMasterUserPassword: RDS creates the secret `rds!…` with the caller's permissions
   * (RDS User Guide, "Permissions required for Secrets Manager integration").
   */
  const managedSecret = (command: string, keyArn: string): AwsAuthorization[] => {
    const secret = `arn:${at.partition}:secretsmanager:${at.region}:${at.account}:secret:rds!${spec.database === 'cluster' ? 'cluster' : 'db'}-${ANY_NAME}`;
    return [
      { command: `${command}Command`, action: 'secretsmanager:CreateSecret', resource: secret, why: 'RDS-managed master secret' },
      { command: `${command}Command`, action: 'secretsmanager:TagResource', resource: secret, why: 'RDS-managed master secret' },
      { command: `${command}Command`, action: 'kms:GenerateDataKey', resource: keyArn, context: viaService('secretsmanager', at.region), why: 'the secret is encrypted with this key' },
      { command: `${command}Command`, action: 'kms:Decrypt', resource: keyArn, context: viaService('secretsmanager', at.region), why: 'the secret is encrypted with this key' },
    ];
  };
  /** The resources every restore names besides its source, the implied tagging and the key use. */
  const placement = (command: string, p: RestorePlacement): AwsAuthorization[] => {
    const target = rdsArn(at, spec.database, p.targetId);
    const out: AwsAuthorization[] = [
      rdsAction(command, target),
      rdsAction(command, rdsArn(at, 'subgrp', p.subnetGroupName)),
      rdsAction(command, rdsArn(at, spec.parameterGroup, p.parameterGroupName)),
      { ...rdsAction(command, rdsArn(at, 'og', defaultOptionGroup(facts.engineVersion))), why: 'the default option group applies when the request names none' },
      { ...rdsAction('AddTagsToResource', target, { requestTags: p.tags }), command: `${command}Command`, why: 'tags in the restore request' },
      // The source is encrypted: RDS uses its key for the new storage through a grant.
      { command: `${command}Command`, action: 'kms:CreateGrant', resource: facts.storageKeyArn, context: viaService('rds', at.region, true), why: 'encrypted source: RDS creates a grant' },
      { command: `${command}Command`, action: 'kms:DescribeKey', resource: facts.storageKeyArn, context: viaService('rds', at.region), why: 'encrypted source' },
    ];
    if (spec.secretOnRestore) out.push(...managedSecret(command, p.secretKmsKeyId));
    return out;
  };
  const describeOne = (identifier: string, state?: RestoreState): AwsAuthorization[] => [rdsAction(spec.describe, rdsArn(at, spec.database, identifier), { resourceTags: state?.existingTags })];
  return {
    restoreFromSnapshot: (snapshotId, p) => [rdsAction(spec.fromSnapshot, rdsArn(at, spec.snapshot, snapshotId)), ...placement(spec.fromSnapshot, p)],
    restoreToPointInTime: (sourceId, _at, p) => [{ ...rdsAction(spec.toPointInTime, rdsArn(at, spec.database, sourceId)), why: 'the source database' }, ...placement(spec.toPointInTime, p)],
    describe: describeOne,
    list: () => [{ ...rdsAction(spec.describe, rdsArn(at, spec.database, ANY_NAME)), why: 'the sweeper lists every database of the region' }],
    delete: (identifier, state) => [rdsAction(spec.delete, rdsArn(at, spec.database, identifier), { resourceTags: state?.existingTags ?? {} })],
    restoreWindow: (sourceId) => describeOne(sourceId),
    /**
     * ModifyDBCluster / ModifyDBInstance with ManageMasterUserPassword on the restored database.
     * Instances: ManageMasterUserPassword on the restore request "applies to RDS for Oracle only"
     * (RDS API reference), so a PostgreSQL instance gets its secret this way too (issue 9, defect 4).
     */
    ensureOwnSecret: (identifier, kmsKeyId, state) => [
      ...describeOne(identifier, state),
      rdsAction(spec.modify, rdsArn(at, spec.database, identifier), { resourceTags: state?.existingTags ?? {}, context: { 'rds:ManageMasterUserPassword': 'true' } }),
      ...managedSecret(spec.modify, kmsKeyId),
    ],
  };
}
