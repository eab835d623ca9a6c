/**
 * What DB instances and Multi-AZ DB clusters share, each rule written once for both: the available-state
 * rule, status transitions that a later change cancels, describe with filters and pages, the checks of a
 * restore (target free, source snapshot available, point in time, KMS key) and its `creating` →
 * `available` lifecycle, and deletion (protection, final snapshot, removal with the automated backups).
 * A {@link DatabaseKind} says where each kind keeps its records and how RDS words its errors for it.
 */
import type { Tag } from '@aws-sdk/client-rds';
import { RdsCore } from './core.ts';
import { type ClusterRec, type ClusterSnapshotRec, type InstanceRec, type PitrWindow, type RdsFakeDurations, type RdsQuotaName, type RegionState, type SnapshotRec, matchesFilters, rdsCommonError, rdsFault, validateIdentifier } from './model.ts';

type DatabaseRec = InstanceRec | ClusterRec;
type Filters = Parameters<typeof matchesFilters>[0];
type FilterColumns = Parameters<typeof matchesFilters>[1];
type FaultName = Parameters<typeof rdsFault>[0];

/** One kind of database (DB instance or DB cluster): where its records are, and its names in RDS's errors. */
export interface DatabaseKind<R extends DatabaseRec> {
  /** `DB instance` / `DB cluster`, as RDS words its state errors. */
  readonly noun: string;
  /** Its records in a region. */
  records(state: RegionState): Map<string, R>;
  /** Its snapshots in a region (for the final snapshot and the automated backups). */
  snapshots(state: RegionState): Map<string, SnapshotRec | ClusterSnapshotRec>;
  /** The database a snapshot was taken of. */
  snapshotSource(snapshot: SnapshotRec | ClusterSnapshotRec): string | undefined;
  id(rec: R): string;
  arn(rec: R): string;
  status(rec: R): string | undefined;
  setStatus(rec: R, status: string): void;
  /** The fault of an operation on a database in the wrong state. */
  readonly invalidState: FaultName;
  /** The word DeleteDB* uses for a protected one (`DB Instance`, `Cluster`). */
  readonly protectedName: string;
  /** A restore's target id is taken. */
  alreadyExists(): Error;
  /** The final snapshot's id is taken. */
  snapshotAlreadyExists(id: string): Error;
  /** The restore's source snapshot is missing, or not available. */
  snapshotNotFound(id: string): Error;
  readonly invalidSnapshotState: FaultName;
  /** The quota on how many there may be in a region, and the fault when it is reached. */
  readonly quota: RdsQuotaName;
  quotaExceeded(max: number): Error;
}

export const INSTANCE: DatabaseKind<InstanceRec> = {
  noun: 'DB instance',
  records: (state) => state.instances,
  snapshots: (state) => state.snapshots,
  snapshotSource: (snapshot) => (snapshot as SnapshotRec).data.DBInstanceIdentifier,
  id: (rec) => rec.data.DBInstanceIdentifier ?? '',
  arn: (rec) => rec.data.DBInstanceArn ?? '',
  status: (rec) => rec.data.DBInstanceStatus,
  setStatus: (rec, status) => {
    rec.data.DBInstanceStatus = status;
  },
  invalidState: 'InvalidDBInstanceState',
  protectedName: 'DB Instance',
  alreadyExists: () => rdsFault('DBInstanceAlreadyExists', `DB instance already exists`),
  snapshotAlreadyExists: (id) => rdsFault('DBSnapshotAlreadyExists', `Cannot create the snapshot because a snapshot with the identifier ${id} already exists.`),
  snapshotNotFound: (id) => rdsFault('DBSnapshotNotFound', `DBSnapshot ${id} not found.`),
  invalidSnapshotState: 'InvalidDBSnapshotState',
  quota: 'DBInstances',
  quotaExceeded: (max) => rdsFault('InstanceQuotaExceeded', `Cannot create more than ${max} DB instances.`),
};

