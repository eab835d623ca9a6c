/**
 * The IAM contract of the adapters: each adapter's sibling `*.permissions.ts` declares, per
 * method, every authorization its AWS calls need, as functions of the deployment's facts.
 * test/iam evaluates these declarations against the synthesized roles, key policies and
 * bucket policy with an IAM simulator built on the Service Authorization Reference.
 *
 * Declarations are test-only: nothing on a handler's import path imports a `*.permissions.ts`
 * file, so the bundles do not change. A developer who adds an SDK command to an adapter adds
 * its authorizations next to it; test/iam/declarations.test.ts fails until they do.
 */

/**
 * One authorization AWS performs for a call: one action on one resource. A call that AWS
 * authorizes against several resources (RestoreDBInstanceFromDBSnapshot: the new database,
 * the snapshot, the subnet group, the parameter group, the option group) is several entries
 * with the same `command`; implied authorizations (tags in a create request need
 * `rds:AddTagsToResource`; an encrypted copy needs `kms:CreateGrant` on the key) too.
 */
export interface AwsAuthorization {
  /** The SDK command class that triggers it (a paginator sends its command), e.g. `CreateDBSnapshotCommand`. */
  readonly command: string;
  /** `service:Action`, as in IAM policies. */
  readonly action: string;
  /** The resource ARN IAM evaluates (`*` for actions without resource-level permissions). */
  readonly resource: string;
  /** Tags the resource carries when the call is made (become `aws:ResourceTag/…` and the service's own tag keys). */
  readonly resourceTags?: Readonly<Record<string, string>>;
  /** Tags in the request (become `aws:RequestTag/…`, `rds:req-tag/…` and `aws:TagKeys`). */
  readonly requestTags?: Readonly<Record<string, string>>;
  /** Further request context keys (`kms:ViaService`, `kms:GrantIsForAWSResource`, …). */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  /** Why AWS performs this authorization, where it is not the command itself. */
  readonly why?: string;
}

/** Where the calls go: partition, account and the region of the SDK client. */
export interface AwsLocation {
  readonly partition: string;
  readonly account: string;
  readonly region: string;
}

/** `arn:<partition>:rds:<region>:<account>:<type>:<name>` (RDS User Guide, "Amazon Resource Names in Amazon RDS"). */
export function rdsArn(at: AwsLocation, type: string, name: string): string {
  return `arn:${at.partition}:rds:${at.region}:${at.account}:${type}:${name}`;
}

/** The region of an ARN (its fourth field). */
export function regionOf(arn: string): string {
  return arn.split(':')[3] ?? '';
}

/**
 * What AWS KMS sees when a service uses a customer key on the caller's behalf
 * (KMS Developer Guide, "kms:ViaService" and "kms:GrantIsForAWSResource").
 */
export function viaService(service: string, region: string, grant = false): Record<string, string> {
  return { 'kms:ViaService': `${service}.${region}.amazonaws.com`, ...(grant ? { 'kms:GrantIsForAWSResource': 'true' } : {}) };
}
