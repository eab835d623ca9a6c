/**
 * A stateful, in-memory model of the Amazon RDS control plane for one AWS account across regions.
 *
 * Tests and benchmarks drive it through real `RDSClient`s (see {@link RdsFake.install}) or, from
 * local Step Functions runs, through {@link RdsFake.handle}. It models what the DR system depends on:
 * status transitions that take (virtual) time, pagination, tags, typed errors with the exact names
 * and wire codes of the API reference, quotas, throttling and injected faults.
 *
 * Time never passes on its own: the injected clock is advanced by the test, and every scheduled
 * transition whose time has come is applied lazily at the start of the next call or inspection.
 *
 * Fidelity notes (deliberate simplifications, each chosen because the DR code does not depend on it):
 * - identifiers are stored lowercase, as RDS does; one account; no sharing, no public snapshots;
 * - the backup window does not make an instance `backing-up` (only snapshots and promotions do);
 * - members of a Multi-AZ DB cluster are modelled as DB instances carrying `DBClusterIdentifier`.
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
  RDSClient,
  RDSServiceException,
  SnapshotQuotaExceededFault,
} from '@aws-sdk/client-rds';
import type {
  AccountQuota,
  AddTagsToResourceMessage,
  CopyDBClusterSnapshotMessage,
  CopyDBSnapshotMessage,
  CreateDBClusterSnapshotMessage,
  CreateDBSnapshotMessage,
  DBCluster,
  DBClusterMember,
  DBClusterSnapshot,
  DBInstance,
  DBInstanceAutomatedBackup,
  DescribeDBInstanceAutomatedBackupsMessage,
  DBSnapshot,
  DeleteDBClusterMessage,
  DeleteDBClusterSnapshotMessage,
  DeleteDBInstanceMessage,
  DeleteDBSnapshotMessage,
  DescribeDBClusterSnapshotsMessage,
  DescribeDBClustersMessage,
  DescribeDBInstancesMessage,
  DescribeDBSnapshotsMessage,
  FailoverDBClusterMessage,
  Filter,
  ListTagsForResourceMessage,
  MasterUserSecret,
  ModifyDBClusterMessage,
  ModifyDBInstanceMessage,
  PromoteReadReplicaMessage,
  RebootDBInstanceMessage,
  RemoveTagsFromResourceMessage,
  RestoreDBClusterFromSnapshotMessage,
  RestoreDBClusterToPointInTimeMessage,
  RestoreDBInstanceFromDBSnapshotMessage,
  RestoreDBInstanceToPointInTimeMessage,
  Tag,
} from '@aws-sdk/client-rds';
import type { ResponseMetadata } from '@smithy/types';
import { AwsFake, metadata, normaliseCommand, VirtualClock, type FakeCall, type FakeClock, type InjectedError } from './aws-fake.ts';
import { inputMembers, mayThrow, operationExists } from './rds-model.ts';

/** The clock moved to the base of every fake; re-exported here, where the tests import it from. */
export { VirtualClock, type FakeClock } from './aws-fake.ts';

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