export const CLUSTER: DatabaseKind<ClusterRec> = {
  noun: 'DB cluster',
  records: (state) => state.clusters,
  snapshots: (state) => state.clusterSnapshots,
  snapshotSource: (snapshot) => (snapshot as ClusterSnapshotRec).data.DBClusterIdentifier,
  id: (rec) => rec.data.DBClusterIdentifier ?? '',
  arn: (rec) => rec.data.DBClusterArn ?? '',
  status: (rec) => rec.data.Status,
  setStatus: (rec, status) => {
    rec.data.Status = status;
  },
  invalidState: 'InvalidDBClusterStateFault',
  protectedName: 'Cluster',
  alreadyExists: () => rdsFault('DBClusterAlreadyExistsFault', `DB Cluster already exists`),
  snapshotAlreadyExists: (id) => rdsFault('DBClusterSnapshotAlreadyExistsFault', `Cannot create the cluster snapshot because one with the identifier ${id} already exists.`),
  snapshotNotFound: (id) => rdsFault('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${id} not found.`),
  invalidSnapshotState: 'InvalidDBClusterSnapshotStateFault',
  quota: 'DBClusters',
  quotaExceeded: (max) => rdsFault('DBClusterQuotaExceededFault', `Cannot create more than ${max} DB clusters.`),
};

/**
 * The point-in-time window of a database: a seed may fix its latest and earliest restorable times and
 * the lag; a new database's window tracks the clock 5 minutes behind (RDS: about 5 minutes).
 */
export function pitrWindow(seed: { readonly LatestRestorableTime?: Date | undefined; readonly pitrLagMs?: number | undefined; readonly EarliestRestorableTime?: Date | undefined } = {}): PitrWindow {
  return { fixedLatest: seed.LatestRestorableTime, lagMs: seed.pitrLagMs ?? 300_000, fixedEarliest: seed.EarliestRestorableTime };
}

/** Schedules `run` after `delayMs` unless the database changed state again meanwhile. */
export type Later = (delayMs: number, run: () => void) => void;

/** The input members DeleteDBInstance and DeleteDBCluster share. */
interface DeleteInput {
  readonly SkipFinalSnapshot?: boolean | undefined;
  readonly FinalDBSnapshotIdentifier?: string | undefined;
  readonly DeleteAutomatedBackups?: boolean | undefined;
}

/** The rules DB instances and DB clusters share. */
export abstract class RdsDatabases extends RdsCore {
  /** The database must be `available` for the operation. */
  protected requireAvailable<R extends DatabaseRec>(kind: DatabaseKind<R>, rec: R): void {
    if (kind.status(rec) !== 'available') {
      throw rdsFault(kind.invalidState, `${kind.noun} ${kind.id(rec)} is not in available state (status: ${kind.status(rec)}).`);
    }
  }

  /**
   * Puts the database in `interim` status now and runs `done` after `delayMs`, unless it changed state
   * again meanwhile (or, with `current`, is no longer the record of its id). `done` may schedule a
   * further step with the same guard.
   */
  protected transition<R extends DatabaseRec>(kind: DatabaseKind<R>, rec: R, interim: string, delayMs: number, done: (later: Later) => void, current: () => boolean = () => true): void {
    rec.token += 1;
    const token = rec.token;
    kind.setStatus(rec, interim);
    const later: Later = (ms, run) =>
      this.schedule(ms, () => {
        if (rec.token !== token || !current()) return;
        run();
      });
    later(delayMs, () => done(later));
  }

  /** DescribeDB*: one database by id (or its NotFound fault), or all, then filters, then a page. */
  protected describeDatabases<R extends DatabaseRec>(
    kind: DatabaseKind<R>,
    region: string,
    input: { Filters?: Filters; MaxRecords?: number | undefined; Marker?: string | undefined },
    one: R | undefined,
    columns: (rec: R) => FilterColumns,
    command: string,
  ): { page: R[]; marker: string | undefined } {
    const recs = (one === undefined ? [...kind.records(this.region(region)).values()] : [one]).filter((rec) => matchesFilters(input.Filters, columns(rec)));
    return this.paginate(recs, input, command);
  }

  /** Room for one more in the region (its quota). */
  protected requireQuota<R extends DatabaseRec>(kind: DatabaseKind<R>, region: string): void {
    const state = this.region(region);
    if (kind.records(state).size >= state.quotas[kind.quota]) throw kind.quotaExceeded(state.quotas[kind.quota]);
  }

  /** A manual snapshot's tags: the request's own when it names some, else the database's when it copies tags to snapshots. */
  protected snapshotTags<R extends DatabaseRec>(requested: readonly Tag[] | undefined, rec: R): readonly Tag[] | undefined {
    return requested !== undefined && requested.length > 0 ? requested : rec.data.CopyTagsToSnapshot === true ? rec.data.TagList : [];
  }

  /** A new snapshot of either kind is `creating`, then `available` after its duration, unless deleted or changed meanwhile. */
  protected completeSnapshot<S extends SnapshotRec | ClusterSnapshotRec>(snapshots: Map<string, S>, id: string, rec: S): void {
    this.schedule(rec.durationMs, () => {
      if (snapshots.get(id) !== rec || rec.data.Status !== 'creating') return;
      rec.data.Status = 'available';
    });
  }

  /** The snapshots DescribeDB*Snapshots lists for a SnapshotType: manual and automated when none is named. */
  protected ofSnapshotType<S extends SnapshotRec | ClusterSnapshotRec>(snapshots: Map<string, S>, type: string | undefined): S[] {
    return [...snapshots.values()].filter((rec) => (type === undefined ? rec.data.SnapshotType === 'manual' || rec.data.SnapshotType === 'automated' : rec.data.SnapshotType === type));
  }

  /** A restore's target id must be free. */
  protected requireFreeTarget<R extends DatabaseRec>(kind: DatabaseKind<R>, region: string, id: string): void {
    if (kind.records(this.region(region)).has(id)) throw kind.alreadyExists();
  }

  /** A restore's source snapshot: it exists, is available, and its KMS key is usable. */
  protected requireRestorableSnapshot<R extends DatabaseRec>(kind: DatabaseKind<R>, region: string, snapshotId: string): SnapshotRec | ClusterSnapshotRec {
    const snapshot = kind.snapshots(this.region(region)).get(snapshotId);
    if (!snapshot) throw kind.snapshotNotFound(snapshotId);
    if (snapshot.data.Status !== 'available') {
      throw rdsFault(kind.invalidSnapshotState, `Snapshot ${snapshotId} is not in available state (status: ${snapshot.data.Status}).`);
    }
    this.checkKey(snapshot.data.KmsKeyId, region, 'source snapshot');
    return snapshot;
  }

  /** The point in time a restore asks for, within the source's window; the source's KMS key must be usable. */
  protected restorePoint<R extends DatabaseRec>(
    kind: DatabaseKind<R>,
    region: string,
    source: R,
    created: Date | undefined,
    restoreTime: Date | string | undefined,
    useLatest: boolean | undefined,
    timeField: string,
  ): Date {
    const at = this.pitrTarget(source.pitr, source.data.BackupRetentionPeriod, kind.status(source), created, restoreTime, useLatest, timeField);
    this.checkKey(source.data.KmsKeyId, region, 'source snapshot');
    return at;
  }

  /** A restored database is `creating`, then `available` after `delayMs`, its point-in-time window starting then. */
  protected finishCreating<R extends DatabaseRec>(kind: DatabaseKind<R>, region: string, rec: R, delayMs: number, also: () => void): void {
    const id = kind.id(rec);
    const token = rec.token;
    this.schedule(delayMs, () => {
      if (kind.records(this.region(region)).get(id) !== rec || rec.token !== token) return;
      kind.setStatus(rec, 'available');
      rec.pitr.fixedEarliest = new Date(this.now());
      also();
    });
  }

  /**
   * DeleteDB*: protection, not already deleting, the final snapshot rules (`beforeFinalSnapshot` adds
   * the kind's own refusals; `takeFinalSnapshot` checks the quota and starts it), then `deleting` until
   * `delayMs` has passed: the record goes (`removed` then tidies what hangs on it), and with it, unless
   * kept, its automated backups.
   */
  protected deleteDatabase<R extends DatabaseRec>(
    kind: DatabaseKind<R>,
    region: string,
    rec: R,
    input: DeleteInput,
    delay: keyof RdsFakeDurations,
    hooks: { beforeFinalSnapshot?: () => void; takeFinalSnapshot: (finalId: string) => void; removed: () => void },
  ): void {
    const state = this.region(region);
    const id = kind.id(rec);
    if (rec.data.DeletionProtection === true) {
      throw rdsCommonError('InvalidParameterCombination', `Cannot delete protected ${kind.protectedName}, please disable deletion protection and try again.`);
    }
    if (kind.status(rec) === 'deleting') throw rdsFault(kind.invalidState, `${kind.noun} ${id} is already being deleted.`);
    const skip = input.SkipFinalSnapshot ?? false;
    if (skip && input.FinalDBSnapshotIdentifier !== undefined) {
      throw rdsCommonError('InvalidParameterCombination', 'Cannot specify FinalDBSnapshotIdentifier when SkipFinalSnapshot is enabled.');
    }
    if (!skip && input.FinalDBSnapshotIdentifier === undefined) {
      throw rdsCommonError('InvalidParameterCombination', 'FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.');
    }
    if (input.FinalDBSnapshotIdentifier !== undefined) {
      hooks.beforeFinalSnapshot?.();
      const finalId = validateIdentifier(input.FinalDBSnapshotIdentifier, 'FinalDBSnapshotIdentifier', 255);
      if (kind.snapshots(state).has(finalId)) throw kind.snapshotAlreadyExists(finalId);
      hooks.takeFinalSnapshot(finalId);
    }
    const deleteAutomated = input.DeleteAutomatedBackups ?? true;
    const records = kind.records(state);
    this.transition(
      kind,
      rec,
      'deleting',
      this.durations[delay],
      () => {
        records.delete(id);
        hooks.removed();
        if (!deleteAutomated) return;
        const snapshots = kind.snapshots(state);
        for (const [snapId, snap] of snapshots) {
          if (snap.data.SnapshotType === 'automated' && kind.snapshotSource(snap) === id) snapshots.delete(snapId);
        }
      },
      () => records.get(id) === rec,
    );
  }
}
