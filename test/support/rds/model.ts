/**
 * The RDS fake's model: public types (durations, options, seeds), its errors as the SDK throws them, the
 * records of its state and the helpers every resource shares (identifiers, markers, filters, tags).
 */
import {
  DBClusterAlreadyExistsFault,
  DBClusterNotFoundFault,
  DBClusterQuotaExceededFault,
  DBClusterSnapshotAlreadyExistsFault,
  DBClusterSnapshotNotFoundFault,
  DBInstanceAlreadyExistsFault,
  DBInstanceAutomatedBackupNotFoundFault,
  DBInstanceNotFoundFault,
  DBSnapshotAlreadyExistsFault,
  DBSnapshotNotFoundFault,
  InstanceQuotaExceededFault,
  InvalidDBClusterSnapshotStateFault,
  InvalidDBClusterStateFault,
  InvalidDBInstanceStateFault,
  InvalidDBSnapshotStateFault,
  KMSKeyNotAccessibleFault,
  PointInTimeRestoreNotEnabledFault,
  RDSServiceException,
  SnapshotQuotaExceededFault,
} from '@aws-sdk/client-rds';
import type {
  DBCluster,
  DBClusterSnapshot,
  DBInstance,
  DBSnapshot,
  Filter,
  Tag,
} from '@aws-sdk/client-rds';
import type { ResponseMetadata } from '@smithy/types';
import { metadata, VirtualClock, type FakeCall, type FakeClock, type InjectedError } from '../aws-fake.ts';
// ---------------------------------------------------------------------------------------------
// Configuration and public types
// ---------------------------------------------------------------------------------------------

/** How long each asynchronous RDS operation takes in virtual time, in milliseconds. */
export interface RdsFakeDurations {
  /** CreateDBSnapshot / CreateDBClusterSnapshot / final snapshots: `creating` -> `available`. @default 300_000 */
  readonly snapshotCreateMs: number;
  /** Same-region CopyDBSnapshot / CopyDBClusterSnapshot: `copying` -> `available`. @default 300_000 */
  readonly snapshotCopyMs: number;
  /** Cross-region copies: `copying` -> `available`. @default 1_200_000 */
  readonly crossRegionCopyMs: number;
  /** RestoreDBInstanceFromDBSnapshot / RestoreDBInstanceToPointInTime: `creating` -> `available`. @default 900_000 */
  readonly instanceCreateMs: number;
  /** DeleteDBInstance: `deleting` -> gone. @default 300_000 */
  readonly instanceDeleteMs: number;
  /** RebootDBInstance without failover: `rebooting` -> `available`. @default 60_000 */
  readonly rebootMs: number;
  /** RebootDBInstance with ForceFailover (Multi-AZ instance failover takes 60-120 s on RDS). @default 90_000 */
  readonly failoverMs: number;
  /** FailoverDBCluster: `failing-over` -> `available` (Multi-AZ DB clusters: typically < 35 s). @default 30_000 */
  readonly clusterFailoverMs: number;
  /** RestoreDBClusterFromSnapshot / RestoreDBClusterToPointInTime: `creating` -> `available`. @default 1_200_000 */
  readonly clusterCreateMs: number;
  /** DeleteDBCluster: `deleting` -> gone. @default 600_000 */
  readonly clusterDeleteMs: number;
  /** PromoteReadReplica: `modifying` -> `available`, no longer a replica. @default 300_000 */
  readonly promoteMs: number;
  /** ModifyDBInstance applied immediately (class or Multi-AZ change): `modifying` -> `available`. @default 600_000 */
  readonly modifyMs: number;
  /** ModifyDBInstance / ModifyDBCluster turning on ManageMasterUserPassword: `modifying`, secret `creating` -> `available`, `active`. @default 180_000 */
  readonly manageSecretMs: number;
  /** The instance is `backing-up` for this long after CreateDBSnapshot starts (must not exceed snapshotCreateMs). @default 120_000 */
  readonly backingUpMs: number;
  /** PromoteReadReplica of a replica without backups: the backup RDS takes after promotion (`backing-up`). @default 2_700_000 */
  readonly promoteBackupMs: number;
}

