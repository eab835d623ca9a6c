/**
 * The authorizations of {@link RdsInstanceControlPlane} and {@link RdsClusterControlPlane}
 * (control-plane.ts), per port method, with the same arguments. Resource types per action:
 * Service Authorization Reference, Amazon RDS
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html).
 * Test-only: see shared.permissions.ts.
 */
import type { CopySnapshotRequest, DatabaseControlPlane, Topology } from '../../ports/database-control-plane.ts';
import { rdsArn, viaService, type AwsAuthorization, type AwsLocation } from '../shared.permissions.ts';

/**
 * A list call names no resource: RDS authorizes it against the resource type as a whole, so
 * every resource it may return must be covered. The declaration stands for "any" with a name
 * outside every prefix the DR system uses (a simulator reads `*` in a request as "whichever
 * pattern a policy names", which would hide a too-narrow grant).
 */
export const ANY_NAME = 'any-name-not-made-by-dr';

/** What the authorizations depend on beyond the method's arguments. */
export interface ControlPlaneState {
  /** Tags the snapshot or database already carries (a delete or a re-tag is judged on them). */
  readonly existingTags?: Readonly<Record<string, string>>;
  /** The key encrypting the source snapshot of a copy (its region's database key). */
  readonly sourceKeyArn?: string;
  /** The key a copy is encrypted with in the target region, as an ARN (`kmsKeyId` may be an alias). */
  readonly targetKeyArn?: string;
  /** Aliases of the target key (`kms:ResourceAliases`). */
  readonly targetKeyAliases?: readonly string[];
}

type Declarations<T> = { [K in keyof T]: T[K] extends (...args: infer A) => unknown ? (...args: [...A, ControlPlaneState?]) => AwsAuthorization[] : never };

/** The authorizations of the control plane of `topology` whose SDK client is in `at.region`. */
export function controlPlanePermissions(at: AwsLocation, topology: Topology): Declarations<Omit<DatabaseControlPlane, 'topology' | 'region'>> {
  const cluster = topology === 'multi-az-cluster';
  const dbType = cluster ? 'cluster' : 'db';
  const snapType = cluster ? 'cluster-snapshot' : 'snapshot';
  const describeDb = cluster ? 'DescribeDBClusters' : 'DescribeDBInstances';
  const describeSnap = cluster ? 'DescribeDBClusterSnapshots' : 'DescribeDBSnapshots';
  const a = (command: string, resource: string, more: Partial<AwsAuthorization> = {}): AwsAuthorization => ({
    command: `${command}Command`,
    action: `rds:${command}`,
    resource,
    ...more,
  });
  const describeDatabase = (identifier: string): AwsAuthorization[] => [a(describeDb, rdsArn(at, dbType, identifier))];
  return {
    describeDatabase,
    describeWriter: describeDatabase,
    createSnapshot: (databaseId, snapshotId, tags) => {
      const create = cluster ? 'CreateDBClusterSnapshot' : 'CreateDBSnapshot';
      const snapshot = rdsArn(at, snapType, snapshotId);
      return [
        a(create, rdsArn(at, dbType, databaseId)),
        a(create, snapshot),
        // "If tags are specified in the create action, RDS performs additional authorization on
        // rds:AddTagsToResource" (RDS User Guide, "Grant permission to tag Amazon RDS resources during creation").
        { ...a('AddTagsToResource', snapshot, { requestTags: tags }), command: `${create}Command`, why: 'tags in the create request' },
      ];
    },
    getSnapshot: (snapshotId, state) => [a(describeSnap, rdsArn(at, snapType, snapshotId), { resourceTags: state?.existingTags })],
    listManualSnapshots: (databaseId) => [
      { ...a(describeSnap, rdsArn(at, dbType, databaseId)), why: 'paginated list filtered by the database' },
      { ...a(describeSnap, rdsArn(at, snapType, ANY_NAME)), why: 'a list covers every snapshot it may return, whoever named it' },
    ],
    deleteSnapshot: (snapshotId, state) => [a(cluster ? 'DeleteDBClusterSnapshot' : 'DeleteDBSnapshot', rdsArn(at, snapType, snapshotId), { resourceTags: state?.existingTags ?? {} })],
    copySnapshot: (request: CopySnapshotRequest, state) => {
      const copy = cluster ? 'CopyDBClusterSnapshot' : 'CopyDBSnapshot';
      const target = rdsArn(at, snapType, request.targetId);
      const out = [
        a(copy, request.sourceArn, { resourceTags: state?.existingTags }),
        a(copy, target),
        { ...a('AddTagsToResource', target, { requestTags: request.tags }), command: `${copy}Command`, why: 'tags in the copy request' },
      ];
      // An encrypted copy: RDS uses both keys on the caller's behalf through grants
      // (RDS User Guide, "Copying a DB snapshot": KMS key permissions).
      const keys = [
        { arn: state?.targetKeyArn, region: at.region, aliases: state?.targetKeyAliases },
        { arn: state?.sourceKeyArn, region: request.sourceRegion, aliases: undefined },
      ];
      for (const key of keys) {
        if (key.arn === undefined) continue;
        const aliases: Record<string, readonly string[]> = key.aliases === undefined ? {} : { 'kms:ResourceAliases': key.aliases };
        out.push(
          { command: `${copy}Command`, action: 'kms:CreateGrant', resource: key.arn, context: { ...viaService('rds', key.region, true), ...aliases }, why: 'encrypted copy: RDS creates a grant' },
          { command: `${copy}Command`, action: 'kms:DescribeKey', resource: key.arn, context: { ...viaService('rds', key.region), ...aliases }, why: 'encrypted copy' },
        );
      }
      return out;
    },
    // Cluster topology: no replicated automated backups, no call.
    replicatedBackupRestorableTime: (sourceArn) => cluster ? [] : [
      { command: 'DescribeDBInstanceAutomatedBackupsCommand', action: 'rds:DescribeDBInstanceAutomatedBackups', resource: rdsArn(at, 'auto-backup', ANY_NAME), why: 'list of automated backups in this region' },
      {
        command: 'DescribeDBInstanceAutomatedBackupsCommand',
        action: 'rds:DescribeDBInstanceAutomatedBackups',
        resource: sourceArn,
        why: 'filtered by the source database ARN (db-instance-id), in the source region',
      },
      {
        command: 'DescribeDBInstanceAutomatedBackupsCommand',
        action: 'rds:DescribeDBInstanceAutomatedBackups',
        resource: rdsArn(at, 'db', sourceArn.split(':').at(-1) ?? ''),
        why: 'a replicated backup keeps the source identifier in this region',
      },
    ],
    forceFailover: (identifier) =>
      cluster ? [a('FailoverDBCluster', rdsArn(at, 'cluster', identifier))] : [a('RebootDBInstance', rdsArn(at, 'db', identifier))],
    promoteReadReplica: (identifier) => [a('PromoteReadReplica', rdsArn(at, 'db', identifier))],
    addTags: (arn, tags, state) => [{ ...a('AddTagsToResource', arn, { requestTags: tags, resourceTags: state?.existingTags ?? {} }) }],
    manualSnapshotQuota: () => [a('DescribeAccountAttributes', '*')],
  };
}