const DEFAULT_DURATIONS: RdsFakeDurations = {
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

const DEFAULT_QUOTAS: Readonly<Record<RdsQuotaName, number>> = {
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

type ModeledFault = new (opts: { message: string; $metadata: ResponseMetadata }) => RDSServiceException;

/**
 * Modeled faults: SDK class, wire error code (what the API reference lists and what `Error.Code` carries)
 * and HTTP status. The SDK names the thrown exception after the class (e.g. `DBSnapshotAlreadyExistsFault`)
 * while the wire code is often shorter (`DBSnapshotAlreadyExists`); the fake reproduces both.
 */
const FAULTS = {
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
function decorate<E extends RDSServiceException>(error: E, code: string, message: string): E {
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

interface PitrWindow {
  /** Fixed latest restorable time, or undefined to track the clock. */
  fixedLatest: Date | undefined;
  lagMs: number;
  fixedEarliest: Date | undefined;
}

interface InstanceRec {
  seq: number;
  token: number;
  data: DBInstance;
  pitr: PitrWindow;
  origin: RestoreOrigin | undefined;
}

interface ClusterRec {
  seq: number;
  token: number;
  data: DBCluster;
  pitr: PitrWindow;
  origin: RestoreOrigin | undefined;
}

interface SnapshotRec {
  seq: number;
  data: DBSnapshot;
  startedAt: number;
  durationMs: number;
  /** A copy carries its source's original create time and data time while it is copied. */
  copy?: boolean;
}

interface ClusterSnapshotRec {
  seq: number;
  data: DBClusterSnapshot;
  startedAt: number;
  durationMs: number;
}

/** Automated backups replicated into a region (StartDBInstanceAutomatedBackupsReplication). */
interface ReplicatedBackupRec {
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

interface RegionState {
  instances: Map<string, InstanceRec>;
  replicatedBackups: ReplicatedBackupRec[];
  clusters: Map<string, ClusterRec>;
  snapshots: Map<string, SnapshotRec>;
  clusterSnapshots: Map<string, ClusterSnapshotRec>;
  quotas: Record<RdsQuotaName, number>;
}

interface ScheduledEvent {
  at: number;
  order: number;
  run: () => void;
}

interface ParsedArn {
  region: string;
  account: string;
  type: 'db' | 'snapshot' | 'cluster' | 'cluster-snapshot';
  id: string;
}

const DAY_MS = 86_400_000;
const IN_PROGRESS_SNAPSHOT = new Set(['creating', 'copying', 'pending']);
/** Engines of Multi-AZ DB clusters, as opposed to Aurora (`aurora-*`). */
const MULTI_AZ_CLUSTER_ENGINES = new Set(['postgres', 'mysql']);

function parseArn(value: string): ParsedArn | undefined {
  const match = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):(\d{12}):(db|snapshot|cluster-snapshot|cluster):(.+)$/.exec(value);
  if (!match) return undefined;
  const [, region, account, type, id] = match;
  if (region === undefined || account === undefined || type === undefined || id === undefined) return undefined;
  return { region, account, type: type as ParsedArn['type'], id: id.toLowerCase() };
}

function toDate(value: unknown, field: string): Date {
  const date = value instanceof Date ? new Date(value.getTime()) : new Date(String(value));
  if (Number.isNaN(date.getTime())) throw rdsCommonError('InvalidParameterValue', `Invalid value for ${field}: ${String(value)}`);
  return date;
}

/** Merges tags by key; later values win, as AddTagsToResource overwrites an existing key. */
function mergeTags(base: readonly Tag[] | undefined, extra: readonly Tag[] | undefined): Tag[] {
  const byKey = new Map<string, string | undefined>();
  for (const tag of [...(base ?? []), ...(extra ?? [])]) {
    if (tag.Key !== undefined) byKey.set(tag.Key, tag.Value);
  }
  return [...byKey].map(([Key, Value]) => ({ Key, Value }));
}

function clone<T>(value: T): T {
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

/**
 * Stateful in-memory RDS control plane. One instance models one AWS account; state is kept per region.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const rds = new RdsFake({ clock });
 * const mock = rds.install();               // every RDSClient now talks to the fake
 * rds.addInstance({ id: 'swifteats', region: 'eu-west-1' });
 * await new RDSClient({ region: 'eu-west-1' }).send(new CreateDBSnapshotCommand({ ... }));
 * clock.advance(rds.durations.snapshotCreateMs);
 * mock.restore();
 * ```
 */
export class RdsFake extends AwsFake<RDSClient> {
  /** Account id used in ARNs. */
  readonly accountId: string;
  /** Operation durations; mutable so a test can slow one operation down mid-test. */
  readonly durations: { -readonly [K in keyof RdsFakeDurations]: RdsFakeDurations[K] };

  readonly #quotaDefaults: Record<RdsQuotaName, number>;
  readonly #regions = new Map<string, RegionState>();
  readonly #inaccessibleKeys = new Set<string>();
  #timeline: ScheduledEvent[] = [];
  #seq = 0;
  #order = 0;
  /** Set while a scheduled event runs, so that anything it schedules is relative to the event's own time. */
  #eventTime: number | undefined;

  /** @param options see {@link RdsFakeOptions} */
  constructor(options: RdsFakeOptions = {}) {
    super({
      clock: options.clock ?? new VirtualClock(),
      client: RDSClient,
      source: 'test/support/rds-fake.ts',
      operations: RDS_FAKE_OPERATIONS,
      mutating: RDS_FAKE_OPERATIONS.filter((op) => !/^(Describe|List)/.test(op)),
      throttlingError,
      defaultRegion: options.defaultRegion,
    });
    this.accountId = options.accountId ?? '123456789012';
    this.durations = { ...DEFAULT_DURATIONS, ...options.durations };
    this.#quotaDefaults = { ...DEFAULT_QUOTAS, ...options.quotas };
  }

  // ------------------------------------------------------------------ hooks of the base (AwsFake.handle)

  /** Every call first applies the transitions whose time has come. */
  protected override beforeCall(): void {
    this.#settle();
  }

  /** Every member of a request must be a member of the operation's input in the SDK's model. */
  protected override validate(command: string, params: Readonly<Record<string, unknown>>): void {
    if (!operationExists(command)) return;
    const members = inputMembers(command);
    const unknown = Object.keys(params).filter((key) => !members.has(key));
    if (unknown.length > 0) {
      throw new Error(`RdsFake model violation: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a member' : 'are not members'} of ${command}'s input in @aws-sdk/client-rds`);
    }
  }

  /**
   * The fake itself must only return what RDS declares for the operation: an undeclared error would let the
   * code under test handle a failure RDS can never produce (and miss the one it does).
   */
  protected override checkError(command: string, error: unknown, injected: boolean): unknown {
    if (!injected && error instanceof RDSServiceException && operationExists(command) && !mayThrow(command, error.name)) {
      return new Error(`RdsFake model violation: ${command} threw ${error.name}, which @aws-sdk/client-rds does not declare for it (${error.message})`);
    }
    return error;
  }

  protected dispatch(command: string, input: Record<string, unknown>, region: string): object {
    switch (command) {
      case 'DescribeDBInstances':
        return this.#describeDBInstances(input as DescribeDBInstancesMessage, region);
      case 'RestoreDBInstanceFromDBSnapshot':
        return this.#restoreDBInstanceFromDBSnapshot(input as unknown as RestoreDBInstanceFromDBSnapshotMessage, region);
      case 'RestoreDBInstanceToPointInTime':
        return this.#restoreDBInstanceToPointInTime(input as unknown as RestoreDBInstanceToPointInTimeMessage, region);
      case 'DeleteDBInstance':
        return this.#deleteDBInstance(input as unknown as DeleteDBInstanceMessage, region);
      case 'RebootDBInstance':
        return this.#rebootDBInstance(input as unknown as RebootDBInstanceMessage, region);
      case 'PromoteReadReplica':
        return this.#promoteReadReplica(input as unknown as PromoteReadReplicaMessage, region);
      case 'ModifyDBInstance':
        return this.#modifyDBInstance(input as unknown as ModifyDBInstanceMessage, region);
      case 'ModifyDBCluster':
        return this.#modifyDBCluster(input as unknown as ModifyDBClusterMessage, region);
      case 'DescribeDBClusters':
        return this.#describeDBClusters(input as DescribeDBClustersMessage, region);
      case 'FailoverDBCluster':
        return this.#failoverDBCluster(input as unknown as FailoverDBClusterMessage, region);
      case 'RestoreDBClusterFromSnapshot':
        return this.#restoreDBClusterFromSnapshot(input as unknown as RestoreDBClusterFromSnapshotMessage, region);
      case 'RestoreDBClusterToPointInTime':
        return this.#restoreDBClusterToPointInTime(input as unknown as RestoreDBClusterToPointInTimeMessage, region);
      case 'DeleteDBCluster':
        return this.#deleteDBCluster(input as unknown as DeleteDBClusterMessage, region);
      case 'CreateDBSnapshot':
        return this.#createDBSnapshot(input as unknown as CreateDBSnapshotMessage, region);
      case 'CreateDBClusterSnapshot':
        return this.#createDBClusterSnapshot(input as unknown as CreateDBClusterSnapshotMessage, region);
      case 'DescribeDBSnapshots':
        return this.#describeDBSnapshots(input as DescribeDBSnapshotsMessage, region);
      case 'DescribeDBClusterSnapshots':
        return this.#describeDBClusterSnapshots(input as DescribeDBClusterSnapshotsMessage, region);
      case 'DeleteDBSnapshot':
        return this.#deleteDBSnapshot(input as unknown as DeleteDBSnapshotMessage, region);
      case 'DeleteDBClusterSnapshot':
        return this.#deleteDBClusterSnapshot(input as unknown as DeleteDBClusterSnapshotMessage, region);
      case 'CopyDBSnapshot':
        return this.#copyDBSnapshot(input as unknown as CopyDBSnapshotMessage, region);
      case 'CopyDBClusterSnapshot':
        return this.#copyDBClusterSnapshot(input as unknown as CopyDBClusterSnapshotMessage, region);
      case 'AddTagsToResource':
        return this.#addTagsToResource(input as unknown as AddTagsToResourceMessage, region);
      case 'RemoveTagsFromResource':
        return this.#removeTagsFromResource(input as unknown as RemoveTagsFromResourceMessage, region);
      case 'ListTagsForResource':
        return this.#listTagsForResource(input as unknown as ListTagsForResourceMessage, region);
      case 'DescribeAccountAttributes':
        return { AccountQuotas: this.#accountQuotas(region) };
      case 'DescribeDBInstanceAutomatedBackups':
        return this.#describeDBInstanceAutomatedBackups(input as DescribeDBInstanceAutomatedBackupsMessage, region);
      default:
        throw new Error(`RdsFake does not implement ${command}; add it to test/support/rds-fake.ts`);
    }
  }

  // ------------------------------------------------------------------ KMS keys

  /** Marks a KMS key (id, alias or ARN, matched as given) as disabled or not accessible: RDS then fails with KMSKeyNotAccessibleFault. */
  markKeyInaccessible(keyId: string): void {
    this.#inaccessibleKeys.add(keyId);
  }

  /** Undoes {@link RdsFake.markKeyInaccessible}. */
  markKeyAccessible(keyId: string): void {
    this.#inaccessibleKeys.delete(keyId);
  }

  // ------------------------------------------------------------------ seeding and inspection

  /** ARN of a DB instance. */
  instanceArn(region: string, id: string): string {
    return `arn:aws:rds:${region}:${this.accountId}:db:${id.toLowerCase()}`;
  }

  /** ARN of a DB snapshot. */
  snapshotArn(region: string, id: string): string {
    return `arn:aws:rds:${region}:${this.accountId}:snapshot:${id.toLowerCase()}`;
  }

  /** ARN of a DB cluster. */
  clusterArn(region: string, id: string): string {
    return `arn:aws:rds:${region}:${this.accountId}:cluster:${id.toLowerCase()}`;
  }

  /** ARN of a DB cluster snapshot. */
  clusterSnapshotArn(region: string, id: string): string {
    return `arn:aws:rds:${region}:${this.accountId}:cluster-snapshot:${id.toLowerCase()}`;
  }

  /** The default customer KMS key ARN the fake uses for encrypted resources in a region. */
  defaultKmsKeyArn(region: string): string {
    return `arn:aws:kms:${region}:${this.accountId}:key/0f0f0f0f-1111-4222-8333-${region.replace(/[^a-z0-9]/g, '').padEnd(12, '0').slice(0, 12)}`;
  }

  /** Seeds a DB instance (Multi-AZ by default), or a read replica when `ReadReplicaSourceDBInstanceIdentifier` is set. */
  addInstance(seed: SeedInstance): DBInstance {
    this.#settle();
    const state = this.#region(seed.region);
    const id = seed.id.toLowerCase();
    if (state.instances.has(id)) throw new Error(`RdsFake.addInstance: ${id} already exists in ${seed.region}`);
    const multiAZ = seed.MultiAZ ?? true;
    const now = this.#now();
    const data: DBInstance = {
      ...this.#instanceDefaults(seed.region, id, {
        engine: seed.Engine ?? 'postgres',
        engineVersion: seed.EngineVersion ?? '16.4',
        instanceClass: seed.DBInstanceClass ?? 'db.m6g.large',
        allocatedStorage: seed.AllocatedStorage ?? 100,
        encrypted: seed.StorageEncrypted ?? true,
        kmsKeyId: seed.KmsKeyId,
      }),
      DBInstanceStatus: seed.status ?? 'available',
      MultiAZ: multiAZ,
      AvailabilityZone: seed.AvailabilityZone ?? `${seed.region}a`,
      ...(multiAZ ? { SecondaryAvailabilityZone: seed.SecondaryAvailabilityZone ?? `${seed.region}b` } : {}),
      BackupRetentionPeriod: seed.BackupRetentionPeriod ?? 7,
      InstanceCreateTime: seed.InstanceCreateTime ?? new Date(now - 30 * DAY_MS),
      DeletionProtection: seed.DeletionProtection ?? false,
      CopyTagsToSnapshot: seed.CopyTagsToSnapshot ?? false,
      DBName: seed.DBName ?? 'swifteats',
      TagList: mergeTags(undefined, seed.tags),
    };
    const rec: InstanceRec = {
      seq: this.#nextSeq(),
      token: 0,
      data,
      pitr: { fixedLatest: seed.LatestRestorableTime, lagMs: seed.pitrLagMs ?? 300_000, fixedEarliest: seed.EarliestRestorableTime },
      origin: undefined,
    };
    state.instances.set(id, rec);
    if (seed.ReadReplicaSourceDBInstanceIdentifier !== undefined) this.#linkReplica(rec, seed.region, seed.ReadReplicaSourceDBInstanceIdentifier);
    return this.#instanceOut(rec);
  }

  /** Seeds a Multi-AZ DB cluster (writer + two readable standbys) and its member instances. */
  addCluster(seed: SeedCluster): DBCluster {
    this.#settle();
    const state = this.#region(seed.region);
    const id = seed.id.toLowerCase();
    if (state.clusters.has(id)) throw new Error(`RdsFake.addCluster: ${id} already exists in ${seed.region}`);
    const members = seed.members ?? [
      { id: `${id}-instance-1`, az: `${seed.region}a`, writer: true },
      { id: `${id}-instance-2`, az: `${seed.region}b`, writer: false },
      { id: `${id}-instance-3`, az: `${seed.region}c`, writer: false },
    ];
    const now = this.#now();
    const rec = this.#newCluster(seed.region, id, {
      status: seed.status ?? 'available',
      engine: seed.Engine ?? 'postgres',
      engineVersion: seed.EngineVersion ?? '16.4',
      instanceClass: seed.DBClusterInstanceClass ?? 'db.m6gd.large',
      encrypted: seed.StorageEncrypted ?? true,
      kmsKeyId: seed.KmsKeyId,
      retention: seed.BackupRetentionPeriod ?? 7,
      createTime: seed.ClusterCreateTime ?? new Date(now - 30 * DAY_MS),
      deletionProtection: seed.DeletionProtection ?? false,
      tags: seed.tags,
      members,
    });
    rec.pitr = { fixedLatest: seed.LatestRestorableTime, lagMs: seed.pitrLagMs ?? 300_000, fixedEarliest: seed.EarliestRestorableTime };
    return this.#clusterOut(rec);
  }

  /** Seeds a DB snapshot (manual or automated) directly, e.g. a history for retention tests. */
  addSnapshot(seed: SeedSnapshot): DBSnapshot {
    this.#settle();
    const state = this.#region(seed.region);
    const id = seed.id.toLowerCase();
    if (state.snapshots.has(id)) throw new Error(`RdsFake.addSnapshot: ${id} already exists in ${seed.region}`);
    const created = seed.SnapshotCreateTime ?? this.clock.now();
    const encrypted = seed.Encrypted ?? true;
    const data: DBSnapshot = {
      DBSnapshotIdentifier: id,
      DBInstanceIdentifier: seed.instanceId.toLowerCase(),
      SnapshotCreateTime: created,
      OriginalSnapshotCreateTime: created,
      SnapshotDatabaseTime: seed.SnapshotDatabaseTime ?? created,
      Engine: seed.Engine ?? 'postgres',
      EngineVersion: '16.4',
      AllocatedStorage: 100,
      Status: seed.status ?? 'available',
      Port: 5432,
      AvailabilityZone: `${seed.region}a`,
      VpcId: 'vpc-0fake0000000000001',
      MasterUsername: 'postgres',
      LicenseModel: 'postgresql-license',
      SnapshotType: seed.SnapshotType ?? 'manual',
      PercentProgress: 100,
      StorageType: 'gp3',
      Encrypted: encrypted,
      ...(encrypted ? { KmsKeyId: seed.KmsKeyId ?? this.defaultKmsKeyArn(seed.region) } : {}),
      DBSnapshotArn: this.snapshotArn(seed.region, id),
      DbiResourceId: resourceId('db', seed.instanceId.toLowerCase()),
      SnapshotTarget: 'region',
      TagList: mergeTags(undefined, seed.tags),
    };
    state.snapshots.set(id, { seq: this.#nextSeq(), data, startedAt: created.getTime(), durationMs: this.durations.snapshotCreateMs });
    return this.snapshot(seed.region, id) as DBSnapshot;
  }

  /** Seeds a DB cluster snapshot directly. */
  addClusterSnapshot(seed: SeedClusterSnapshot): DBClusterSnapshot {
    this.#settle();
    const state = this.#region(seed.region);
    const id = seed.id.toLowerCase();
    if (state.clusterSnapshots.has(id)) throw new Error(`RdsFake.addClusterSnapshot: ${id} already exists in ${seed.region}`);
    const created = seed.SnapshotCreateTime ?? this.clock.now();
    const encrypted = seed.StorageEncrypted ?? true;
    const data: DBClusterSnapshot = {
      AvailabilityZones: [`${seed.region}a`, `${seed.region}b`, `${seed.region}c`],
      DBClusterSnapshotIdentifier: id,
      DBClusterIdentifier: seed.clusterId.toLowerCase(),
      SnapshotCreateTime: created,
      Engine: seed.Engine ?? 'postgres',
      EngineVersion: '16.4',
      AllocatedStorage: 100,
      Status: seed.status ?? 'available',
      Port: 5432,
      VpcId: 'vpc-0fake0000000000001',
      MasterUsername: 'postgres',
      SnapshotType: seed.SnapshotType ?? 'manual',
      PercentProgress: 100,
      StorageEncrypted: encrypted,
      ...(encrypted ? { KmsKeyId: seed.KmsKeyId ?? this.defaultKmsKeyArn(seed.region) } : {}),
      DBClusterSnapshotArn: this.clusterSnapshotArn(seed.region, id),
      DbClusterResourceId: resourceId('cluster', seed.clusterId.toLowerCase()),
      TagList: mergeTags(undefined, seed.tags),
    };
    state.clusterSnapshots.set(id, { seq: this.#nextSeq(), data, startedAt: created.getTime(), durationMs: this.durations.snapshotCreateMs });
    return this.clusterSnapshot(seed.region, id) as DBClusterSnapshot;
  }

  /**
   * Starts replicating an instance's automated backups into `region`, as StartDBInstanceAutomatedBackupsReplication
   * called in that region would (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html).
   * The replicated restore window trails the source's LatestRestorableTime by `lagMs`, or is fixed by `latest`.
   */
  replicateAutomatedBackups(o: { sourceRegion: string; sourceId: string; region: string; kmsKeyId?: string; lagMs?: number; latest?: Date }): void {
    this.#settle();
    const source = this.#region(o.sourceRegion).instances.get(o.sourceId.toLowerCase());
    if (!source) throw new Error(`RdsFake.replicateAutomatedBackups: no instance ${o.sourceId} in ${o.sourceRegion}`);
    this.#region(o.region).replicatedBackups.push({
      seq: this.#nextSeq(),
      sourceRegion: o.sourceRegion,
      sourceId: source.data.DBInstanceIdentifier ?? '',
      sourceArn: source.data.DBInstanceArn ?? '',
      dbiResourceId: source.data.DbiResourceId ?? '',
      kmsKeyId: o.kmsKeyId ?? this.defaultKmsKeyArn(o.region),
      retention: source.data.BackupRetentionPeriod ?? 7,
      lagMs: o.lagMs ?? 0,
      fixedLatest: o.latest,
      startedAt: this.#now(),
      status: 'replicating',
    });
  }

  /** Sets a fixed LatestRestorableTime (or `undefined` to track the clock again), e.g. to simulate growing PITR lag. */
  setLatestRestorableTime(region: string, id: string, latest: Date | undefined): void {
    this.#settle();
    const rec = this.#region(region).instances.get(id.toLowerCase()) ?? this.#region(region).clusters.get(id.toLowerCase());
    if (!rec) throw new Error(`RdsFake.setLatestRestorableTime: no instance or cluster ${id} in ${region}`);
    rec.pitr.fixedLatest = latest;
  }

  /** Forces an instance's status, e.g. `'failed'` or `'storage-full'` to simulate a broken writer. Cancels pending transitions. */
  setInstanceStatus(region: string, id: string, status: string): void {
    this.#settle();
    const rec = this.#region(region).instances.get(id.toLowerCase());
    if (!rec) throw new Error(`RdsFake.setInstanceStatus: no instance ${id} in ${region}`);
    rec.token += 1;
    rec.data.DBInstanceStatus = status;
  }

  /** Overrides one account quota's maximum in one region (or in every region when `region` is omitted). */
  setQuota(name: RdsQuotaName, max: number, region?: string): void {
    if (region === undefined) {
      this.#quotaDefaults[name] = max;
      for (const state of this.#regions.values()) state.quotas[name] = max;
    } else {
      this.#region(region).quotas[name] = max;
    }
  }

  /** A DB instance as DescribeDBInstances would show it now, or undefined. */
  instance(region: string, id: string): DBInstance | undefined {
    this.#settle();
    const rec = this.#region(region).instances.get(id.toLowerCase());
    return rec ? this.#instanceOut(rec) : undefined;
  }

  /** Every DB instance of a region, in creation order. */
  instances(region: string): DBInstance[] {
    this.#settle();
    return [...this.#region(region).instances.values()].map((rec) => this.#instanceOut(rec));
  }

  /** A DB cluster as DescribeDBClusters would show it now, or undefined. */
  cluster(region: string, id: string): DBCluster | undefined {
    this.#settle();
    const rec = this.#region(region).clusters.get(id.toLowerCase());
    return rec ? this.#clusterOut(rec) : undefined;
  }

  /** A DB snapshot (with TagList) as DescribeDBSnapshots would show it now, or undefined. */
  snapshot(region: string, id: string): DBSnapshot | undefined {
    this.#settle();
    const rec = this.#region(region).snapshots.get(id.toLowerCase());
    return rec ? this.#snapshotOut(rec) : undefined;
  }

  /** Every DB snapshot of a region (manual and automated), in creation order. */
  snapshots(region: string): DBSnapshot[] {
    this.#settle();
    return [...this.#region(region).snapshots.values()].map((rec) => this.#snapshotOut(rec));
  }

  /** A DB cluster snapshot as DescribeDBClusterSnapshots would show it now, or undefined. */
  clusterSnapshot(region: string, id: string): DBClusterSnapshot | undefined {
    this.#settle();
    const rec = this.#region(region).clusterSnapshots.get(id.toLowerCase());
    return rec ? this.#clusterSnapshotOut(rec) : undefined;
  }

  /** Every DB cluster snapshot of a region, in creation order. */
  clusterSnapshots(region: string): DBClusterSnapshot[] {
    this.#settle();
    return [...this.#region(region).clusterSnapshots.values()].map((rec) => this.#clusterSnapshotOut(rec));
  }

  /** What a restored instance or cluster was restored from (undefined for seeded ones). */
  restoreOrigin(region: string, id: string): RestoreOrigin | undefined {
    this.#settle();
    const state = this.#region(region);
    const rec = state.instances.get(id.toLowerCase()) ?? state.clusters.get(id.toLowerCase());
    return rec?.origin === undefined ? undefined : clone(rec.origin);
  }

  /** Virtual time at which the next scheduled transition happens, or undefined when nothing is pending. */
  nextTransitionAt(): Date | undefined {
    this.#settle();
    const next = [...this.#timeline].sort(byTimeThenOrder)[0];
    return next === undefined ? undefined : new Date(next.at);
  }

  // ------------------------------------------------------------------ time

  #now(): number {
    return this.#eventTime ?? this.clock.now().getTime();
  }

  #schedule(delayMs: number, run: () => void): void {
    this.#timeline.push({ at: this.#now() + delayMs, order: this.#order++, run });
  }

  /** Applies, in time order, every scheduled transition that is due at the clock's current time. */
  #settle(): void {
    if (this.#eventTime !== undefined) return;
    const now = this.clock.now().getTime();
    for (;;) {
      this.#timeline.sort(byTimeThenOrder);
      const next = this.#timeline[0];
      if (next === undefined || next.at > now) return;
      this.#timeline.shift();
      this.#eventTime = next.at;
      try {
        next.run();
      } finally {
        this.#eventTime = undefined;
      }
    }
  }

  #nextSeq(): number {
    this.#seq += 1;
    return this.#seq;
  }

  #region(region: string): RegionState {
    let state = this.#regions.get(region);
    if (!state) {
      state = { instances: new Map(), replicatedBackups: [], clusters: new Map(), snapshots: new Map(), clusterSnapshots: new Map(), quotas: { ...this.#quotaDefaults } };
      this.#regions.set(region, state);
    }
    return state;
  }

  // ------------------------------------------------------------------ output shaping

  #latestRestorable(pitr: PitrWindow, retention: number | undefined, status: string | undefined): Date | undefined {
    if (!retention || status === 'creating') return undefined;
    return pitr.fixedLatest ? new Date(pitr.fixedLatest) : new Date(this.#now() - pitr.lagMs);
  }

  #earliestRestorable(pitr: PitrWindow, retention: number, created: Date | undefined): Date {
    if (pitr.fixedEarliest) return new Date(pitr.fixedEarliest);
    return new Date(Math.max(created?.getTime() ?? 0, this.#now() - retention * DAY_MS));
  }

  #instanceOut(rec: InstanceRec): DBInstance {
    const out = clone(rec.data);
    const latest = this.#latestRestorable(rec.pitr, rec.data.BackupRetentionPeriod, rec.data.DBInstanceStatus);
    if (latest) out.LatestRestorableTime = latest;
    return out;
  }

  #clusterOut(rec: ClusterRec): DBCluster {
    const out = clone(rec.data);
    const latest = this.#latestRestorable(rec.pitr, rec.data.BackupRetentionPeriod, rec.data.Status);
    if (latest) {
      out.LatestRestorableTime = latest;
      out.EarliestRestorableTime = this.#earliestRestorable(rec.pitr, rec.data.BackupRetentionPeriod ?? 0, rec.data.ClusterCreateTime);
    }
    return out;
  }

  #progress(status: string | undefined, startedAt: number, durationMs: number): number {
    if (!IN_PROGRESS_SNAPSHOT.has(status ?? '')) return 100;
    if (status === 'pending') return 0;
    // RDS never reports 100 before the snapshot is available.
    return Math.min(99, Math.floor(((this.#now() - startedAt) / Math.max(1, durationMs)) * 100));
  }

  /**
   * RDS reports `SnapshotCreateTime` only once a snapshot is `available`: a snapshot being created or copied has
   * none (boto/boto3#952: "If the snapshot status is not available it will not be present"; also
   * awslabs/rds-snapshot-tool#45, cloud-custodian/cloud-custodian#4970). The fake omits it, and the data time of
   * a snapshot not yet taken, until then. The DBSnapshot shape
   * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBSnapshot.html): `SnapshotDatabaseTime` is
   * "the timestamp of the most recent transaction applied to the database that you're backing up";
   * `OriginalSnapshotCreateTime` "doesn't change when the snapshot is copied".
   */
  #snapshotOut(rec: SnapshotRec): DBSnapshot {
    const out = clone(rec.data);
    out.PercentProgress = this.#progress(rec.data.Status, rec.startedAt, rec.durationMs);
    if (out.Status !== 'available') {
      delete out.SnapshotCreateTime;
      if (rec.copy !== true) {
        delete out.OriginalSnapshotCreateTime;
        delete out.SnapshotDatabaseTime;
      }
    }
    return out;
  }

  #clusterSnapshotOut(rec: ClusterSnapshotRec): DBClusterSnapshot {
    const out = clone(rec.data);
    out.PercentProgress = this.#progress(rec.data.Status, rec.startedAt, rec.durationMs);
    if (out.Status !== 'available') delete out.SnapshotCreateTime;
    return out;
  }

  // ------------------------------------------------------------------ shared helpers

  #instanceDefaults(
    region: string,
    id: string,
    o: { engine: string; engineVersion: string; instanceClass: string; allocatedStorage: number; encrypted: boolean; kmsKeyId: string | undefined },
  ): DBInstance {
    return {
      DBInstanceIdentifier: id,
      DBInstanceClass: o.instanceClass,
      Engine: o.engine,
      EngineVersion: o.engineVersion,
      MasterUsername: 'postgres',
      Endpoint: { Address: `${id}.cfake0000000.${region}.rds.amazonaws.com`, Port: 5432, HostedZoneId: 'ZFAKE0000000' },
      AllocatedStorage: o.allocatedStorage,
      StorageType: 'gp3',
      PreferredBackupWindow: '03:00-03:30',
      PreferredMaintenanceWindow: 'sun:04:00-sun:04:30',
      StorageEncrypted: o.encrypted,
      ...(o.encrypted ? { KmsKeyId: o.kmsKeyId ?? this.defaultKmsKeyArn(region) } : {}),
      DbiResourceId: resourceId('db', id),
      DBInstanceArn: this.instanceArn(region, id),
      ReadReplicaDBInstanceIdentifiers: [],
      PubliclyAccessible: false,
    };
  }

  /** Records the replica link on both sides, as RDS shows it: ids within a region, ARNs across regions. */
  #linkReplica(replica: InstanceRec, replicaRegion: string, source: string): void {
    const arn = parseArn(source);
    const sourceRegion = arn?.region ?? replicaRegion;
    const sourceId = arn?.id ?? source.toLowerCase();
    replica.data.ReadReplicaSourceDBInstanceIdentifier = arn ? this.instanceArn(sourceRegion, sourceId) : sourceId;
    replica.data.StatusInfos = [{ StatusType: 'read replication', Status: 'replicating', Normal: true }];
    const sourceRec = this.#regions.get(sourceRegion)?.instances.get(sourceId);
    if (sourceRec) {
      const replicaRef = sourceRegion === replicaRegion ? (replica.data.DBInstanceIdentifier ?? '') : (replica.data.DBInstanceArn ?? '');
      sourceRec.data.ReadReplicaDBInstanceIdentifiers = [...(sourceRec.data.ReadReplicaDBInstanceIdentifiers ?? []), replicaRef];
    }
  }

  #unlinkReplica(replica: InstanceRec, replicaRegion: string): void {
    const source = replica.data.ReadReplicaSourceDBInstanceIdentifier;
    if (source === undefined) return;
    const arn = parseArn(source);
    const sourceRec = this.#regions.get(arn?.region ?? replicaRegion)?.instances.get(arn?.id ?? source);
    if (sourceRec) {
      const refs = new Set([replica.data.DBInstanceIdentifier, replica.data.DBInstanceArn]);
      sourceRec.data.ReadReplicaDBInstanceIdentifiers = (sourceRec.data.ReadReplicaDBInstanceIdentifiers ?? []).filter((r) => !refs.has(r));
    }
    delete replica.data.ReadReplicaSourceDBInstanceIdentifier;
    delete replica.data.StatusInfos;
  }

  #newCluster(
    region: string,
    id: string,
    o: {
      status: string;
      engine: string;
      engineVersion: string;
      instanceClass: string;
      encrypted: boolean;
      kmsKeyId: string | undefined;
      retention: number;
      createTime: Date;
      deletionProtection: boolean;
      tags: readonly Tag[] | undefined;
      members: readonly SeedClusterMember[];
    },
  ): ClusterRec {
    const state = this.#region(region);
    for (const member of o.members) {
      // RestoreDBCluster* declare DBClusterAlreadyExistsFault but not DBInstanceAlreadyExistsFault (SDK model).
      if (state.instances.has(member.id.toLowerCase())) throw rdsFault('DBClusterAlreadyExistsFault', `DB instance already exists: ${member.id.toLowerCase()}`);
    }
    const kmsKeyId = o.encrypted ? (o.kmsKeyId ?? this.defaultKmsKeyArn(region)) : undefined;
    const data: DBCluster = {
      AllocatedStorage: 100,
      AvailabilityZones: [...new Set(o.members.map((m) => m.az))],
      BackupRetentionPeriod: o.retention,
      DatabaseName: 'swifteats',
      DBClusterIdentifier: id,
      DBSubnetGroup: 'default',
      Status: o.status,
      Endpoint: `${id}.cluster-cfake0000000.${region}.rds.amazonaws.com`,
      ReaderEndpoint: `${id}.cluster-ro-cfake0000000.${region}.rds.amazonaws.com`,
      MultiAZ: true,
      Engine: o.engine,
      EngineVersion: o.engineVersion,
      Port: 5432,
      MasterUsername: 'postgres',
      PreferredBackupWindow: '03:00-03:30',
      PreferredMaintenanceWindow: 'sun:04:00-sun:04:30',
      DBClusterMembers: o.members.map(
        (m, i): DBClusterMember => ({ DBInstanceIdentifier: m.id.toLowerCase(), IsClusterWriter: m.writer, DBClusterParameterGroupStatus: 'in-sync', PromotionTier: i + 1 }),
      ),
      StorageEncrypted: o.encrypted,
      ...(kmsKeyId === undefined ? {} : { KmsKeyId: kmsKeyId }),
      DbClusterResourceId: resourceId('cluster', id),
      DBClusterArn: this.clusterArn(region, id),
      ClusterCreateTime: o.createTime,
      DBClusterInstanceClass: o.instanceClass,
      StorageType: 'io1',
      DeletionProtection: o.deletionProtection,
      CopyTagsToSnapshot: false,
      TagList: mergeTags(undefined, o.tags),
    };
    const rec: ClusterRec = { seq: this.#nextSeq(), token: 0, data, pitr: { fixedLatest: undefined, lagMs: 300_000, fixedEarliest: undefined }, origin: undefined };
    state.clusters.set(id, rec);
    for (const member of o.members) {
      const memberId = member.id.toLowerCase();
      state.instances.set(memberId, {
        seq: this.#nextSeq(),
        token: 0,
        data: {
          ...this.#instanceDefaults(region, memberId, {
            engine: o.engine,
            engineVersion: o.engineVersion,
            instanceClass: o.instanceClass,
            allocatedStorage: 100,
            encrypted: o.encrypted,
            kmsKeyId,
          }),
          DBInstanceStatus: o.status,
          MultiAZ: false,
          AvailabilityZone: member.az,
          BackupRetentionPeriod: o.retention,
          InstanceCreateTime: o.createTime,
          DBClusterIdentifier: id,
          DeletionProtection: false,
          CopyTagsToSnapshot: false,
          TagList: [],
        },
        // Cluster members have no point-in-time window of their own: it belongs to the cluster.
        pitr: { fixedLatest: undefined, lagMs: 300_000, fixedEarliest: undefined },
        origin: undefined,
      });
    }
    return rec;
  }

  #clusterMembers(region: string, cluster: ClusterRec): InstanceRec[] {
    const state = this.#region(region);
    return (cluster.data.DBClusterMembers ?? [])
      .map((m) => state.instances.get(m.DBInstanceIdentifier ?? ''))
      .filter((m): m is InstanceRec => m !== undefined);
  }

  #requireInstance(region: string, idOrArn: string | undefined, field = 'DBInstanceIdentifier'): InstanceRec {
    const id = this.#idIn(region, requireString(idOrArn, field), 'db');
    const rec = this.#region(region).instances.get(id);
    if (!rec) throw rdsFault('DBInstanceNotFound', `DBInstance ${id} not found.`);
    return rec;
  }

  #requireCluster(region: string, idOrArn: string | undefined, field = 'DBClusterIdentifier'): ClusterRec {
    const id = this.#idIn(region, requireString(idOrArn, field), 'cluster');
    const rec = this.#region(region).clusters.get(id);
    if (!rec) throw rdsFault('DBClusterNotFoundFault', `DBCluster ${id} not found.`);
    return rec;
  }

  /** Accepts an identifier, or an ARN of the expected type in the caller's region. */
  #idIn(region: string, idOrArn: string, type: ParsedArn['type']): string {
    const arn = parseArn(idOrArn);
    if (!arn) return idOrArn.toLowerCase();
    if (arn.type !== type || arn.region !== region) {
      throw rdsCommonError('InvalidParameterValue', `${idOrArn} is not a valid ${type} identifier in region ${region}.`);
    }
    return arn.id;
  }

  #manualSnapshotCount(state: RegionState): number {
    return [...state.snapshots.values()].filter((s) => s.data.SnapshotType === 'manual').length;
  }

  #manualClusterSnapshotCount(state: RegionState): number {
    return [...state.clusterSnapshots.values()].filter((s) => s.data.SnapshotType === 'manual').length;
  }

  #accountQuotas(region: string): AccountQuota[] {
    const state = this.#region(region);
    const used: Record<RdsQuotaName, number> = {
      DBInstances: state.instances.size,
      DBClusters: state.clusters.size,
      ManualSnapshots: this.#manualSnapshotCount(state),
      ManualClusterSnapshots: this.#manualClusterSnapshotCount(state),
    };
    return (Object.keys(used) as RdsQuotaName[]).map((name) => ({ AccountQuotaName: name, Used: used[name], Max: state.quotas[name] }));
  }

  #checkManualSnapshotQuota(state: RegionState): void {
    if (this.#manualSnapshotCount(state) >= state.quotas.ManualSnapshots) {
      throw rdsFault('SnapshotQuotaExceeded', `Cannot create more than ${state.quotas.ManualSnapshots} manual snapshots`);
    }
  }

  #checkManualClusterSnapshotQuota(state: RegionState): void {
    if (this.#manualClusterSnapshotCount(state) >= state.quotas.ManualClusterSnapshots) {
      throw rdsFault('SnapshotQuotaExceeded', `Cannot create more than ${state.quotas.ManualClusterSnapshots} manual cluster snapshots`);
    }
  }

  /** A KMS key is unusable when marked inaccessible, or when its ARN names another region (KMS keys are regional). */
  #checkKey(keyId: string | undefined, region: string, role: 'source snapshot' | 'target'): void {
    if (keyId === undefined) return;
    const keyRegion = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/.exec(keyId)?.[1];
    if (this.#inaccessibleKeys.has(keyId) || (keyRegion !== undefined && keyRegion !== region)) {
      const what = role === 'target' ? `The target KMS key [${keyId}]` : `The source snapshot KMS key [${keyId}]`;
      throw rdsFault('KMSKeyNotAccessibleFault', `${what} does not exist, is not enabled or you do not have permissions to access it.`);
    }
  }

  #pitrTarget(
    pitr: PitrWindow,
    retention: number | undefined,
    status: string | undefined,
    created: Date | undefined,
    restoreTime: Date | string | undefined,
    useLatest: boolean | undefined,
    timeField: string,
  ): Date {
    if (restoreTime !== undefined && useLatest === true) {
      throw rdsCommonError('InvalidParameterCombination', `Cannot specify both ${timeField} and UseLatestRestorableTime.`);
    }
    if (restoreTime === undefined && useLatest !== true) {
      throw rdsCommonError('InvalidParameterCombination', `Either ${timeField} or UseLatestRestorableTime must be specified.`);
    }
    const latest = this.#latestRestorable(pitr, retention, status);
    if (!retention || latest === undefined) {
      throw rdsFault('PointInTimeRestoreNotEnabled', 'Point-in-time restore is not enabled: the source has BackupRetentionPeriod 0.');
    }
    if (useLatest === true) return latest;
    const target = toDate(restoreTime, timeField);
    const earliest = this.#earliestRestorable(pitr, retention, created);
    // The API reference only states "Must be before the latest restorable time"
    // (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceToPointInTime.html); out-of-range
    // parameter values are reported with the common error InvalidParameterValue.
    if (target.getTime() > latest.getTime() || target.getTime() < earliest.getTime()) {
      throw rdsCommonError(
        'InvalidParameterValue',
        `${timeField} ${target.toISOString()} must be between the earliest restorable time ${earliest.toISOString()} and the latest restorable time ${latest.toISOString()}.`,
      );
    }
    return target;
  }

  // ------------------------------------------------------------------ pagination and filters

  /**
   * Keyset pagination: the marker names the last item returned, so items created or deleted between pages
   * never make a paginator see an item twice or skip one that existed throughout.
   * MaxRecords: default 100, minimum 20, maximum 100 (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBSnapshots.html).
   */
  #paginate<T extends { seq: number }>(items: readonly T[], input: { MaxRecords?: number | undefined; Marker?: string | undefined }, command: string): { page: T[]; marker: string | undefined } {
    const max = input.MaxRecords ?? 100;
    if (!Number.isInteger(max) || max < 20 || max > 100) {
      throw rdsCommonError('InvalidParameterValue', `Invalid value ${String(input.MaxRecords)} for MaxRecords. Must be between 20 and 100.`);
    }
    let after = 0;
    if (input.Marker !== undefined && input.Marker !== '') {
      after = decodeMarker(input.Marker, command);
    }
    const sorted = [...items].sort((a, b) => a.seq - b.seq).filter((item) => item.seq > after);
    const page = sorted.slice(0, max);
    const last = page[page.length - 1];
    return { page, marker: sorted.length > max && last !== undefined ? encodeMarker(command, last.seq) : undefined };
  }

  // ------------------------------------------------------------------ DB instances

  #describeDBInstances(input: DescribeDBInstancesMessage, region: string): object {
    const state = this.#region(region);
    let recs = [...state.instances.values()];
    if (input.DBInstanceIdentifier !== undefined) {
      recs = [this.#requireInstance(region, input.DBInstanceIdentifier)];
    }
    recs = recs.filter((rec) =>
      matchesFilters(input.Filters, {
        'db-instance-id': () => [rec.data.DBInstanceIdentifier, rec.data.DBInstanceArn],
        'db-cluster-id': () => (rec.data.DBClusterIdentifier === undefined ? [] : [rec.data.DBClusterIdentifier, this.clusterArn(region, rec.data.DBClusterIdentifier)]),
        'dbi-resource-id': () => [rec.data.DbiResourceId],
        engine: () => [rec.data.Engine],
      }),
    );
    const { page, marker } = this.#paginate(recs, input, 'DescribeDBInstances');
    return { DBInstances: page.map((rec) => this.#instanceOut(rec)), ...(marker === undefined ? {} : { Marker: marker }) };
  }

  #restoreDBInstanceFromDBSnapshot(input: RestoreDBInstanceFromDBSnapshotMessage, region: string): object {
    const state = this.#region(region);
    const id = validateIdentifier(requireString(input.DBInstanceIdentifier, 'DBInstanceIdentifier'), 'DBInstanceIdentifier', 63);
    const snapshotId = this.#idIn(region, requireString(input.DBSnapshotIdentifier, 'DBSnapshotIdentifier'), 'snapshot');
    if (state.instances.has(id)) throw rdsFault('DBInstanceAlreadyExists', `DB instance already exists`);
    const snapshot = state.snapshots.get(snapshotId);
    if (!snapshot) throw rdsFault('DBSnapshotNotFound', `DBSnapshot ${snapshotId} not found.`);
    if (snapshot.data.Status !== 'available') {
      throw rdsFault('InvalidDBSnapshotState', `Snapshot ${snapshotId} is not in available state (status: ${snapshot.data.Status}).`);
    }
    this.#checkKey(snapshot.data.KmsKeyId, region, 'source snapshot');
    const rec = this.#newRestoredInstance(region, id, {
      engine: snapshot.data.Engine ?? 'postgres',
      engineVersion: snapshot.data.EngineVersion ?? '16.4',
      allocatedStorage: snapshot.data.AllocatedStorage ?? 100,
      encrypted: snapshot.data.Encrypted ?? false,
      kmsKeyId: snapshot.data.KmsKeyId,
      retention: this.#region(region).instances.get(snapshot.data.DBInstanceIdentifier ?? '')?.data.BackupRetentionPeriod ?? 7,
      restoreInput: input,
      // Restores take the snapshot's tags unless the request names its own.
      tags: input.Tags !== undefined && input.Tags.length > 0 ? input.Tags : snapshot.data.TagList,
    });
    rec.origin = { kind: 'snapshot', snapshotArn: snapshot.data.DBSnapshotArn ?? '' };
    return { DBInstance: this.#instanceOut(rec) };
  }

  #restoreDBInstanceToPointInTime(input: RestoreDBInstanceToPointInTimeMessage, region: string): object {
    const state = this.#region(region);
    const targetId = validateIdentifier(requireString(input.TargetDBInstanceIdentifier, 'TargetDBInstanceIdentifier'), 'TargetDBInstanceIdentifier', 63);
    let source: InstanceRec | undefined;
    if (input.SourceDBInstanceIdentifier !== undefined) {
      source = this.#requireInstance(region, input.SourceDBInstanceIdentifier, 'SourceDBInstanceIdentifier');
    } else if (input.SourceDbiResourceId !== undefined) {
      source = [...state.instances.values()].find((rec) => rec.data.DbiResourceId === input.SourceDbiResourceId);
      if (!source) throw rdsFault('DBInstanceNotFound', `DBInstance with resource id ${input.SourceDbiResourceId} not found.`);
    } else {
      throw rdsCommonError('MissingParameter', 'The request must contain the parameter SourceDBInstanceIdentifier');
    }
    if (state.instances.has(targetId)) throw rdsFault('DBInstanceAlreadyExists', `DB instance already exists`);
    const restoreTime = this.#pitrTarget(
      source.pitr,
      source.data.BackupRetentionPeriod,
      source.data.DBInstanceStatus,
      source.data.InstanceCreateTime,
      input.RestoreTime,
      input.UseLatestRestorableTime,
      'RestoreTime',
    );
    this.#checkKey(source.data.KmsKeyId, region, 'source snapshot');
    const rec = this.#newRestoredInstance(region, targetId, {
      engine: source.data.Engine ?? 'postgres',
      engineVersion: source.data.EngineVersion ?? '16.4',
      allocatedStorage: source.data.AllocatedStorage ?? 100,
      encrypted: source.data.StorageEncrypted ?? false,
      kmsKeyId: source.data.KmsKeyId,
      retention: source.data.BackupRetentionPeriod ?? 7,
      restoreInput: input,
      tags: input.Tags,
    });
    rec.origin = { kind: 'point-in-time', sourceArn: source.data.DBInstanceArn ?? '', restoreTime };
    return { DBInstance: this.#instanceOut(rec) };
  }

  #newRestoredInstance(
    region: string,
    id: string,
    o: {
      engine: string;
      engineVersion: string;
      allocatedStorage: number;
      encrypted: boolean;
      kmsKeyId: string | undefined;
      /** The source's backup retention, which the restored instance keeps unless the request names one. */
      retention: number;
      restoreInput: RestoreDBInstanceFromDBSnapshotMessage | RestoreDBInstanceToPointInTimeMessage;
      tags: readonly Tag[] | undefined;
    },
  ): InstanceRec {
    const input = o.restoreInput;
    const engine = input.Engine ?? o.engine;
    if (input.ManageMasterUserPassword !== undefined && !engine.startsWith('oracle')) {
      // "ManageMasterUserPassword ... Constraints: Applies to RDS for Oracle only." (API reference,
      // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceFromDBSnapshot.html and
      // API_RestoreDBInstanceToPointInTime.html; same text in @aws-sdk/client-rds). The reference does not name the
      // error for other engines: the fake fails closed with the common error for a parameter that does not apply.
      throw rdsCommonError('InvalidParameterCombination', `ManageMasterUserPassword is not supported for engine ${engine} on a restore; use ModifyDBInstance after the restore.`);
    }
    const multiAZ = input.MultiAZ ?? false;
    if (multiAZ && input.AvailabilityZone !== undefined) {
      throw rdsCommonError('InvalidParameterCombination', 'Requesting a specific availability zone is not valid for Multi-AZ instances.');
    }
    const state = this.#region(region);
    if (state.instances.size >= state.quotas.DBInstances) {
      throw rdsFault('InstanceQuotaExceeded', `Cannot create more than ${state.quotas.DBInstances} DB instances.`);
    }
    const now = this.#now();
    const rec: InstanceRec = {
      seq: this.#nextSeq(),
      token: 0,
      data: {
        ...this.#instanceDefaults(region, id, {
          engine: input.Engine ?? o.engine,
          engineVersion: o.engineVersion,
          instanceClass: input.DBInstanceClass ?? 'db.m6g.large',
          allocatedStorage: input.AllocatedStorage ?? o.allocatedStorage,
          encrypted: o.encrypted,
          kmsKeyId: o.kmsKeyId,
        }),
        DBInstanceStatus: 'creating',
        MultiAZ: multiAZ,
        AvailabilityZone: input.AvailabilityZone ?? `${region}a`,
        ...(multiAZ ? { SecondaryAvailabilityZone: `${region}b` } : {}),
        // "Default: Uses existing setting" (API reference, BackupRetentionPeriod of both restore operations).
        BackupRetentionPeriod: retentionDays(input.BackupRetentionPeriod, o.retention),
        InstanceCreateTime: new Date(now),
        DeletionProtection: input.DeletionProtection ?? false,
        CopyTagsToSnapshot: input.CopyTagsToSnapshot ?? false,
        DBName: 'swifteats',
        TagList: mergeTags(undefined, o.tags),
        ...(input.DBSubnetGroupName === undefined ? {} : { DBSubnetGroup: { DBSubnetGroupName: input.DBSubnetGroupName } }),
        ...(input.VpcSecurityGroupIds === undefined ? {} : { VpcSecurityGroups: input.VpcSecurityGroupIds.map((g) => ({ VpcSecurityGroupId: g, Status: 'active' })) }),
        ...(input.PubliclyAccessible === undefined ? {} : { PubliclyAccessible: input.PubliclyAccessible }),
        // ManageMasterUserPassword on a restore: RDS generates a new password in a new secret of
        // its own (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html).
        ...(input.ManageMasterUserPassword === true
          ? { MasterUserSecret: { SecretArn: `arn:aws:secretsmanager:${region}:${this.accountId}:secret:rds!db-${id}-AbCdEf`, SecretStatus: 'creating', KmsKeyId: input.MasterUserSecretKmsKeyId } }
          : {}),
      },
      pitr: { fixedLatest: undefined, lagMs: 300_000, fixedEarliest: undefined },
      origin: undefined,
    };
    state.instances.set(id, rec);
    const token = rec.token;
    this.#schedule(this.durations.instanceCreateMs, () => {
      if (this.#region(region).instances.get(id) !== rec || rec.token !== token) return;
      rec.data.DBInstanceStatus = 'available';
      if (rec.data.MasterUserSecret) rec.data.MasterUserSecret = { ...rec.data.MasterUserSecret, SecretStatus: 'active' };
      rec.pitr.fixedEarliest = new Date(this.#now());
    });
    return rec;
  }

  #deleteDBInstance(input: DeleteDBInstanceMessage, region: string): object {
    const state = this.#region(region);
    const rec = this.#requireInstance(region, input.DBInstanceIdentifier);
    const id = rec.data.DBInstanceIdentifier ?? '';
    if (rec.data.DBClusterIdentifier !== undefined) {
      throw rdsFault('InvalidDBClusterStateFault', `DB instance ${id} is a member of DB cluster ${rec.data.DBClusterIdentifier}; delete the cluster instead.`);
    }
    if (rec.data.DeletionProtection === true) {
      throw rdsCommonError('InvalidParameterCombination', 'Cannot delete protected DB Instance, please disable deletion protection and try again.');
    }
    if (rec.data.DBInstanceStatus === 'deleting') throw rdsFault('InvalidDBInstanceState', `DB instance ${id} is already being deleted.`);
    const skip = input.SkipFinalSnapshot ?? false;
    if (skip && input.FinalDBSnapshotIdentifier !== undefined) {
      throw rdsCommonError('InvalidParameterCombination', 'Cannot specify FinalDBSnapshotIdentifier when SkipFinalSnapshot is enabled.');
    }
    if (!skip && input.FinalDBSnapshotIdentifier === undefined) {
      throw rdsCommonError('InvalidParameterCombination', 'FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.');
    }
    if (input.FinalDBSnapshotIdentifier !== undefined) {
      if (rec.data.ReadReplicaSourceDBInstanceIdentifier !== undefined) {
        throw rdsCommonError('InvalidParameterCombination', 'FinalDBSnapshotIdentifier can not be specified when deleting a replica instance');
      }
      const finalId = validateIdentifier(input.FinalDBSnapshotIdentifier, 'FinalDBSnapshotIdentifier', 255);
      if (state.snapshots.has(finalId)) throw rdsFault('DBSnapshotAlreadyExists', `Cannot create the snapshot because a snapshot with the identifier ${finalId} already exists.`);
      this.#checkManualSnapshotQuota(state);
      this.#startSnapshot(region, rec, finalId, rec.data.CopyTagsToSnapshot === true ? rec.data.TagList : []);
    }
    rec.token += 1;
    const token = rec.token;
    rec.data.DBInstanceStatus = 'deleting';
    const deleteAutomated = input.DeleteAutomatedBackups ?? true;
    this.#schedule(this.durations.instanceDeleteMs, () => {
      if (state.instances.get(id) !== rec || rec.token !== token) return;
      state.instances.delete(id);
      this.#unlinkReplica(rec, region);
      if (deleteAutomated) {
        for (const [snapId, snap] of state.snapshots) {
          if (snap.data.SnapshotType === 'automated' && snap.data.DBInstanceIdentifier === id) state.snapshots.delete(snapId);
        }
      }
    });
    return { DBInstance: this.#instanceOut(rec) };
  }

  #rebootDBInstance(input: RebootDBInstanceMessage, region: string): object {
    const rec = this.#requireInstance(region, input.DBInstanceIdentifier);
    const id = rec.data.DBInstanceIdentifier ?? '';
    if (rec.data.DBInstanceStatus !== 'available') {
      throw rdsFault('InvalidDBInstanceState', `DB instance ${id} is not in available state (status: ${rec.data.DBInstanceStatus}).`);
    }
    const failover = input.ForceFailover === true;
    // "You can't enable force failover if the instance isn't configured for Multi-AZ."
    // (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RebootDBInstance.html)
    if (failover && rec.data.MultiAZ !== true) {
      throw rdsFault('InvalidDBInstanceState', `Cannot force a failover of DB instance ${id}: it is not a Multi-AZ deployment.`);
    }
    rec.token += 1;
    const token = rec.token;
    rec.data.DBInstanceStatus = 'rebooting';
    this.#schedule(failover ? this.durations.failoverMs : this.durations.rebootMs, () => {
      if (rec.token !== token) return;
      if (failover) {
        // The standby becomes the primary: the AZs swap once the failover completes.
        const primary = rec.data.AvailabilityZone;
        rec.data.AvailabilityZone = rec.data.SecondaryAvailabilityZone;
        rec.data.SecondaryAvailabilityZone = primary;
      }
      rec.data.DBInstanceStatus = 'available';
    });
    return { DBInstance: this.#instanceOut(rec) };
  }

  #promoteReadReplica(input: PromoteReadReplicaMessage, region: string): object {
    const rec = this.#requireInstance(region, input.DBInstanceIdentifier);
    const id = rec.data.DBInstanceIdentifier ?? '';
    if (rec.data.ReadReplicaSourceDBInstanceIdentifier === undefined) {
      throw rdsFault('InvalidDBInstanceState', `DB instance ${id} is not a read replica.`);
    }
    if (rec.data.DBInstanceStatus !== 'available') {
      throw rdsFault('InvalidDBInstanceState', `DB instance ${id} is not in available state (status: ${rec.data.DBInstanceStatus}).`);
    }
    rec.token += 1;
    const token = rec.token;
    rec.data.DBInstanceStatus = 'modifying';
    // "BackupRetentionPeriod ... Default: 1" (API_PromoteReadReplica.html): a replica without backups of its own
    // gets them at promotion, and RDS takes the first backup then: the instance is `backing-up`, which can take far
    // longer than the promotion itself ("We recommend that you enable automated backups on your read replica before
    // promoting it", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html).
    const hadBackups = (rec.data.BackupRetentionPeriod ?? 0) > 0;
    const retention = retentionDays(input.BackupRetentionPeriod, hadBackups ? (rec.data.BackupRetentionPeriod ?? 1) : 1);
    this.#schedule(this.durations.promoteMs, () => {
      if (rec.token !== token) return;
      this.#unlinkReplica(rec, region);
      rec.data.BackupRetentionPeriod = retention;
      rec.pitr.fixedEarliest = new Date(this.#now());
      if (hadBackups || retention === 0) {
        rec.data.DBInstanceStatus = 'available';
        return;
      }
      rec.data.DBInstanceStatus = 'backing-up';
      this.#schedule(this.durations.promoteBackupMs, () => {
        if (rec.token !== token) return;
        rec.data.DBInstanceStatus = 'available';
      });
    });
    return { DBInstance: this.#instanceOut(rec) };
  }

  /** Only the simple, DR-relevant settings: protection, retention, tag copying, class and Multi-AZ. */
  #modifyDBInstance(input: ModifyDBInstanceMessage, region: string): object {
    const rec = this.#requireInstance(region, input.DBInstanceIdentifier);
    const id = rec.data.DBInstanceIdentifier ?? '';
    if (rec.data.DBInstanceStatus !== 'available') {
      throw rdsFault('InvalidDBInstanceState', `DB instance ${id} is not in available state (status: ${rec.data.DBInstanceStatus}).`);
    }
    if (input.DeletionProtection !== undefined) rec.data.DeletionProtection = input.DeletionProtection;
    if (input.CopyTagsToSnapshot !== undefined) rec.data.CopyTagsToSnapshot = input.CopyTagsToSnapshot;
    if (input.BackupRetentionPeriod !== undefined) rec.data.BackupRetentionPeriod = retentionDays(input.BackupRetentionPeriod, 7);
    if (input.ManageMasterUserPassword !== undefined) {
      this.#manageMasterSecret(rec, input, region, 'db');
      return { DBInstance: this.#instanceOut(rec) };
    }
    const wantsClass = input.DBInstanceClass !== undefined && input.DBInstanceClass !== rec.data.DBInstanceClass;
    const wantsMultiAZ = input.MultiAZ !== undefined && input.MultiAZ !== rec.data.MultiAZ;
    if (!wantsClass && !wantsMultiAZ) return { DBInstance: this.#instanceOut(rec) };
    if (input.ApplyImmediately !== true) {
      // Without ApplyImmediately the change waits for the maintenance window, which the fake never reaches.
      rec.data.PendingModifiedValues = {
        ...rec.data.PendingModifiedValues,
        ...(wantsClass ? { DBInstanceClass: input.DBInstanceClass } : {}),
        ...(wantsMultiAZ ? { MultiAZ: input.MultiAZ } : {}),
      };
      return { DBInstance: this.#instanceOut(rec) };
    }
    rec.token += 1;
    const token = rec.token;
    rec.data.DBInstanceStatus = 'modifying';
    this.#schedule(this.durations.modifyMs, () => {
      if (rec.token !== token) return;
      if (wantsClass) rec.data.DBInstanceClass = input.DBInstanceClass;
      if (wantsMultiAZ) {
        rec.data.MultiAZ = input.MultiAZ;
        if (input.MultiAZ === true) rec.data.SecondaryAvailabilityZone = rec.data.AvailabilityZone === `${region}b` ? `${region}a` : `${region}b`;
        else delete rec.data.SecondaryAvailabilityZone;
      }
      rec.data.DBInstanceStatus = 'available';
    });
    return { DBInstance: this.#instanceOut(rec) };
  }

  /**
   * ManageMasterUserPassword on ModifyDBInstance / ModifyDBCluster: "If the DB instance doesn't manage the master user
   * password with Amazon Web Services Secrets Manager, you can turn on this management. In this case, you can't
   * specify MasterUserPassword." RDS then generates a new password in a new secret
   * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html,
   * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html). The database is `modifying`
   * while the secret is `creating`; both settle after `manageSecretMs`. Turning management off when it is not on is
   * refused with InvalidParameterCombination ("You cannot set ManageMasterUserPassword to false because the master
   * user password is not currently managed by RDS", quoted in hashicorp/terraform-provider-aws#48901).
   */
  #manageMasterSecret(
    rec: { token: number; data: { MasterUserSecret?: MasterUserSecret | undefined } },
    input: { ManageMasterUserPassword?: boolean | undefined; MasterUserPassword?: string | undefined; MasterUserSecretKmsKeyId?: string | undefined },
    region: string,
    kind: 'db' | 'cluster',
  ): void {
    if (input.ManageMasterUserPassword === true && input.MasterUserPassword !== undefined) {
      throw rdsCommonError('InvalidParameterCombination', 'You cannot specify MasterUserPassword when ManageMasterUserPassword is true.');
    }
    const managed = rec.data.MasterUserSecret !== undefined;
    if (input.ManageMasterUserPassword === false) {
      if (!managed) throw rdsCommonError('InvalidParameterCombination', 'You cannot set ManageMasterUserPassword to false because the master user password is not currently managed by RDS.');
      delete rec.data.MasterUserSecret;
      return;
    }
    if (managed) return;
    const id = kind === 'db' ? ((rec.data as DBInstance).DBInstanceIdentifier ?? '') : ((rec.data as DBCluster).DBClusterIdentifier ?? '');
    this.#checkKey(input.MasterUserSecretKmsKeyId, region, 'target');
    rec.data.MasterUserSecret = { SecretArn: this.masterSecretArn(region, kind, id), SecretStatus: 'creating', KmsKeyId: input.MasterUserSecretKmsKeyId ?? `arn:aws:kms:${region}:${this.accountId}:alias/aws/secretsmanager` };
    rec.token += 1;
    const token = rec.token;
    const status = (value: string): void => {
      if (kind === 'db') (rec.data as DBInstance).DBInstanceStatus = value;
      else (rec.data as DBCluster).Status = value;
    };
    status('modifying');
    this.#schedule(this.durations.manageSecretMs, () => {
      if (rec.token !== token) return;
      if (rec.data.MasterUserSecret) rec.data.MasterUserSecret = { ...rec.data.MasterUserSecret, SecretStatus: 'active' };
      status('available');
    });
  }

  /** ARN of the secret RDS creates for a database's master user (`rds!db-…` / `rds!cluster-…`). */
  masterSecretArn(region: string, kind: 'db' | 'cluster', id: string): string {
    return `arn:aws:secretsmanager:${region}:${this.accountId}:secret:rds!${kind}-${id}-AbCdEf`;
  }

  /**
   * Automated backups of the region: those of its own instances with backups on (`active`) and those replicated
   * into it from another region (`replicating`, or `retained` once their source is gone). Filters per
   * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstanceAutomatedBackups.html:
   * `status`, `db-instance-id` ("Accepts DB instance identifiers and Amazon Resource Names (ARNs)") and
   * `dbi-resource-id`. A DBInstanceIdentifier that matches nothing is DBInstanceAutomatedBackupNotFoundFault.
   */
  #describeDBInstanceAutomatedBackups(input: DescribeDBInstanceAutomatedBackupsMessage, region: string): object {
    const state = this.#region(region);
    const items: { seq: number; backup: DBInstanceAutomatedBackup }[] = [];
    for (const rec of state.instances.values()) {
      if (!rec.data.BackupRetentionPeriod || rec.data.DBClusterIdentifier !== undefined) continue;
      const latest = this.#latestRestorable(rec.pitr, rec.data.BackupRetentionPeriod, rec.data.DBInstanceStatus);
      items.push({
        seq: rec.seq,
        backup: {
          DBInstanceArn: rec.data.DBInstanceArn,
          DbiResourceId: rec.data.DbiResourceId,
          Region: region,
          DBInstanceIdentifier: rec.data.DBInstanceIdentifier,
          Status: latest === undefined ? 'creating' : 'active',
          Engine: rec.data.Engine,
          EngineVersion: rec.data.EngineVersion,
          BackupRetentionPeriod: rec.data.BackupRetentionPeriod,
          Encrypted: rec.data.StorageEncrypted,
          ...(rec.data.KmsKeyId === undefined ? {} : { KmsKeyId: rec.data.KmsKeyId }),
          ...(latest === undefined ? {} : { RestoreWindow: { EarliestTime: this.#earliestRestorable(rec.pitr, rec.data.BackupRetentionPeriod, rec.data.InstanceCreateTime), LatestTime: latest } }),
        },
      });
    }
    for (const rep of state.replicatedBackups) {
      const source = this.#regions.get(rep.sourceRegion)?.instances.get(rep.sourceId);
      if (rep.status === 'replicating' && source?.data.DBInstanceArn !== rep.sourceArn) rep.status = 'retained';
      const sourceLatest = source ? this.#latestRestorable(source.pitr, source.data.BackupRetentionPeriod, source.data.DBInstanceStatus) : undefined;
      const latest = rep.fixedLatest ?? (sourceLatest === undefined ? undefined : new Date(sourceLatest.getTime() - rep.lagMs));
      const arnSuffix = rep.dbiResourceId.replace(/^db-/, 'ab-');
      items.push({
        seq: rep.seq,
        backup: {
          DBInstanceArn: rep.sourceArn,
          DbiResourceId: rep.dbiResourceId,
          Region: rep.sourceRegion,
          DBInstanceIdentifier: rep.sourceId,
          Status: rep.status,
          BackupRetentionPeriod: rep.retention,
          Encrypted: true,
          KmsKeyId: rep.kmsKeyId,
          DBInstanceAutomatedBackupsArn: `arn:aws:rds:${region}:${this.accountId}:auto-backup:${arnSuffix}`,
          ...(latest === undefined ? {} : { RestoreWindow: { EarliestTime: new Date(Math.max(rep.startedAt, latest.getTime() - rep.retention * DAY_MS)), LatestTime: latest } }),
        },
      });
    }
    let matched = items;
    if (input.DBInstanceIdentifier !== undefined) {
      const id = input.DBInstanceIdentifier.toLowerCase();
      matched = matched.filter((i) => i.backup.DBInstanceIdentifier === id);
      if (matched.length === 0) throw rdsFault('DBInstanceAutomatedBackupNotFound', `No automated backup found for DB instance ${id}.`);
    }
    if (input.DbiResourceId !== undefined) matched = matched.filter((i) => i.backup.DbiResourceId?.toLowerCase() === input.DbiResourceId?.toLowerCase());
    if (input.DBInstanceAutomatedBackupsArn !== undefined) matched = matched.filter((i) => i.backup.DBInstanceAutomatedBackupsArn === input.DBInstanceAutomatedBackupsArn);
    matched = matched.filter((i) =>
      matchesFilters(input.Filters, {
        status: () => [i.backup.Status],
        'db-instance-id': () => [i.backup.DBInstanceIdentifier, i.backup.DBInstanceArn],
        'dbi-resource-id': () => [i.backup.DbiResourceId],
      }),
    );
    const { page, marker } = this.#paginate(matched, input, 'DescribeDBInstanceAutomatedBackups');
    return { DBInstanceAutomatedBackups: page.map((i) => i.backup), ...(marker === undefined ? {} : { Marker: marker }) };
  }

  // ------------------------------------------------------------------ DB clusters

  /** Only what the DR code changes: the managed master secret, backup retention and deletion protection. */
  #modifyDBCluster(input: ModifyDBClusterMessage, region: string): object {
    const rec = this.#requireCluster(region, input.DBClusterIdentifier);
    const id = rec.data.DBClusterIdentifier ?? '';
    if (rec.data.Status !== 'available') {
      throw rdsFault('InvalidDBClusterStateFault', `DB cluster ${id} is not in available state (status: ${rec.data.Status}).`);
    }
    if (input.DeletionProtection !== undefined) rec.data.DeletionProtection = input.DeletionProtection;
    if (input.BackupRetentionPeriod !== undefined) rec.data.BackupRetentionPeriod = clusterRetentionDays(input.BackupRetentionPeriod, 7);
    if (input.ManageMasterUserPassword !== undefined) this.#manageMasterSecret(rec, input, region, 'cluster');
    return { DBCluster: this.#clusterOut(rec) };
  }

  #describeDBClusters(input: DescribeDBClustersMessage, region: string): object {
    const state = this.#region(region);
    let recs = [...state.clusters.values()];
    if (input.DBClusterIdentifier !== undefined) recs = [this.#requireCluster(region, input.DBClusterIdentifier)];
    recs = recs.filter((rec) =>
      matchesFilters(input.Filters, {
        'db-cluster-id': () => [rec.data.DBClusterIdentifier, rec.data.DBClusterArn],
        'db-cluster-resource-id': () => [rec.data.DbClusterResourceId],
        engine: () => [rec.data.Engine],
      }),
    );
    const { page, marker } = this.#paginate(recs, input, 'DescribeDBClusters');
    return { DBClusters: page.map((rec) => this.#clusterOut(rec)), ...(marker === undefined ? {} : { Marker: marker }) };
  }

  #failoverDBCluster(input: FailoverDBClusterMessage, region: string): object {
    const rec = this.#requireCluster(region, input.DBClusterIdentifier);
    const id = rec.data.DBClusterIdentifier ?? '';
    if (rec.data.Status !== 'available') {
      throw rdsFault('InvalidDBClusterStateFault', `DB cluster ${id} is not in available state (status: ${rec.data.Status}).`);
    }
    const members = rec.data.DBClusterMembers ?? [];
    let target: DBClusterMember | undefined;
    if (input.TargetDBInstanceIdentifier !== undefined) {
      const wanted = input.TargetDBInstanceIdentifier.toLowerCase();
      target = members.find((m) => m.DBInstanceIdentifier === wanted);
      if (!target || target.IsClusterWriter === true) {
        throw rdsFault('InvalidDBInstanceState', `DB instance ${wanted} is not a reader of DB cluster ${id}.`);
      }
    } else {
      target = [...members].filter((m) => m.IsClusterWriter !== true).sort((a, b) => (a.PromotionTier ?? 15) - (b.PromotionTier ?? 15))[0];
      if (!target) throw rdsFault('InvalidDBClusterStateFault', `DB cluster ${id} has no reader to fail over to.`);
    }
    const targetId = target.DBInstanceIdentifier;
    rec.token += 1;
    const token = rec.token;
    rec.data.Status = 'failing-over';
    this.#schedule(this.durations.clusterFailoverMs, () => {
      if (rec.token !== token) return;
      for (const member of rec.data.DBClusterMembers ?? []) member.IsClusterWriter = member.DBInstanceIdentifier === targetId;
      rec.data.Status = 'available';
    });
    return { DBCluster: this.#clusterOut(rec) };
  }

  #restoreDBClusterFromSnapshot(input: RestoreDBClusterFromSnapshotMessage, region: string): object {
    const state = this.#region(region);
    const id = validateIdentifier(requireString(input.DBClusterIdentifier, 'DBClusterIdentifier'), 'DBClusterIdentifier', 63);
    const snapshotId = this.#idIn(region, requireString(input.SnapshotIdentifier, 'SnapshotIdentifier'), 'cluster-snapshot');
    requireString(input.Engine, 'Engine');
    if (state.clusters.has(id)) throw rdsFault('DBClusterAlreadyExistsFault', `DB Cluster already exists`);
    const snapshot = state.clusterSnapshots.get(snapshotId);
    if (!snapshot) throw rdsFault('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${snapshotId} not found.`);
    if (snapshot.data.Status !== 'available') {
      throw rdsFault('InvalidDBClusterSnapshotStateFault', `Snapshot ${snapshotId} is not in available state (status: ${snapshot.data.Status}).`);
    }
    this.#checkKey(snapshot.data.KmsKeyId, region, 'source snapshot');
    const rec = this.#newRestoredCluster(region, id, {
      engine: input.Engine ?? snapshot.data.Engine ?? 'postgres',
      engineVersion: input.EngineVersion ?? snapshot.data.EngineVersion ?? '16.4',
      instanceClass: input.DBClusterInstanceClass,
      encrypted: snapshot.data.StorageEncrypted ?? false,
      kmsKeyId: input.KmsKeyId ?? snapshot.data.KmsKeyId,
      deletionProtection: input.DeletionProtection,
      retention: clusterRetentionDays(input.BackupRetentionPeriod, this.#region(region).clusters.get(snapshot.data.DBClusterIdentifier ?? '')?.data.BackupRetentionPeriod ?? 7),
      tags: input.Tags !== undefined && input.Tags.length > 0 ? input.Tags : snapshot.data.TagList,
    });
    rec.origin = { kind: 'snapshot', snapshotArn: snapshot.data.DBClusterSnapshotArn ?? '' };
    return { DBCluster: this.#clusterOut(rec) };
  }

  #restoreDBClusterToPointInTime(input: RestoreDBClusterToPointInTimeMessage, region: string): object {
    const state = this.#region(region);
    const id = validateIdentifier(requireString(input.DBClusterIdentifier, 'DBClusterIdentifier'), 'DBClusterIdentifier', 63);
    const source = this.#requireCluster(region, input.SourceDBClusterIdentifier, 'SourceDBClusterIdentifier');
    if (state.clusters.has(id)) throw rdsFault('DBClusterAlreadyExistsFault', `DB Cluster already exists`);
    const restoreTime = this.#pitrTarget(
      source.pitr,
      source.data.BackupRetentionPeriod,
      source.data.Status,
      source.data.ClusterCreateTime,
      input.RestoreToTime,
      input.UseLatestRestorableTime,
      'RestoreToTime',
    );
    this.#checkKey(source.data.KmsKeyId, region, 'source snapshot');
    const rec = this.#newRestoredCluster(region, id, {
      engine: source.data.Engine ?? 'postgres',
      engineVersion: source.data.EngineVersion ?? '16.4',
      instanceClass: input.DBClusterInstanceClass ?? source.data.DBClusterInstanceClass,
      encrypted: source.data.StorageEncrypted ?? false,
      kmsKeyId: input.KmsKeyId ?? source.data.KmsKeyId,
      deletionProtection: input.DeletionProtection,
      retention: clusterRetentionDays(input.BackupRetentionPeriod, source.data.BackupRetentionPeriod ?? 7),
      tags: input.Tags,
    });
    rec.origin = { kind: 'point-in-time', sourceArn: source.data.DBClusterArn ?? '', restoreTime };
    return { DBCluster: this.#clusterOut(rec) };
  }

  #newRestoredCluster(
    region: string,
    id: string,
    o: {
      engine: string;
      engineVersion: string;
      instanceClass: string | undefined;
      encrypted: boolean;
      kmsKeyId: string | undefined;
      deletionProtection: boolean | undefined;
      retention: number;
      tags: readonly Tag[] | undefined;
    },
  ): ClusterRec {
    const state = this.#region(region);
    if (state.clusters.size >= state.quotas.DBClusters) {
      throw rdsFault('DBClusterQuotaExceededFault', `Cannot create more than ${state.quotas.DBClusters} DB clusters.`);
    }
    const rec = this.#newCluster(region, id, {
      status: 'creating',
      engine: o.engine,
      engineVersion: o.engineVersion,
      instanceClass: o.instanceClass ?? 'db.m6gd.large',
      encrypted: o.encrypted,
      kmsKeyId: o.kmsKeyId,
      retention: o.retention,
      createTime: new Date(this.#now()),
      deletionProtection: o.deletionProtection ?? false,
      tags: o.tags,
      // A Multi-AZ DB cluster restore creates its writer and two readable standbys itself.
      members: [
        { id: `${id}-instance-1`, az: `${region}a`, writer: true },
        { id: `${id}-instance-2`, az: `${region}b`, writer: false },
        { id: `${id}-instance-3`, az: `${region}c`, writer: false },
      ],
    });
    const token = rec.token;
    this.#schedule(this.durations.clusterCreateMs, () => {
      if (state.clusters.get(id) !== rec || rec.token !== token) return;
      rec.data.Status = 'available';
      rec.pitr.fixedEarliest = new Date(this.#now());
      for (const member of this.#clusterMembers(region, rec)) member.data.DBInstanceStatus = 'available';
    });
    return rec;
  }

  #deleteDBCluster(input: DeleteDBClusterMessage, region: string): object {
    const state = this.#region(region);
    const rec = this.#requireCluster(region, input.DBClusterIdentifier);
    const id = rec.data.DBClusterIdentifier ?? '';
    if (rec.data.DeletionProtection === true) {
      throw rdsCommonError('InvalidParameterCombination', 'Cannot delete protected Cluster, please disable deletion protection and try again.');
    }
    if (rec.data.Status === 'deleting') throw rdsFault('InvalidDBClusterStateFault', `DB cluster ${id} is already being deleted.`);
    const skip = input.SkipFinalSnapshot ?? false;
    if (skip && input.FinalDBSnapshotIdentifier !== undefined) {
      throw rdsCommonError('InvalidParameterCombination', 'Cannot specify FinalDBSnapshotIdentifier when SkipFinalSnapshot is enabled.');
    }
    if (!skip && input.FinalDBSnapshotIdentifier === undefined) {
      throw rdsCommonError('InvalidParameterCombination', 'FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.');
    }
    if (input.FinalDBSnapshotIdentifier !== undefined) {
      const finalId = validateIdentifier(input.FinalDBSnapshotIdentifier, 'FinalDBSnapshotIdentifier', 255);
      if (state.clusterSnapshots.has(finalId)) throw rdsFault('DBClusterSnapshotAlreadyExistsFault', `Cannot create the cluster snapshot because one with the identifier ${finalId} already exists.`);
      this.#checkManualClusterSnapshotQuota(state);
      this.#startClusterSnapshot(region, rec, finalId, []);
    }
    rec.token += 1;
    const token = rec.token;
    rec.data.Status = 'deleting';
    const members = this.#clusterMembers(region, rec);
    for (const member of members) {
      member.token += 1;
      member.data.DBInstanceStatus = 'deleting';
    }
    const deleteAutomated = input.DeleteAutomatedBackups ?? true;
    this.#schedule(this.durations.clusterDeleteMs, () => {
      if (state.clusters.get(id) !== rec || rec.token !== token) return;
      state.clusters.delete(id);
      for (const member of members) state.instances.delete(member.data.DBInstanceIdentifier ?? '');
      if (deleteAutomated) {
        for (const [snapId, snap] of state.clusterSnapshots) {
          if (snap.data.SnapshotType === 'automated' && snap.data.DBClusterIdentifier === id) state.clusterSnapshots.delete(snapId);
        }
      }
    });
    return { DBCluster: this.#clusterOut(rec) };
  }

  // ------------------------------------------------------------------ snapshots

  #createDBSnapshot(input: CreateDBSnapshotMessage, region: string): object {
    const state = this.#region(region);
    const snapshotId = validateIdentifier(requireString(input.DBSnapshotIdentifier, 'DBSnapshotIdentifier'), 'DBSnapshotIdentifier', 255);
    const rec = this.#requireInstance(region, input.DBInstanceIdentifier);
    const instanceId = rec.data.DBInstanceIdentifier ?? '';
    if (state.snapshots.has(snapshotId)) {
      throw rdsFault('DBSnapshotAlreadyExists', `Cannot create the snapshot because a snapshot with the identifier ${snapshotId} already exists.`);
    }
    if (rec.data.DBClusterIdentifier !== undefined) {
      // RDS answers InvalidParameterValue "The specified instance is a member of a cluster and a snapshot cannot be
      // created directly. Please use the CreateDBClusterSnapshot API instead." (quoted in cevoaustralia/aws-backup-lambda#5).
      throw rdsCommonError('InvalidParameterValue', 'The specified instance is a member of a cluster and a snapshot cannot be created directly. Please use the CreateDBClusterSnapshot API instead.');
    }
    if (rec.data.DBInstanceStatus !== 'available') {
      throw rdsFault('InvalidDBInstanceState', `Cannot create a snapshot because the database instance ${instanceId} is not currently in the available state.`);
    }
    this.#checkManualSnapshotQuota(state);
    // Explicit tags win; otherwise CopyTagsToSnapshot carries the instance's tags over.
    const tags = input.Tags !== undefined && input.Tags.length > 0 ? input.Tags : rec.data.CopyTagsToSnapshot === true ? rec.data.TagList : [];
    const snapshot = this.#startSnapshot(region, rec, snapshotId, tags);
    // While RDS takes the snapshot the instance shows `backing-up` ("The DB instance is being backed up",
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html#Overview.DBInstance.Status);
    // RDS refuses another snapshot, a promotion or a reboot with failover then (InvalidDBInstanceState).
    rec.token += 1;
    const token = rec.token;
    rec.data.DBInstanceStatus = 'backing-up';
    this.#schedule(Math.min(this.durations.backingUpMs, this.durations.snapshotCreateMs), () => {
      if (rec.token !== token) return;
      rec.data.DBInstanceStatus = 'available';
    });
    return { DBSnapshot: this.#snapshotOut(snapshot) };
  }

  #startSnapshot(region: string, instance: InstanceRec, snapshotId: string, tags: readonly Tag[] | undefined): SnapshotRec {
    const state = this.#region(region);
    const now = this.#now();
    const data: DBSnapshot = {
      DBSnapshotIdentifier: snapshotId,
      DBInstanceIdentifier: instance.data.DBInstanceIdentifier,
      SnapshotCreateTime: new Date(now),
      OriginalSnapshotCreateTime: new Date(now),
      // "The timestamp of the most recent transaction applied to the database that you're backing up" (DBSnapshot).
      SnapshotDatabaseTime: new Date(now),
      Engine: instance.data.Engine,
      EngineVersion: instance.data.EngineVersion,
      AllocatedStorage: instance.data.AllocatedStorage,
      Status: 'creating',
      Port: 5432,
      AvailabilityZone: instance.data.AvailabilityZone,
      VpcId: 'vpc-0fake0000000000001',
      InstanceCreateTime: instance.data.InstanceCreateTime,
      MasterUsername: instance.data.MasterUsername,
      LicenseModel: 'postgresql-license',
      SnapshotType: 'manual',
      PercentProgress: 0,
      StorageType: instance.data.StorageType,
      Encrypted: instance.data.StorageEncrypted ?? false,
      ...(instance.data.KmsKeyId === undefined ? {} : { KmsKeyId: instance.data.KmsKeyId }),
      DBSnapshotArn: this.snapshotArn(region, snapshotId),
      DbiResourceId: instance.data.DbiResourceId,
      SnapshotTarget: 'region',
      TagList: mergeTags(undefined, tags),
    };
    const rec: SnapshotRec = { seq: this.#nextSeq(), data, startedAt: now, durationMs: this.durations.snapshotCreateMs };
    state.snapshots.set(snapshotId, rec);
    this.#schedule(rec.durationMs, () => {
      if (state.snapshots.get(snapshotId) !== rec || rec.data.Status !== 'creating') return;
      rec.data.Status = 'available';
    });
    return rec;
  }

  #createDBClusterSnapshot(input: CreateDBClusterSnapshotMessage, region: string): object {
    const state = this.#region(region);
    const snapshotId = validateIdentifier(requireString(input.DBClusterSnapshotIdentifier, 'DBClusterSnapshotIdentifier'), 'DBClusterSnapshotIdentifier', 255);
    const rec = this.#requireCluster(region, input.DBClusterIdentifier);
    if (state.clusterSnapshots.has(snapshotId)) {
      throw rdsFault('DBClusterSnapshotAlreadyExistsFault', `Cannot create the cluster snapshot because one with the identifier ${snapshotId} already exists.`);
    }
    if (rec.data.Status !== 'available') {
      throw rdsFault('InvalidDBClusterStateFault', `DB cluster ${rec.data.DBClusterIdentifier} is not in available state (status: ${rec.data.Status}).`);
    }
    this.#checkManualClusterSnapshotQuota(state);
    const tags = input.Tags !== undefined && input.Tags.length > 0 ? input.Tags : rec.data.CopyTagsToSnapshot === true ? rec.data.TagList : [];
    const snapshot = this.#startClusterSnapshot(region, rec, snapshotId, tags);
    return { DBClusterSnapshot: this.#clusterSnapshotOut(snapshot) };
  }

  #startClusterSnapshot(region: string, cluster: ClusterRec, snapshotId: string, tags: readonly Tag[] | undefined): ClusterSnapshotRec {
    const state = this.#region(region);
    const now = this.#now();
    const data: DBClusterSnapshot = {
      AvailabilityZones: [...(cluster.data.AvailabilityZones ?? [])],
      DBClusterSnapshotIdentifier: snapshotId,
      DBClusterIdentifier: cluster.data.DBClusterIdentifier,
      SnapshotCreateTime: new Date(now),
      Engine: cluster.data.Engine,
      EngineVersion: cluster.data.EngineVersion,
      AllocatedStorage: cluster.data.AllocatedStorage,
      Status: 'creating',
      Port: cluster.data.Port,
      VpcId: 'vpc-0fake0000000000001',
      ClusterCreateTime: cluster.data.ClusterCreateTime,
      MasterUsername: cluster.data.MasterUsername,
      SnapshotType: 'manual',
      PercentProgress: 0,
      StorageEncrypted: cluster.data.StorageEncrypted ?? false,
      ...(cluster.data.KmsKeyId === undefined ? {} : { KmsKeyId: cluster.data.KmsKeyId }),
      DBClusterSnapshotArn: this.clusterSnapshotArn(region, snapshotId),
      DbClusterResourceId: cluster.data.DbClusterResourceId,
      StorageType: cluster.data.StorageType,
      TagList: mergeTags(undefined, tags),
    };
    const rec: ClusterSnapshotRec = { seq: this.#nextSeq(), data, startedAt: now, durationMs: this.durations.snapshotCreateMs };
    state.clusterSnapshots.set(snapshotId, rec);
    this.#schedule(rec.durationMs, () => {
      if (state.clusterSnapshots.get(snapshotId) !== rec || rec.data.Status !== 'creating') return;
      rec.data.Status = 'available';
    });
    return rec;
  }

  /**
   * Semantics from https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBSnapshots.html:
   * without SnapshotType both automated and manual snapshots are returned (shared and public never are, in a
   * one-account fake); an automated snapshot named by DBSnapshotIdentifier is only found with SnapshotType automated.
   */
  #describeDBSnapshots(input: DescribeDBSnapshotsMessage, region: string): object {
    const state = this.#region(region);
    const type = input.SnapshotType;
    let recs = [...state.snapshots.values()].filter((rec) => (type === undefined ? rec.data.SnapshotType === 'manual' || rec.data.SnapshotType === 'automated' : rec.data.SnapshotType === type));
    if (input.DBSnapshotIdentifier !== undefined) {
      const id = this.#idIn(region, input.DBSnapshotIdentifier, 'snapshot');
      recs = recs.filter((rec) => rec.data.DBSnapshotIdentifier === id);
      if (recs.length === 0) throw rdsFault('DBSnapshotNotFound', `DBSnapshot ${id} not found.`);
    }
    if (input.DBInstanceIdentifier !== undefined) {
      const instanceId = this.#idIn(region, input.DBInstanceIdentifier, 'db');
      recs = recs.filter((rec) => rec.data.DBInstanceIdentifier === instanceId);
    }
    if (input.DbiResourceId !== undefined) recs = recs.filter((rec) => rec.data.DbiResourceId === input.DbiResourceId);
    recs = recs.filter((rec) =>
      matchesFilters(input.Filters, {
        'db-instance-id': () => [rec.data.DBInstanceIdentifier, this.instanceArn(region, rec.data.DBInstanceIdentifier ?? '')],
        'db-snapshot-id': () => [rec.data.DBSnapshotIdentifier],
        'dbi-resource-id': () => [rec.data.DbiResourceId],
        'snapshot-type': () => [rec.data.SnapshotType],
        engine: () => [rec.data.Engine],
      }),
    );
    const { page, marker } = this.#paginate(recs, input, 'DescribeDBSnapshots');
    return { DBSnapshots: page.map((rec) => this.#snapshotOut(rec)), ...(marker === undefined ? {} : { Marker: marker }) };
  }

  #describeDBClusterSnapshots(input: DescribeDBClusterSnapshotsMessage, region: string): object {
    const state = this.#region(region);
    const type = input.SnapshotType;
    let recs = [...state.clusterSnapshots.values()].filter((rec) => (type === undefined ? rec.data.SnapshotType === 'manual' || rec.data.SnapshotType === 'automated' : rec.data.SnapshotType === type));
    if (input.DBClusterSnapshotIdentifier !== undefined) {
      const id = this.#idIn(region, input.DBClusterSnapshotIdentifier, 'cluster-snapshot');
      recs = recs.filter((rec) => rec.data.DBClusterSnapshotIdentifier === id);
      if (recs.length === 0) throw rdsFault('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${id} not found.`);
    }
    if (input.DBClusterIdentifier !== undefined) {
      const clusterId = this.#idIn(region, input.DBClusterIdentifier, 'cluster');
      recs = recs.filter((rec) => rec.data.DBClusterIdentifier === clusterId);
    }
    recs = recs.filter((rec) =>
      matchesFilters(input.Filters, {
        'db-cluster-id': () => [rec.data.DBClusterIdentifier, this.clusterArn(region, rec.data.DBClusterIdentifier ?? '')],
        'db-cluster-snapshot-id': () => [rec.data.DBClusterSnapshotIdentifier],
        'snapshot-type': () => [rec.data.SnapshotType],
        engine: () => [rec.data.Engine],
      }),
    );
    const { page, marker } = this.#paginate(recs, input, 'DescribeDBClusterSnapshots');
    return { DBClusterSnapshots: page.map((rec) => this.#clusterSnapshotOut(rec)), ...(marker === undefined ? {} : { Marker: marker }) };
  }

  /**
   * "The DB snapshot must be in the available state to be deleted", and "if the snapshot is being copied, the copy
   * operation is terminated" (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBSnapshot.html):
   * so `available` and an in-flight copy target may be deleted, a snapshot still `creating` may not.
   * Automated snapshots are managed by RDS and cannot be deleted this way.
   */
  #deleteDBSnapshot(input: DeleteDBSnapshotMessage, region: string): object {
    const state = this.#region(region);
    const id = this.#idIn(region, requireString(input.DBSnapshotIdentifier, 'DBSnapshotIdentifier'), 'snapshot');
    const rec = state.snapshots.get(id);
    if (!rec) throw rdsFault('DBSnapshotNotFound', `DBSnapshot ${id} not found.`);
    if (rec.data.SnapshotType !== 'manual') throw rdsFault('InvalidDBSnapshotState', `Only manual snapshots may be deleted: ${id} is ${rec.data.SnapshotType}.`);
    if (rec.data.Status !== 'available' && rec.data.Status !== 'copying' && rec.data.Status !== 'pending') {
      throw rdsFault('InvalidDBSnapshotState', `Cannot delete the snapshot ${id} because it is in the ${rec.data.Status} state.`);
    }
    state.snapshots.delete(id);
    if (rec.copy === true && rec.data.Status === 'copying') this.#startNextPending(rec.data.SourceDBSnapshotIdentifier);
    const out = this.#snapshotOut(rec);
    out.Status = 'deleted';
    return { DBSnapshot: out };
  }

  #deleteDBClusterSnapshot(input: DeleteDBClusterSnapshotMessage, region: string): object {
    const state = this.#region(region);
    const id = this.#idIn(region, requireString(input.DBClusterSnapshotIdentifier, 'DBClusterSnapshotIdentifier'), 'cluster-snapshot');
    const rec = state.clusterSnapshots.get(id);
    if (!rec) throw rdsFault('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${id} not found.`);
    if (rec.data.SnapshotType !== 'manual') throw rdsFault('InvalidDBClusterSnapshotStateFault', `Only manual cluster snapshots may be deleted: ${id} is ${rec.data.SnapshotType}.`);
    if (rec.data.Status !== 'available' && rec.data.Status !== 'copying') {
      throw rdsFault('InvalidDBClusterSnapshotStateFault', `Cannot delete the cluster snapshot ${id} because it is in the ${rec.data.Status} state.`);
    }
    state.clusterSnapshots.delete(id);
    const out = this.#clusterSnapshotOut(rec);
    out.Status = 'deleted';
    return { DBClusterSnapshot: out };
  }

  /**
   * CopyDBSnapshot is called in the destination region; a source in another region must be named by its ARN
   * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CopyDBSnapshot.html). The SDK's presigned-URL
   * middleware does not run under aws-sdk-client-mock, so PreSignedUrl is not required here.
   * An encrypted cross-region copy without KmsKeyId fails with InvalidParameterValue "Must specify new KMS key for
   * cross region encrypted snapshot copy." (the doc: "you must specify a KMS key for the destination AWS Region").
   */
  #copyDBSnapshot(input: CopyDBSnapshotMessage, region: string): object {
    const target = this.#region(region);
    const sourceRef = requireString(input.SourceDBSnapshotIdentifier, 'SourceDBSnapshotIdentifier');
    const targetId = validateIdentifier(requireString(input.TargetDBSnapshotIdentifier, 'TargetDBSnapshotIdentifier'), 'TargetDBSnapshotIdentifier', 255);
    const arn = parseArn(sourceRef);
    if (arn && arn.type !== 'snapshot') throw rdsCommonError('InvalidParameterValue', `${sourceRef} is not a DB snapshot ARN.`);
    if (arn && arn.account !== this.accountId) throw rdsFault('DBSnapshotNotFound', `DBSnapshot ${sourceRef} not found.`);
    const sourceRegion = arn?.region ?? region;
    const sourceId = arn?.id ?? sourceRef.toLowerCase();
    const source = this.#region(sourceRegion).snapshots.get(sourceId);
    if (!source) throw rdsFault('DBSnapshotNotFound', `DBSnapshot ${sourceId} not found.`);
    if (source.data.Status !== 'available') {
      throw rdsFault('InvalidDBSnapshotState', `Snapshot ${sourceId} is not in available state (status: ${source.data.Status}).`);
    }
    if (target.snapshots.has(targetId)) {
      throw rdsFault('DBSnapshotAlreadyExists', `Cannot create the snapshot because a snapshot with the identifier ${targetId} already exists.`);
    }
    const crossRegion = sourceRegion !== region;
    if (crossRegion && source.data.Encrypted === true && input.KmsKeyId === undefined) {
      throw rdsCommonError('InvalidParameterValue', 'Must specify new KMS key for cross region encrypted snapshot copy.');
    }
    this.#checkKey(source.data.KmsKeyId, sourceRegion, 'source snapshot');
    this.#checkKey(input.KmsKeyId, region, 'target');
    this.#checkManualSnapshotQuota(target);
    const inProgress = [...target.snapshots.values()].filter((r) => r.copy === true && r.data.SourceRegion !== undefined && (r.data.Status === 'copying' || r.data.Status === 'pending'));
    if (crossRegion && inProgress.length >= CROSS_REGION_COPIES_IN_PROGRESS_MAX) {
      throw rdsFault('SnapshotQuotaExceeded', `Cannot have more than ${CROSS_REGION_COPIES_IN_PROGRESS_MAX} cross-region snapshot copy requests in progress to ${region}.`);
    }
    const tags = mergeTags(input.CopyTags === true ? source.data.TagList : [], input.Tags);
    const now = this.#now();
    const encrypted = source.data.Encrypted === true || input.KmsKeyId !== undefined;
    const data: DBSnapshot = {
      ...clone(source.data),
      DBSnapshotIdentifier: targetId,
      // SnapshotCreateTime "changes for the copy"; OriginalSnapshotCreateTime "doesn't change when the snapshot is copied".
      SnapshotCreateTime: new Date(now),
      OriginalSnapshotCreateTime: source.data.OriginalSnapshotCreateTime ?? source.data.SnapshotCreateTime,
      // The copy holds the source's data: its data point is the source's.
      SnapshotDatabaseTime: source.data.SnapshotDatabaseTime ?? source.data.SnapshotCreateTime,
      Status: 'copying',
      SnapshotType: 'manual',
      PercentProgress: 0,
      Encrypted: encrypted,
      DBSnapshotArn: this.snapshotArn(region, targetId),
      TagList: tags,
    };
    if (encrypted) data.KmsKeyId = input.KmsKeyId ?? source.data.KmsKeyId;
    else delete data.KmsKeyId;
    // SourceRegion / SourceDBSnapshotIdentifier only have a value for cross-region (or cross-account) copies.
    if (crossRegion) {
      data.SourceRegion = sourceRegion;
      data.SourceDBSnapshotIdentifier = source.data.DBSnapshotArn;
      data.AvailabilityZone = `${region}a`;
    } else {
      delete data.SourceRegion;
      delete data.SourceDBSnapshotIdentifier;
    }
    const durationMs = crossRegion ? this.durations.crossRegionCopyMs : this.durations.snapshotCopyMs;
    const rec: SnapshotRec = { seq: this.#nextSeq(), data, startedAt: now, durationMs, copy: true };
    target.snapshots.set(targetId, rec);
    // Copies of one source run one at a time: a second one waits as `pending` ("Amazon RDS might put new
    // cross-Region copy requests ... into a queue ... No progress information is displayed about copy requests
    // while they are in the queue", USER_CopySnapshot.html).
    const sourceArn = source.data.DBSnapshotArn ?? '';
    if (crossRegion && this.#copiesOf(sourceArn).some((r) => r !== rec && r.data.Status === 'copying')) {
      rec.data.Status = 'pending';
    } else {
      this.#runCopy(target, targetId, rec);
    }
    return { DBSnapshot: this.#snapshotOut(rec) };
  }

  /** Cross-region copies of one source snapshot, in every region, oldest first. */
  #copiesOf(sourceArn: string): SnapshotRec[] {
    return [...this.#regions.values()]
      .flatMap((state) => [...state.snapshots.values()])
      .filter((r) => r.copy === true && r.data.SourceDBSnapshotIdentifier === sourceArn)
      .sort((a, b) => a.seq - b.seq);
  }

  #runCopy(target: RegionState, targetId: string, rec: SnapshotRec): void {
    rec.data.Status = 'copying';
    rec.startedAt = this.#now();
    this.#schedule(rec.durationMs, () => {
      if (target.snapshots.get(targetId) !== rec || rec.data.Status !== 'copying') return;
      rec.data.Status = 'available';
      this.#startNextPending(rec.data.SourceDBSnapshotIdentifier);
    });
  }

  #startNextPending(sourceArn: string | undefined): void {
    if (sourceArn === undefined) return;
    const next = this.#copiesOf(sourceArn).find((r) => r.data.Status === 'pending');
    if (!next) return;
    const arn = parseArn(next.data.DBSnapshotArn ?? '');
    const state = arn ? this.#regions.get(arn.region) : undefined;
    if (state && arn) this.#runCopy(state, arn.id, next);
  }

  /**
   * Aurora cluster snapshots can be copied (a cancelled copy is deleted while "copying", per
   * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CopyDBClusterSnapshot.html), but RDS does not support
   * "Copying a snapshot of a Multi-AZ DB cluster"
   * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/multi-az-db-clusters-concepts.Limitations.html).
   */
  #copyDBClusterSnapshot(input: CopyDBClusterSnapshotMessage, region: string): object {
    const target = this.#region(region);
    const sourceRef = requireString(input.SourceDBClusterSnapshotIdentifier, 'SourceDBClusterSnapshotIdentifier');
    const targetId = validateIdentifier(requireString(input.TargetDBClusterSnapshotIdentifier, 'TargetDBClusterSnapshotIdentifier'), 'TargetDBClusterSnapshotIdentifier', 63);
    const arn = parseArn(sourceRef);
    if (arn && arn.type !== 'cluster-snapshot') throw rdsCommonError('InvalidParameterValue', `${sourceRef} is not a DB cluster snapshot ARN.`);
    const sourceRegion = arn?.region ?? region;
    const sourceId = arn?.id ?? sourceRef.toLowerCase();
    const source = this.#region(sourceRegion).clusterSnapshots.get(sourceId);
    if (!source) throw rdsFault('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${sourceId} not found.`);
    if (MULTI_AZ_CLUSTER_ENGINES.has(source.data.Engine ?? '')) {
      throw rdsCommonError('InvalidParameterCombination', `Copying a snapshot of a Multi-AZ DB cluster isn't supported (${sourceId}).`);
    }
    if (source.data.Status !== 'available') {
      throw rdsFault('InvalidDBClusterSnapshotStateFault', `Snapshot ${sourceId} is not in available state (status: ${source.data.Status}).`);
    }
    if (target.clusterSnapshots.has(targetId)) {
      throw rdsFault('DBClusterSnapshotAlreadyExistsFault', `Cannot create the cluster snapshot because one with the identifier ${targetId} already exists.`);
    }
    const crossRegion = sourceRegion !== region;
    if (crossRegion && source.data.StorageEncrypted === true && input.KmsKeyId === undefined) {
      throw rdsCommonError('InvalidParameterValue', 'Must specify new KMS key for cross region encrypted snapshot copy.');
    }
    this.#checkKey(source.data.KmsKeyId, sourceRegion, 'source snapshot');
    this.#checkKey(input.KmsKeyId, region, 'target');
    this.#checkManualClusterSnapshotQuota(target);
    const now = this.#now();
    const data: DBClusterSnapshot = {
      ...clone(source.data),
      DBClusterSnapshotIdentifier: targetId,
      SnapshotCreateTime: new Date(now),
      Status: 'copying',
      SnapshotType: 'manual',
      PercentProgress: 0,
      DBClusterSnapshotArn: this.clusterSnapshotArn(region, targetId),
      SourceDBClusterSnapshotArn: source.data.DBClusterSnapshotArn,
      TagList: mergeTags(input.CopyTags === true ? source.data.TagList : [], input.Tags),
      ...(input.KmsKeyId === undefined ? {} : { KmsKeyId: input.KmsKeyId }),
    };
    const durationMs = crossRegion ? this.durations.crossRegionCopyMs : this.durations.snapshotCopyMs;
    const rec: ClusterSnapshotRec = { seq: this.#nextSeq(), data, startedAt: now, durationMs };
    target.clusterSnapshots.set(targetId, rec);
    this.#schedule(durationMs, () => {
      if (target.clusterSnapshots.get(targetId) !== rec || rec.data.Status !== 'copying') return;
      rec.data.Status = 'available';
    });
    return { DBClusterSnapshot: this.#clusterSnapshotOut(rec) };
  }

  // ------------------------------------------------------------------ tags

  /** Finds the tag list of the resource an ARN names; each resource type has its own not-found fault. */
  #taggable(resourceName: string | undefined, region: string): { TagList?: Tag[] | undefined } {
    const name = requireString(resourceName, 'ResourceName');
    const arn = parseArn(name);
    if (!arn || arn.account !== this.accountId) throw rdsCommonError('InvalidParameterValue', `Invalid resource name: ${name}`);
    if (arn.region !== region) {
      throw rdsCommonError('InvalidParameterValue', `The resource ${name} is not in region ${region}.`);
    }
    const state = this.#region(region);
    switch (arn.type) {
      case 'db': {
        const rec = state.instances.get(arn.id);
        if (!rec) throw rdsFault('DBInstanceNotFound', `DBInstance ${arn.id} not found.`);
        return rec.data;
      }
      case 'snapshot': {
        const rec = state.snapshots.get(arn.id);
        if (!rec) throw rdsFault('DBSnapshotNotFound', `DBSnapshot ${arn.id} not found.`);
        return rec.data;
      }
      case 'cluster': {
        const rec = state.clusters.get(arn.id);
        if (!rec) throw rdsFault('DBClusterNotFoundFault', `DBCluster ${arn.id} not found.`);
        return rec.data;
      }
      case 'cluster-snapshot': {
        const rec = state.clusterSnapshots.get(arn.id);
        // The tag operations declare DBSnapshotNotFoundFault and no cluster-snapshot fault (SDK model,
        // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_AddTagsToResource.html#API_AddTagsToResource_Errors).
        if (!rec) throw rdsFault('DBSnapshotNotFound', `DBClusterSnapshot ${arn.id} not found.`);
        return rec.data;
      }
    }
  }

  #addTagsToResource(input: AddTagsToResourceMessage, region: string): object {
    const resource = this.#taggable(input.ResourceName, region);
    const tags = input.Tags ?? [];
    const reserved = tags.find((t) => t.Key?.toLowerCase().startsWith('aws:') === true);
    if (reserved) throw rdsCommonError('InvalidParameterValue', `Tag keys cannot start with the reserved prefix 'aws:'.`);
    resource.TagList = mergeTags(resource.TagList, tags);
    return {};
  }

  #removeTagsFromResource(input: RemoveTagsFromResourceMessage, region: string): object {
    const resource = this.#taggable(input.ResourceName, region);
    const remove = new Set(input.TagKeys ?? []);
    resource.TagList = (resource.TagList ?? []).filter((t) => t.Key === undefined || !remove.has(t.Key));
    return {};
  }

  #listTagsForResource(input: ListTagsForResourceMessage, region: string): object {
    return { TagList: clone(this.#taggable(input.ResourceName, region).TagList ?? []) };
  }
}