export const DEFAULT_DURATIONS: RdsFakeDurations = {
  snapshotCreateMs: 300_000,
  snapshotCopyMs: 300_000,
  crossRegionCopyMs: 1_200_000,
  instanceCreateMs: 900_000,
  instanceDeleteMs: 300_000,
  rebootMs: 60_000,
  failoverMs: 90_000,
  clusterFailoverMs: 30_000,
  clusterCreateMs: 1_200_000,
  clusterDeleteMs: 600_000,
  promoteMs: 300_000,
  modifyMs: 600_000,
  manageSecretMs: 180_000,
  backingUpMs: 120_000,
  promoteBackupMs: 2_700_000,
};

/**
 * "You can have up to 20 snapshot copy requests in progress to a single destination Region per account"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_CopySnapshot.html, cross-Region copying limitations).
 */
export const CROSS_REGION_COPIES_IN_PROGRESS_MAX = 20;

/**
 * The default RDS API limit per account and region: "By default, you can make up to 300 requests in a burst and a
 * sustained 12 requests per second" (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-api-throttling.html).
 */
export const RDS_DEFAULT_RATE_LIMIT = { burst: 300, refillPerSecond: 12 } as const;

/** Account quota names the fake reports through DescribeAccountAttributes. */
export type RdsQuotaName = 'DBInstances' | 'DBClusters' | 'ManualSnapshots' | 'ManualClusterSnapshots';

export const DEFAULT_QUOTAS: Readonly<Record<RdsQuotaName, number>> = {
  DBInstances: 40,
  DBClusters: 40,
  ManualSnapshots: 100,
  ManualClusterSnapshots: 100,
};

/** Options of {@link RdsFake}. */
export interface RdsFakeOptions {
  /** Virtual clock shared with the rest of the test. @default a new {@link VirtualClock} */
  readonly clock?: FakeClock;
  /** Account id used in ARNs. @default '123456789012' */
  readonly accountId?: string;
  /** Region used by {@link RdsFake.install} when a client has no region configured. @default 'eu-west-1' */
  readonly defaultRegion?: string;
  /** Overrides of operation durations. @default {@link RdsFakeDurations} defaults */
  readonly durations?: Partial<RdsFakeDurations>;
  /** Overrides of per-region account quotas (RDS quotas are per account per region). @default ManualSnapshots 100 */
  readonly quotas?: Partial<Record<RdsQuotaName, number>>;
}

/** One recorded API call (the call log is the base's: {@link FakeCall}). */
export type RdsCall = FakeCall;

/** An error to inject, or a factory building one from the call (e.g. to embed the snapshot id in the message). */
export type ErrorOrFactory = InjectedError;

/** Where a restored instance or cluster came from; lets tests assert what a workflow restored. */
export type RestoreOrigin =
  | { readonly kind: 'snapshot'; readonly snapshotArn: string }
  | { readonly kind: 'point-in-time'; readonly sourceArn: string; readonly restoreTime: Date };

/** Seed of a DB instance for {@link RdsFake.addInstance}. Only `id` and `region` are required. */
export interface SeedInstance {
  /** DBInstanceIdentifier. */
  readonly id: string;
  /** Region the instance lives in. */
  readonly region: string;
  /** DBInstanceStatus. @default 'available' */
  readonly status?: string;
  /** Multi-AZ instance deployment (primary + synchronous standby). @default true */
  readonly MultiAZ?: boolean;
  /** AZ of the primary. @default `${region}a` */
  readonly AvailabilityZone?: string;
  /** AZ of the standby; only meaningful when MultiAZ. @default `${region}b` when MultiAZ */
  readonly SecondaryAvailabilityZone?: string;
  /** Fixed LatestRestorableTime. @default tracks the clock: now - `pitrLagMs` */
  readonly LatestRestorableTime?: Date;
  /** Lag of LatestRestorableTime behind the clock when it is not fixed (RDS: about 5 minutes). @default 300_000 */
  readonly pitrLagMs?: number;
  /** Earliest restorable time. @default max(InstanceCreateTime, now - BackupRetentionPeriod days), tracking the clock */
  readonly EarliestRestorableTime?: Date;
  /** Days of automated backups; 0 disables point-in-time restore. @default 7 */
  readonly BackupRetentionPeriod?: number;
  /** Tags. @default [] */
  readonly tags?: readonly Tag[];
  /** Makes this instance a read replica of the given source (id in the same region, ARN across regions). */
  readonly ReadReplicaSourceDBInstanceIdentifier?: string;
  /** Storage encryption. @default true */
  readonly StorageEncrypted?: boolean;
  /** KMS key of the storage. @default a customer key ARN in the instance's region */
  readonly KmsKeyId?: string;
  /** @default false */
  readonly DeletionProtection?: boolean;
  /** @default false */
  readonly CopyTagsToSnapshot?: boolean;
  /** @default 'postgres' */
  readonly Engine?: string;
  /** @default '16.4' */
  readonly EngineVersion?: string;
  /** @default 'db.m6g.large' */
  readonly DBInstanceClass?: string;
  /** @default 100 */
  readonly AllocatedStorage?: number;
  /** @default now - 30 days */
  readonly InstanceCreateTime?: Date;
  /** @default 'swifteats' */
  readonly DBName?: string;
}

