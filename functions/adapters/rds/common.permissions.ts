/**
 * The authorizations of the topology-independent calls in common.ts (tagging, the account
 * quota), and what the per-topology control-plane declarations share. Resource types per
 * action: Service Authorization Reference, Amazon RDS
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html).
 * Test-only: see ../shared.permissions.ts.
 */
import type { CopySnapshotRequest, DatabaseControlPlane } from '../../ports/database-control-plane.ts';
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

/** Per port method, its authorizations from the same arguments (and the {@link ControlPlaneState}). */
export type Declarations<T> = { [K in keyof T]: T[K] extends (...args: infer A) => unknown ? (...args: [...A, ControlPlaneState?]) => AwsAuthorization[] : never };

/** The declarations of the whole control plane port. */
export type ControlPlaneDeclarations = Declarations<Omit<DatabaseControlPlane, 'topology' | 'region'>>;

/** `rds:<command>` on `resource`, triggered by `<command>Command`. */
export function rdsAction(command: string, resource: string, more: Partial<AwsAuthorization> = {}): AwsAuthorization {
  return { command: `${command}Command`, action: `rds:${command}`, resource, ...more };
}

/** The authorizations of common.ts's calls, for a client in `at.region`. */
export function commonControlPlanePermissions(_at: AwsLocation): Pick<ControlPlaneDeclarations, 'addTags' | 'manualSnapshotQuota'> {
  return {
    addTags: (arn, tags, state) => [rdsAction('AddTagsToResource', arn, { requestTags: tags, resourceTags: state?.existingTags ?? {} })],
    manualSnapshotQuota: () => [rdsAction('DescribeAccountAttributes', '*')],
  };
}

/** The RDS resource types of one topology's database and manual snapshots (`db`/`snapshot` or `cluster`/`cluster-snapshot`). */
export interface ResourceTypes {
  readonly database: 'db' | 'cluster';
  readonly snapshot: 'snapshot' | 'cluster-snapshot';
}

/** A create-snapshot call (`CreateDBSnapshot` or `CreateDBClusterSnapshot`) with tags in the request. */
export function snapshotCreate(at: AwsLocation, create: string, types: ResourceTypes, databaseId: string, snapshotId: string, tags: Readonly<Record<string, string>>): AwsAuthorization[] {
  const snapshot = rdsArn(at, types.snapshot, snapshotId);
  return [
    rdsAction(create, rdsArn(at, types.database, databaseId)),
    rdsAction(create, snapshot),
    // "If tags are specified in the create action, RDS performs additional authorization on
    // rds:AddTagsToResource" (RDS User Guide, "Grant permission to tag Amazon RDS resources during creation").
    { ...rdsAction('AddTagsToResource', snapshot, { requestTags: tags }), command: `${create}Command`, why: 'tags in the create request' },
  ];
}

/** A list of the database's manual snapshots (`DescribeDBSnapshots` or `DescribeDBClusterSnapshots`). */
export function snapshotList(at: AwsLocation, describe: string, types: ResourceTypes, databaseId: string): AwsAuthorization[] {
  return [
    { ...rdsAction(describe, rdsArn(at, types.database, databaseId)), why: 'paginated list filtered by the database' },
    { ...rdsAction(describe, rdsArn(at, types.snapshot, ANY_NAME)), why: 'a list covers every snapshot it may return, whoever named it' },
  ];
}

/** A snapshot copy into `at.region` (`CopyDBSnapshot` or `CopyDBClusterSnapshot`), tagged, with both keys used through grants. */
export function snapshotCopy(at: AwsLocation, copy: string, types: ResourceTypes, request: CopySnapshotRequest, state: ControlPlaneState | undefined): AwsAuthorization[] {
  const target = rdsArn(at, types.snapshot, request.targetId);
  const out = [
    rdsAction(copy, request.sourceArn, { resourceTags: state?.existingTags }),
    rdsAction(copy, target),
    { ...rdsAction('AddTagsToResource', target, { requestTags: request.tags }), command: `${copy}Command`, why: 'tags in the copy request' },
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
}