// ---------------------------------------------------------------------------------------------
// Module helpers
// ---------------------------------------------------------------------------------------------

function byTimeThenOrder(a: ScheduledEvent, b: ScheduledEvent): number {
  return a.at - b.at || a.order - b.order;
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw rdsCommonError('MissingParameter', `The request must contain the parameter ${field}`);
  return value;
}

/** RDS identifiers: 1 to max letters, digits or hyphens; first a letter; no trailing hyphen nor two consecutive hyphens. Stored lowercase. */
function validateIdentifier(value: string, field: string, max: number): string {
  if (value.length > max || !/^[A-Za-z][A-Za-z0-9-]*$/.test(value) || value.endsWith('-') || value.includes('--')) {
    throw rdsCommonError('InvalidParameterValue', `The parameter ${field} is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.`);
  }
  return value.toLowerCase();
}

/** BackupRetentionPeriod: "Must be a value from 0 to 35" (API reference of the restore and modify operations). */
function retentionDays(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > 35) throw rdsCommonError('InvalidParameterValue', `Invalid BackupRetentionPeriod ${value}: must be a value from 0 to 35.`);
  return value;
}

/** Clusters: "Must be a value from 1 to 35" (API reference, ModifyDBCluster and the cluster restores). */
function clusterRetentionDays(value: number | undefined, fallback: number): number {
  if (value === 0) throw rdsCommonError('InvalidParameterValue', 'Invalid BackupRetentionPeriod 0: must be a value from 1 to 35.');
  return retentionDays(value, fallback);
}

function resourceId(kind: 'db' | 'cluster', id: string): string {
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `${kind}-${hash.toString(36).toUpperCase().padStart(26, 'X')}`;
}

function encodeMarker(command: string, seq: number): string {
  return Buffer.from(JSON.stringify({ c: command, s: seq })).toString('base64url');
}

function decodeMarker(marker: string, command: string): number {
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
function matchesFilters(filters: readonly Filter[] | undefined, getters: Record<string, () => readonly (string | undefined)[]>): boolean {
  for (const filter of filters ?? []) {
    const name = filter.Name ?? '';
    const getter = getters[name];
    if (!getter) throw rdsCommonError('InvalidParameterValue', `Unrecognized filter name: ${name}. Supported filters: ${Object.keys(getters).join(', ')}.`);
    const values = new Set(filter.Values ?? []);
    if (!getter().some((v) => v !== undefined && values.has(v))) return false;
  }
  return true;
}