/** A member of a seeded Multi-AZ DB cluster. */
export interface SeedClusterMember {
  /** DBInstanceIdentifier of the member. */
  readonly id: string;
  /** AZ of the member. */
  readonly az: string;
  /** Whether the member is the writer. Exactly one member should be. */
  readonly writer: boolean;
}

/** Seed of a DB cluster for {@link RdsFake.addCluster}. Only `id` and `region` are required. */
export interface SeedCluster {
  /** DBClusterIdentifier. */
  readonly id: string;
  /** Region. */
  readonly region: string;
  /** Status. @default 'available' */
  readonly status?: string;
  /** Members. @default writer `${id}-instance-1` in `${region}a`, readers -2 and -3 in b and c */
  readonly members?: readonly SeedClusterMember[];
  /** Fixed LatestRestorableTime. @default tracks the clock: now - `pitrLagMs` */
  readonly LatestRestorableTime?: Date;
  /** @default 300_000 */
  readonly pitrLagMs?: number;
  /** @default max(ClusterCreateTime, now - BackupRetentionPeriod days), tracking the clock */
  readonly EarliestRestorableTime?: Date;
  /** @default 7 */
  readonly BackupRetentionPeriod?: number;
  /** @default [] */
  readonly tags?: readonly Tag[];
  /** `postgres` or `mysql` for a Multi-AZ DB cluster, `aurora-postgresql` for Aurora. @default 'postgres' */
  readonly Engine?: string;
  /** @default '16.4' */
  readonly EngineVersion?: string;
  /** @default 'db.m6gd.large' */
  readonly DBClusterInstanceClass?: string;
  /** @default true */
  readonly StorageEncrypted?: boolean;
  /** @default a customer key ARN in the cluster's region */
  readonly KmsKeyId?: string;
  /** @default false */
  readonly DeletionProtection?: boolean;
  /** @default now - 30 days */
  readonly ClusterCreateTime?: Date;
}

/** Seed of a DB snapshot for {@link RdsFake.addSnapshot}. */
export interface SeedSnapshot {
  /** DBSnapshotIdentifier (automated ones look like `rds:<db>-2026-11-01-03-10`). */
  readonly id: string;
  /** Region. */
  readonly region: string;
  /** Source DB instance id; it need not exist any more. */
  readonly instanceId: string;
  /** @default 'manual' */
  readonly SnapshotType?: 'manual' | 'automated';
  /** @default 'available' */
  readonly status?: string;
  /** @default now */
  readonly SnapshotCreateTime?: Date;
  /** The point in time of the snapshot's data. @default SnapshotCreateTime */
  readonly SnapshotDatabaseTime?: Date;
  /** @default [] */
  readonly tags?: readonly Tag[];
  /** @default true */
  readonly Encrypted?: boolean;
  /** @default a customer key ARN in the region */
  readonly KmsKeyId?: string;
  /** @default 'postgres' */
  readonly Engine?: string;
}

