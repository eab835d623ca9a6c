/**
 * The state of the RDS fake and what every resource shares: regions, the timeline of scheduled transitions on the
 * virtual clock, ARNs, output shaping, lookups, quotas, KMS keys, pagination and the checks against the SDK's model.
 */
import {
  DBClusterNotFoundFault,
  KMSKeyNotAccessibleFault,
  RDSClient,
  RDSServiceException,
} from '@aws-sdk/client-rds';
import type {
  DBCluster,
  DBClusterSnapshot,
  DBInstance,
  DBSnapshot,
  MasterUserSecret,
  Tag,
} from '@aws-sdk/client-rds';
import { AwsFake, VirtualClock } from '../aws-fake.ts';
import { inputMembers, mayThrow, operationExists } from '../rds-model.ts';
import {
  type RdsFakeDurations,
  DEFAULT_DURATIONS,
  type RdsQuotaName,
  DEFAULT_QUOTAS,
  type RdsFakeOptions,
  type RestoreOrigin,
  rdsFault,
  rdsCommonError,
  throttlingError,
  type PitrWindow,
  type InstanceRec,
  type ClusterRec,
  type SnapshotRec,
  type ClusterSnapshotRec,
  type RegionState,
  type ScheduledEvent,
  type ParsedArn,
  DAY_MS,
  IN_PROGRESS_SNAPSHOT,
  parseArn,
  toDate,
  clone,
  RDS_FAKE_OPERATIONS,
  byTimeThenOrder,
  requireString,
  encodeMarker,
  decodeMarker,
} from './model.ts';

/** The shared state and helpers; the resource layers extend it. */
export abstract class RdsCore extends AwsFake<RDSClient> {
  /** Account id used in ARNs. */
  readonly accountId: string;
  /** Operation durations; mutable so a test can slow one operation down mid-test. */
  readonly durations: { -readonly [K in keyof RdsFakeDurations]: RdsFakeDurations[K] };

