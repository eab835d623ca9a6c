import { Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import type { WildcardRule } from '../acknowledgements.ts';
import type { Topology } from '../config/types.ts';
import { TIERS } from '../../functions/domain/snapshots/naming.ts';

/**
 * What the automation's capabilities (backup, restore testing, writer probe) share: the ARNs of one
 * database's RDS resources, and the grants that several of their roles need in the same form.
 *
 * The capabilities add their resources to the scope they are given, under the ids those resources
 * have always had: a construct scope of their own would change every logical id, and CloudFormation
 * would replace the deployed resources (the named ones — state machines, alarms — would fail to).
 */

/** The IAM wildcards of the shared grants (archive prefixes, list calls), each with its reason (infra/nag.ts accepts them). */
export const GRANT_WILDCARDS: readonly WildcardRule[] = [
  {
    finding: /^Resource::Dr-[a-z0-9-]+-Database:ExportsOutputFnGetAttArchiveBucket[A-Za-z0-9]+\/(audit|manifests|reports)\/[a-z0-9-]+\/\*$/,
    reason: 'Archive objects are written under one prefix per document kind and database; names carry timestamps and ids, so a prefix is the narrowest scope.',
  },
  {
    finding: /^Resource::arn:<AWS::Partition>:rds:[a-z0-9-]+:<AWS::AccountId>:(db|cluster|snapshot|cluster-snapshot):\*$/,
    reason:
      'Read-only Describe list calls (the sweeper lists databases, retention and the RPO monitor list snapshots): RDS authorizes a list against all resources of the type in the account and region, so a narrower pattern would deny it. Nothing that changes a database or snapshot uses these.',
  },
];

/** The archive bucket and the key encrypting it. */
export interface ArchiveAccess {
  /** The archive bucket (manifests, reports, audit log). */
  readonly bucket: s3.IBucket;
  /** The customer key encrypting it (SSE-KMS). */
  readonly key: kms.IKey;
}

/** In-VPC placement of a function that opens SQL connections. */
export interface FunctionPlacement {
  /** The VPC; the function runs in its `functions` subnets. */
  readonly vpc: ec2.IVpc;
  /** The DR functions' security group (the database admits it). */
  readonly securityGroup: ec2.ISecurityGroup;
}

/** What the automation's capabilities (backup, restore testing) share. */
export interface AutomationContext {
  /** The protected database's name: resource names, snapshot and restore ids, archive prefixes. */
  readonly databaseName: string;
  /** The protected database's topology: which RDS resource types and actions the grants name. */
  readonly topology: Topology;
  /** The retention policy name (`dr:policy`). */
  readonly policyName: string;
  /** The archive bucket and its key. */
  readonly archive: ArchiveAccess;
  /** Where the in-VPC functions run. */
  readonly placement: FunctionPlacement;
  /** The DR region holding snapshot copies; null: no copies. */
  readonly snapshotCopyRegion: string | null;
}

/** The environment every automation function of {@link AutomationContext} shares. */
export function sharedEnvironment(context: AutomationContext): Record<string, string> {
  return { DATABASE_ID: context.databaseName, TOPOLOGY: context.topology, POLICY_NAME: context.policyName, ARCHIVE_BUCKET: context.archive.bucket.bucketName };
}

/** ARNs of one database's RDS resources in this account, by topology. */
export class RdsArns {
  readonly cluster: boolean;
  /** `cluster-snapshot` or `snapshot`: the snapshot resource type (and its condition-key prefix). */
  readonly snapshotKind: 'cluster-snapshot' | 'snapshot';
  /** `cluster` or `db`: the database resource type (and its condition-key prefix). */
  readonly instanceKind: 'cluster' | 'db';
  readonly #stack: Stack;
  readonly #name: string;

  constructor(scope: IConstruct, databaseName: string, topology: Topology) {
    this.#stack = Stack.of(scope);
    this.#name = databaseName;
    this.cluster = topology === 'multi-az-cluster';
    this.snapshotKind = this.cluster ? 'cluster-snapshot' : 'snapshot';
    this.instanceKind = this.cluster ? 'cluster' : 'db';
  }

  /** `arn:…:rds:<region>:<account>:<type>:<name>`. */
  arn(region: string, type: string, name: string): string {
    return `arn:${this.#stack.partition}:rds:${region}:${this.#stack.account}:${type}:${name}`;
  }

  /** Every snapshot named `<db>-…` in a region. */
  snapshots(region: string): string {
    return this.arn(region, this.snapshotKind, `${this.#name}-*`);
  }

  /**
   * Only the names the backup makes (`<db>-<tier>-<stamp>`): tagging a person's `<db>-…` snapshot
   * dr:managed=true would make retention delete it.
   */
  managedSnapshots(region: string): string[] {
    return TIERS.map((tier) => this.arn(region, this.snapshotKind, `${this.#name}-${tier}-*`));
  }

  /** Databases of this stack's region whose identifier matches `pattern`. */
  databases(pattern: string): string {
    return this.arn(this.#stack.region, this.instanceKind, pattern);
  }

  /**
   * Listing snapshots. A list call is authorized against the list's resource types in each region
   * (databases and snapshots, whoever named them), not only against what it returns. Read-only.
   */
  listSnapshots(regions: readonly string[]): iam.PolicyStatement {
    return new iam.PolicyStatement({
      actions: [this.cluster ? 'rds:DescribeDBClusterSnapshots' : 'rds:DescribeDBSnapshots'],
      resources: regions.flatMap((region) => [this.arn(region, this.snapshotKind, '*'), this.arn(region, this.instanceKind, '*')]),
    });
  }
}

/**
 * The database key only as RDS and Secrets Manager use it on the caller's behalf: grants only for
 * AWS resources (KMS Developer Guide, kms:GrantIsForAWSResource and kms:ViaService).
 */
export function grantKeyThrough(role: iam.IRole, key: kms.IKey, services: readonly string[], actions: readonly string[]): void {
  const region = Stack.of(role).region;
  const via = services.map((service) => `${service}.${region}.amazonaws.com`);
  const rest = actions.filter((a) => a !== 'kms:CreateGrant');
  if (actions.includes('kms:CreateGrant')) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:CreateGrant'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `rds.${region}.amazonaws.com` }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    );
  }
  if (rest.length > 0) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...rest], resources: [key.keyArn], conditions: { StringEquals: { 'kms:ViaService': via } } }));
}

/**
 * Writing to the archive: PutObject under one prefix of this database, and the archive key only
 * through S3 (SSE-KMS with a bucket key needs GenerateDataKey and Decrypt).
 */
export function grantArchiveWrite(role: iam.IRole, archive: ArchiveAccess, prefix: string, databaseName: string): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [archive.bucket.arnForObjects(`${prefix}/${databaseName}/*`)] }));
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [archive.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(role).region}.amazonaws.com` } },
    }),
  );
}