/** Seed of a DB cluster snapshot for {@link RdsFake.addClusterSnapshot}. */
export interface SeedClusterSnapshot {
  /** DBClusterSnapshotIdentifier. */
  readonly id: string;
  /** Region. */
  readonly region: string;
  /** Source cluster id. */
  readonly clusterId: string;
  /** @default 'manual' */
  readonly SnapshotType?: 'manual' | 'automated';
  /** @default 'available' */
  readonly status?: string;
  /** @default now */
  readonly SnapshotCreateTime?: Date;
  /** @default [] */
  readonly tags?: readonly Tag[];
  /** @default 'postgres' */
  readonly Engine?: string;
  /** @default true */
  readonly StorageEncrypted?: boolean;
  /** @default a customer key ARN in the region */
  readonly KmsKeyId?: string;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

export type ModeledFault = new (opts: { message: string; $metadata: ResponseMetadata }) => RDSServiceException;

/**
 * Modeled faults: SDK class, wire error code (what the API reference lists and what `Error.Code` carries)
 * and HTTP status. The SDK names the thrown exception after the class (e.g. `DBSnapshotAlreadyExistsFault`)
 * while the wire code is often shorter (`DBSnapshotAlreadyExists`); the fake reproduces both.
 */
export const FAULTS = {
  DBInstanceNotFound: { ctor: DBInstanceNotFoundFault, status: 404 },
  DBInstanceAlreadyExists: { ctor: DBInstanceAlreadyExistsFault, status: 400 },
  DBInstanceAutomatedBackupNotFound: { ctor: DBInstanceAutomatedBackupNotFoundFault, status: 404 },
  InstanceQuotaExceeded: { ctor: InstanceQuotaExceededFault, status: 400 },
  InvalidDBInstanceState: { ctor: InvalidDBInstanceStateFault, status: 400 },
  DBSnapshotNotFound: { ctor: DBSnapshotNotFoundFault, status: 404 },
  DBSnapshotAlreadyExists: { ctor: DBSnapshotAlreadyExistsFault, status: 400 },
  InvalidDBSnapshotState: { ctor: InvalidDBSnapshotStateFault, status: 400 },
  SnapshotQuotaExceeded: { ctor: SnapshotQuotaExceededFault, status: 400 },
  KMSKeyNotAccessibleFault: { ctor: KMSKeyNotAccessibleFault, status: 400 },
  PointInTimeRestoreNotEnabled: { ctor: PointInTimeRestoreNotEnabledFault, status: 400 },
  DBClusterNotFoundFault: { ctor: DBClusterNotFoundFault, status: 404 },
  DBClusterAlreadyExistsFault: { ctor: DBClusterAlreadyExistsFault, status: 400 },
  DBClusterQuotaExceededFault: { ctor: DBClusterQuotaExceededFault, status: 403 },
  InvalidDBClusterStateFault: { ctor: InvalidDBClusterStateFault, status: 400 },
  DBClusterSnapshotNotFoundFault: { ctor: DBClusterSnapshotNotFoundFault, status: 404 },
  DBClusterSnapshotAlreadyExistsFault: { ctor: DBClusterSnapshotAlreadyExistsFault, status: 400 },
  InvalidDBClusterSnapshotStateFault: { ctor: InvalidDBClusterSnapshotStateFault, status: 400 },
} satisfies Record<string, { ctor: ModeledFault; status: number }>;

/** Wire codes of the modeled faults the fake throws. */
export type RdsFaultCode = keyof typeof FAULTS;

/**
 * Common errors that are not modeled in the SDK: the SDK throws its base `RDSServiceException`
 * with `name` set to the wire code. See https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html
 */
export type RdsCommonErrorCode = 'InvalidParameterValue' | 'InvalidParameterCombination' | 'MissingParameter' | 'Throttling';

/** Adds what the SDK's awsQuery error parser attaches to every exception: `Type`, `Code` and `Error`. */
export function decorate<E extends RDSServiceException>(error: E, code: string, message: string): E {
  return Object.assign(error, { Type: 'Sender', Code: code, Error: { Type: 'Sender', Code: code, Message: message } });
}

/**
 * Builds the typed exception the SDK would throw for a modeled RDS fault, e.g.
 * `rdsFault('DBSnapshotAlreadyExists', '...')` is a `DBSnapshotAlreadyExistsFault` with `Code` `DBSnapshotAlreadyExists`.
 */
export function rdsFault(code: RdsFaultCode, message: string): RDSServiceException {
  const { ctor, status } = FAULTS[code];
  return decorate(new ctor({ message, $metadata: metadata(status) }), code, message);
}

/** Builds the `RDSServiceException` the SDK throws for an unmodeled common error (its `name` is the wire code). */
export function rdsCommonError(code: RdsCommonErrorCode, message: string): RDSServiceException {
  return decorate(new RDSServiceException({ name: code, $fault: 'client', message, $metadata: metadata(400) }), code, message);
}

/**
 * The throttling error RDS returns. The user guide's example prints `ThrottlingException`
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-api-throttling.html), but the error code RDS
 * actually sends on its awsQuery protocol is `Throttling` with message `Rate exceeded`, HTTP 400
 * (as reported verbatim in aws/aws-cli#8604 and cloud-custodian#3340). The SDK's retry strategy treats
 * both names as throttling.
 */
export function throttlingError(): RDSServiceException {
  return rdsCommonError('Throttling', 'Rate exceeded');
}

// ---------------------------------------------------------------------------------------------
// Internal state
// ---------------------------------------------------------------------------------------------

export interface PitrWindow {
  /** Fixed latest restorable time, or undefined to track the clock. */
  fixedLatest: Date | undefined;
  lagMs: number;
  fixedEarliest: Date | undefined;
}

export interface InstanceRec {
  seq: number;
  token: number;
  data: DBInstance;
  pitr: PitrWindow;
  origin: RestoreOrigin | undefined;
}

export interface ClusterRec {
  seq: number;
  token: number;
  data: DBCluster;
  pitr: PitrWindow;
  origin: RestoreOrigin | undefined;
}

export interface SnapshotRec {
  seq: number;
  data: DBSnapshot;
  startedAt: number;
  durationMs: number;
  /** A copy carries its source's original create time and data time while it is copied. */
  copy?: boolean;
}

export interface ClusterSnapshotRec {
  seq: number;
  data: DBClusterSnapshot;
  startedAt: number;
  durationMs: number;
}

/** Automated backups replicated into a region (StartDBInstanceAutomatedBackupsReplication). */
export interface ReplicatedBackupRec {
  seq: number;
  sourceRegion: string;
  sourceId: string;
  /** Copied from the source when replication starts: they outlive the source instance. */
  sourceArn: string;
  dbiResourceId: string;
  kmsKeyId: string;
  retention: number;
  /** Replication lag behind the source's LatestRestorableTime, or a fixed latest time. */
  lagMs: number;
  fixedLatest: Date | undefined;
  startedAt: number;
  status: 'replicating' | 'retained';
}

export interface RegionState {
  instances: Map<string, InstanceRec>;
  replicatedBackups: ReplicatedBackupRec[];
  clusters: Map<string, ClusterRec>;
  snapshots: Map<string, SnapshotRec>;
  clusterSnapshots: Map<string, ClusterSnapshotRec>;
  quotas: Record<RdsQuotaName, number>;
}

export interface ScheduledEvent {
  at: number;
  order: number;
  run: () => void;
}

export interface ParsedArn {
  region: string;
  account: string;
  type: 'db' | 'snapshot' | 'cluster' | 'cluster-snapshot';
  id: string;
}

export const DAY_MS = 86_400_000;
export const IN_PROGRESS_SNAPSHOT = new Set(['creating', 'copying', 'pending']);
/** Engines of Multi-AZ DB clusters, as opposed to Aurora (`aurora-*`). */
export const MULTI_AZ_CLUSTER_ENGINES = new Set(['postgres', 'mysql']);

export function parseArn(value: string): ParsedArn | undefined {
  const match = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):(\d{12}):(db|snapshot|cluster-snapshot|cluster):(.+)$/.exec(value);
  if (!match) return undefined;
  const [, region, account, type, id] = match;
  if (region === undefined || account === undefined || type === undefined || id === undefined) return undefined;
  return { region, account, type: type as ParsedArn['type'], id: id.toLowerCase() };
}