  protected readonly quotaDefaults: Record<RdsQuotaName, number>;
  protected readonly regions = new Map<string, RegionState>();
  protected readonly inaccessibleKeys = new Set<string>();
  protected timeline: ScheduledEvent[] = [];
  protected seq = 0;
  protected order = 0;
  /** Set while a scheduled event runs, so that anything it schedules is relative to the event's own time. */
  protected eventTime: number | undefined;

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
    this.quotaDefaults = { ...DEFAULT_QUOTAS, ...options.quotas };
  }

  // ------------------------------------------------------------------ hooks of the base (AwsFake.handle)

  /** Every call first applies the transitions whose time has come. */
  protected override beforeCall(): void {
    this.settle();
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

  // ------------------------------------------------------------------ KMS keys

  /** Marks a KMS key (id, alias or ARN, matched as given) as disabled or not accessible: RDS then fails with KMSKeyNotAccessibleFault. */
  markKeyInaccessible(keyId: string): void {
    this.inaccessibleKeys.add(keyId);
  }

  /** Undoes {@link RdsFake.markKeyInaccessible}. */
  markKeyAccessible(keyId: string): void {
    this.inaccessibleKeys.delete(keyId);
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

  /** Sets a fixed LatestRestorableTime (or `undefined` to track the clock again), e.g. to simulate growing PITR lag. */
  setLatestRestorableTime(region: string, id: string, latest: Date | undefined): void {
    this.settle();
    const rec = this.region(region).instances.get(id.toLowerCase()) ?? this.region(region).clusters.get(id.toLowerCase());
    if (!rec) throw new Error(`RdsFake.setLatestRestorableTime: no instance or cluster ${id} in ${region}`);
    rec.pitr.fixedLatest = latest;
  }

  /** Overrides one account quota's maximum in one region (or in every region when `region` is omitted). */
  setQuota(name: RdsQuotaName, max: number, region?: string): void {
    if (region === undefined) {
      this.quotaDefaults[name] = max;
      for (const state of this.regions.values()) state.quotas[name] = max;
    } else {
      this.region(region).quotas[name] = max;
    }
  }

  /** What a restored instance or cluster was restored from (undefined for seeded ones). */
  restoreOrigin(region: string, id: string): RestoreOrigin | undefined {
    this.settle();
    const state = this.region(region);
    const rec = state.instances.get(id.toLowerCase()) ?? state.clusters.get(id.toLowerCase());
    return rec?.origin === undefined ? undefined : clone(rec.origin);
  }

  /** Virtual time at which the next scheduled transition happens, or undefined when nothing is pending. */
  nextTransitionAt(): Date | undefined {
    this.settle();
    const next = [...this.timeline].sort(byTimeThenOrder)[0];
    return next === undefined ? undefined : new Date(next.at);
  }

  // ------------------------------------------------------------------ time

  protected now(): number {
    return this.eventTime ?? this.clock.now().getTime();
  }

  protected schedule(delayMs: number, run: () => void): void {
    this.timeline.push({ at: this.now() + delayMs, order: this.order++, run });
  }

  /** Applies, in time order, every scheduled transition that is due at the clock's current time. */
  protected settle(): void {
    if (this.eventTime !== undefined) return;
    const now = this.clock.now().getTime();
    for (;;) {
      this.timeline.sort(byTimeThenOrder);
      const next = this.timeline[0];
      if (next === undefined || next.at > now) return;
      this.timeline.shift();
      this.eventTime = next.at;
      try {
        next.run();
      } finally {
        this.eventTime = undefined;
      }
    }
  }

  protected nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  protected region(region: string): RegionState {
    let state = this.regions.get(region);
    if (!state) {
      state = { instances: new Map(), replicatedBackups: [], clusters: new Map(), snapshots: new Map(), clusterSnapshots: new Map(), quotas: { ...this.quotaDefaults } };
      this.regions.set(region, state);
    }
    return state;
  }

  // ------------------------------------------------------------------ output shaping

  protected latestRestorable(pitr: PitrWindow, retention: number | undefined, status: string | undefined): Date | undefined {
    if (!retention || status === 'creating') return undefined;
    return pitr.fixedLatest ? new Date(pitr.fixedLatest) : new Date(this.now() - pitr.lagMs);
  }

  protected earliestRestorable(pitr: PitrWindow, retention: number, created: Date | undefined): Date {
    if (pitr.fixedEarliest) return new Date(pitr.fixedEarliest);
    return new Date(Math.max(created?.getTime() ?? 0, this.now() - retention * DAY_MS));
  }

  protected instanceOut(rec: InstanceRec): DBInstance {
    const out = clone(rec.data);
    const latest = this.latestRestorable(rec.pitr, rec.data.BackupRetentionPeriod, rec.data.DBInstanceStatus);
    if (latest) out.LatestRestorableTime = latest;
    return out;
  }

  protected clusterOut(rec: ClusterRec): DBCluster {
    const out = clone(rec.data);
    const latest = this.latestRestorable(rec.pitr, rec.data.BackupRetentionPeriod, rec.data.Status);
    if (latest) {
      out.LatestRestorableTime = latest;
      out.EarliestRestorableTime = this.earliestRestorable(rec.pitr, rec.data.BackupRetentionPeriod ?? 0, rec.data.ClusterCreateTime);
    }
    return out;
  }

  protected progress(status: string | undefined, startedAt: number, durationMs: number): number {
    if (!IN_PROGRESS_SNAPSHOT.has(status ?? '')) return 100;
    if (status === 'pending') return 0;
    // RDS never reports 100 before the snapshot is available.
    return Math.min(99, Math.floor(((this.now() - startedAt) / Math.max(1, durationMs)) * 100));
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
  protected snapshotOut(rec: SnapshotRec): DBSnapshot {
    const out = clone(rec.data);
    out.PercentProgress = this.progress(rec.data.Status, rec.startedAt, rec.durationMs);
    if (out.Status !== 'available') {
      delete out.SnapshotCreateTime;
      if (rec.copy !== true) {
        delete out.OriginalSnapshotCreateTime;
        delete out.SnapshotDatabaseTime;
      }
    }
    return out;
  }

  protected clusterSnapshotOut(rec: ClusterSnapshotRec): DBClusterSnapshot {
    const out = clone(rec.data);
    out.PercentProgress = this.progress(rec.data.Status, rec.startedAt, rec.durationMs);
    if (out.Status !== 'available') delete out.SnapshotCreateTime;
    return out;
  }

  protected clusterMembers(region: string, cluster: ClusterRec): InstanceRec[] {
    const state = this.region(region);
    return (cluster.data.DBClusterMembers ?? [])
      .map((m) => state.instances.get(m.DBInstanceIdentifier ?? ''))
      .filter((m): m is InstanceRec => m !== undefined);
  }

  protected requireInstance(region: string, idOrArn: string | undefined, field = 'DBInstanceIdentifier'): InstanceRec {
    const id = this.idIn(region, requireString(idOrArn, field), 'db');
    const rec = this.region(region).instances.get(id);
    if (!rec) throw rdsFault('DBInstanceNotFound', `DBInstance ${id} not found.`);
    return rec;
  }

  protected requireCluster(region: string, idOrArn: string | undefined, field = 'DBClusterIdentifier'): ClusterRec {
    const id = this.idIn(region, requireString(idOrArn, field), 'cluster');
    const rec = this.region(region).clusters.get(id);
    if (!rec) throw rdsFault('DBClusterNotFoundFault', `DBCluster ${id} not found.`);
    return rec;
  }

  /** Accepts an identifier, or an ARN of the expected type in the caller's region. */
  protected idIn(region: string, idOrArn: string, type: ParsedArn['type']): string {
    const arn = parseArn(idOrArn);
    if (!arn) return idOrArn.toLowerCase();
    if (arn.type !== type || arn.region !== region) {
      throw rdsCommonError('InvalidParameterValue', `${idOrArn} is not a valid ${type} identifier in region ${region}.`);
    }
    return arn.id;
  }

  protected manualSnapshotCount(state: RegionState): number {
    return [...state.snapshots.values()].filter((s) => s.data.SnapshotType === 'manual').length;
  }

  protected manualClusterSnapshotCount(state: RegionState): number {
    return [...state.clusterSnapshots.values()].filter((s) => s.data.SnapshotType === 'manual').length;
  }

  protected checkManualSnapshotQuota(state: RegionState): void {
    if (this.manualSnapshotCount(state) >= state.quotas.ManualSnapshots) {
      throw rdsFault('SnapshotQuotaExceeded', `Cannot create more than ${state.quotas.ManualSnapshots} manual snapshots`);
    }
  }

  protected checkManualClusterSnapshotQuota(state: RegionState): void {
    if (this.manualClusterSnapshotCount(state) >= state.quotas.ManualClusterSnapshots) {
      throw rdsFault('SnapshotQuotaExceeded', `Cannot create more than ${state.quotas.ManualClusterSnapshots} manual cluster snapshots`);
    }
  }

  /** A KMS key is unusable when marked inaccessible, or when its ARN names another region (KMS keys are regional). */
  protected checkKey(keyId: string | undefined, region: string, role: 'source snapshot' | 'target'): void {
    if (keyId === undefined) return;
    const keyRegion = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/.exec(keyId)?.[1];
    if (this.inaccessibleKeys.has(keyId) || (keyRegion !== undefined && keyRegion !== region)) {
      const what = role === 'target' ? `The target KMS key [${keyId}]` : `The source snapshot KMS key [${keyId}]`;
      throw rdsFault('KMSKeyNotAccessibleFault', `${what} does not exist, is not enabled or you do not have permissions to access it.`);
    }
  }

  protected pitrTarget(
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
    const latest = this.latestRestorable(pitr, retention, status);
    if (!retention || latest === undefined) {
      throw rdsFault('PointInTimeRestoreNotEnabled', 'Point-in-time restore is not enabled: the source has BackupRetentionPeriod 0.');
    }
    if (useLatest === true) return latest;
    const target = toDate(restoreTime, timeField);
    const earliest = this.earliestRestorable(pitr, retention, created);
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
  protected paginate<T extends { seq: number }>(items: readonly T[], input: { MaxRecords?: number | undefined; Marker?: string | undefined }, command: string): { page: T[]; marker: string | undefined } {
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
  protected manageMasterSecret(
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
    this.checkKey(input.MasterUserSecretKmsKeyId, region, 'target');
    rec.data.MasterUserSecret = { SecretArn: this.masterSecretArn(region, kind, id), SecretStatus: 'creating', KmsKeyId: input.MasterUserSecretKmsKeyId ?? `arn:aws:kms:${region}:${this.accountId}:alias/aws/secretsmanager` };
    rec.token += 1;
    const token = rec.token;
    const status = (value: string): void => {
      if (kind === 'db') (rec.data as DBInstance).DBInstanceStatus = value;
      else (rec.data as DBCluster).Status = value;
    };
    status('modifying');
    this.schedule(this.durations.manageSecretMs, () => {
      if (rec.token !== token) return;
      if (rec.data.MasterUserSecret) rec.data.MasterUserSecret = { ...rec.data.MasterUserSecret, SecretStatus: 'active' };
      status('available');
    });
  }

  /** ARN of the secret RDS creates for a database's master user (`rds!db-…` / `rds!cluster-…`). */
  masterSecretArn(region: string, kind: 'db' | 'cluster', id: string): string {
    return `arn:aws:secretsmanager:${region}:${this.accountId}:secret:rds!${kind}-${id}-AbCdEf`;
  }

  // ------------------------------------------------------------------ implemented by the resource layers

  /** Implemented by a later layer (RdsSnapshots). */
  protected abstract startSnapshot(region: string, instance: InstanceRec, snapshotId: string, tags: readonly Tag[] | undefined): SnapshotRec;
  /** Implemented by a later layer (RdsSnapshots). */
  protected abstract startClusterSnapshot(region: string, cluster: ClusterRec, snapshotId: string, tags: readonly Tag[] | undefined): ClusterSnapshotRec;

  /**
   * Runs an operation by the method named after it (`DescribeDBInstances` → `describeDBInstances`), which the
   * layer of its resource implements; an operation outside {@link RDS_FAKE_OPERATIONS} fails loudly.
   */
  protected dispatch(command: string, input: Record<string, unknown>, region: string): object {
    const method: unknown = (this as unknown as Record<string, unknown>)[command.charAt(0).toLowerCase() + command.slice(1)];
    if (!RDS_FAKE_OPERATIONS.includes(command) || typeof method !== 'function') throw new Error(`RdsFake does not implement ${command}; add it to test/support/rds-fake.ts`);
    return (method as (input: object, region: string) => object).call(this, input, region);
  }
}