export function toDate(value: unknown, field: string): Date {
  const date = value instanceof Date ? new Date(value.getTime()) : new Date(String(value));
  if (Number.isNaN(date.getTime())) throw rdsCommonError('InvalidParameterValue', `Invalid value for ${field}: ${String(value)}`);
  return date;
}

/** Merges tags by key; later values win, as AddTagsToResource overwrites an existing key. */
export function mergeTags(base: readonly Tag[] | undefined, extra: readonly Tag[] | undefined): Tag[] {
  const byKey = new Map<string, string | undefined>();
  for (const tag of [...(base ?? []), ...(extra ?? [])]) {
    if (tag.Key !== undefined) byKey.set(tag.Key, tag.Value);
  }
  return [...byKey].map(([Key, Value]) => ({ Key, Value }));
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The RDS operations the fake implements, as `RdsFake.handle` names them. */
export const RDS_FAKE_OPERATIONS: readonly string[] = [
  'DescribeDBInstances',
  'RestoreDBInstanceFromDBSnapshot',
  'RestoreDBInstanceToPointInTime',
  'DeleteDBInstance',
  'RebootDBInstance',
  'PromoteReadReplica',
  'ModifyDBInstance',
  'ModifyDBCluster',
  'DescribeDBClusters',
  'FailoverDBCluster',
  'RestoreDBClusterFromSnapshot',
  'RestoreDBClusterToPointInTime',
  'DeleteDBCluster',
  'CreateDBSnapshot',
  'CreateDBClusterSnapshot',
  'DescribeDBSnapshots',
  'DescribeDBClusterSnapshots',
  'DeleteDBSnapshot',
  'DeleteDBClusterSnapshot',
  'CopyDBSnapshot',
  'CopyDBClusterSnapshot',
  'AddTagsToResource',
  'RemoveTagsFromResource',
  'ListTagsForResource',
  'DescribeAccountAttributes',
  'DescribeDBInstanceAutomatedBackups',
];

// ---------------------------------------------------------------------------------------------
// The fake
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Module helpers
// ---------------------------------------------------------------------------------------------

export function byTimeThenOrder(a: ScheduledEvent, b: ScheduledEvent): number {
  return a.at - b.at || a.order - b.order;
}

export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw rdsCommonError('MissingParameter', `The request must contain the parameter ${field}`);
  return value;
}

/** RDS identifiers: 1 to max letters, digits or hyphens; first a letter; no trailing hyphen nor two consecutive hyphens. Stored lowercase. */
export function validateIdentifier(value: string, field: string, max: number): string {
  if (value.length > max || !/^[A-Za-z][A-Za-z0-9-]*$/.test(value) || value.endsWith('-') || value.includes('--')) {
    throw rdsCommonError('InvalidParameterValue', `The parameter ${field} is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.`);
  }
  return value.toLowerCase();
}

/** BackupRetentionPeriod: "Must be a value from 0 to 35" (API reference of the restore and modify operations). */
export function retentionDays(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > 35) throw rdsCommonError('InvalidParameterValue', `Invalid BackupRetentionPeriod ${value}: must be a value from 0 to 35.`);
  return value;
}

/** Clusters: "Must be a value from 1 to 35" (API reference, ModifyDBCluster and the cluster restores). */
export function clusterRetentionDays(value: number | undefined, fallback: number): number {
  if (value === 0) throw rdsCommonError('InvalidParameterValue', 'Invalid BackupRetentionPeriod 0: must be a value from 1 to 35.');
  return retentionDays(value, fallback);
}

export function resourceId(kind: 'db' | 'cluster', id: string): string {
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `${kind}-${hash.toString(36).toUpperCase().padStart(26, 'X')}`;
}

export function encodeMarker(command: string, seq: number): string {
  return Buffer.from(JSON.stringify({ c: command, s: seq })).toString('base64url');
}

export function decodeMarker(marker: string, command: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'c' in parsed && 's' in parsed && parsed.c === command && typeof parsed.s === 'number') {
      return parsed.s;
    }
  } catch {
    // fall through to the error below
  }
  throw rdsCommonError('InvalidParameterValue', `Invalid Marker: ${marker}`);
}

/** Filters are ANDed; the values of one filter are ORed. Unknown filter names are rejected, as RDS does. */
export function matchesFilters(filters: readonly Filter[] | undefined, getters: Record<string, () => readonly (string | undefined)[]>): boolean {
  for (const filter of filters ?? []) {
    const name = filter.Name ?? '';
    const getter = getters[name];
    if (!getter) throw rdsCommonError('InvalidParameterValue', `Unrecognized filter name: ${name}. Supported filters: ${Object.keys(getters).join(', ')}.`);
    const values = new Set(filter.Values ?? []);
    if (!getter().some((v) => v !== undefined && values.has(v))) return false;
  }
  return true;
}
