/**
 * The retention use case over the {@link DatabaseControlPlane} port: list, plan with the
 * pure {@link planRetention}, apply the plan paced under the RDS API rate, audit, report.
 *
 * What it guarantees, relied on by the retention λ, the backup workflow and the runbook:
 * - the only snapshots it ever deletes are the ids of `plan.deletes`, in plan order;
 * - a planner refusal (ValidationError, RetentionSafetyError) deletes nothing;
 * - a dry run makes no delete call;
 * - a run stopped at any point (error, throttling, time budget) leaves a state from which
 *   the next run plans exactly the remaining deletes (the planner's prefix property), so
 *   re-running converges to the same set as an uninterrupted run.
 *
 * No AWS import: the RDS adapter, the archive and the clock are injected.
 */
import type { ArchiveStore, StoredDocument } from '../../ports/archive-store.ts';
import type { DatabaseControlPlane, Snapshot } from '../../ports/database-control-plane.ts';
import type { RestoreControlPlane } from '../../ports/restore-control-plane.ts';
import { AccessDeniedError, SnapshotNotAvailableError, SnapshotNotFoundError, ThrottledError } from '../../shared/errors.ts';
import type { MetricName } from '../../shared/metric-names.ts';
import { writeAudit, type AuditRecord } from '../audit/records.ts';
import { TAG as RETENTION_TAGS } from '../snapshots/naming.ts';
import { dataTimeOf } from './data-time.ts';
import type { RetentionAlarm, RetentionDecision, RetentionPolicy, RetentionQuota, SnapshotRecord } from './model.ts';
import { copiesBySource, restoreTestsBySnapshot, toRecord, type DatabaseLister } from './inventory.ts';
import { MAX_DELETES_PER_SECOND, type RetentionSettings } from './model.ts';
import { planRetention } from './planner.ts';

function toPolicy(name: string, settings: RetentionSettings, quota: { used: number; max: number }): RetentionPolicy {
  return {
    name,
    daily: settings.daily,
    weekly: settings.weekly,
    monthly: settings.monthly,
    yearly: settings.yearly,
    minimumCount: settings.minimumCount,
    maxVerifiedAgeHours: settings.maxVerifiedAgeHours,
    quota: { max: quota.max, headroom: settings.quotaHeadroom, used: quota.used },
  };
}

/** Milliseconds between two delete calls at `deletesPerSecond` (rounded up, so the rate is never exceeded). */
export function paceIntervalMs(deletesPerSecond: number): number {
  return Math.ceil(1000 / deletesPerSecond);
}

/** Retries of one throttled delete before the run gives up with ThrottledError (the state machine retries later). */
export const THROTTLE_RETRIES = 4;

/**
 * Back-off before retry `retry` (0-based) of a throttled delete: 1, 2, 4, 8 s, with equal
 * jitter (half fixed, half random) so that the retention runs of many databases, which
 * the schedules start at the same minute, do not retry in step.
 */
export function throttleBackoffMs(retry: number, random: number): number {
  const ceiling = 1000 * 2 ** retry;
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/**
 * Time kept in hand when a time budget is given: one delete's worst back-off
 * (1 + 2 + 4 + 8 s) plus the audit write and the metrics flush.
 */
export const TIME_RESERVE_MS = 30_000;

/** What the run is asked to do. */
export interface RetentionRunRequest {
  /** The database whose manual snapshots are planned. */
  readonly database: string;
  /** The policy name: only snapshots tagged `dr:policy` with it can be deleted. */
  readonly policyName: string;
  readonly settings: RetentionSettings;
  /** Plan and report only: no delete call. */
  readonly dryRun: boolean;
  /** Step Functions execution ARN, or `manual`; goes into the audit record. */
  readonly executionArn: string;
}

/** The values of the retention metrics of one run; null means "not measurable, not published". */
export type RetentionMetricValues = Readonly<
  Record<Extract<MetricName, 'ManagedSnapshotCount' | 'SnapshotQuotaUsedRatio' | 'RetentionDeletedSnapshots' | 'RetentionSafetyHold'>, number> & {
    /** Null when the database has no managed, available snapshot with a creation time. */
    readonly LatestSnapshotAgeSeconds: number | null;
  }
>;

/** A structured logger (Powertools' Logger fits). */
export interface RetentionLog {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
}


/** What the run acts through. */
export interface RetentionRunDeps {
  /** The control plane of the region being cleaned. */
  readonly plane: DatabaseControlPlane;
  /**
   * The databases of that region: a `dr:temporary` one of this database tagged
   * `dr:source-snapshot=<id>` means a restore test is using snapshot `<id>`. Absent: no
   * restore test restores in this region.
   */
  readonly restores?: DatabaseLister;
  /**
   * When cleaning the primary region: the DR region's control plane, to read the state of
   * each source's offsite copy. Absent or null: no copies (DR region run, or no DR region).
   */
  readonly offsite?: DatabaseControlPlane | null;
  readonly archive: ArchiveStore;
  readonly now: () => Date;
  /** Waits `ms` milliseconds: pacing and back-off go through it, so tests never sleep. */
  readonly sleep: (ms: number) => Promise<void>;
  /** A number in [0, 1) for back-off jitter. */
  readonly random: () => number;
  /** Called once per run that got as far as a plan, also when applying it failed. */
  readonly publish: (values: RetentionMetricValues) => void;
  /** Milliseconds left before the invocation is killed (Lambda's `getRemainingTimeInMillis`); absent: no budget. */
  readonly remainingTimeMs?: () => number;
  readonly log?: RetentionLog;
}

/** A planned delete that was not carried out, and why. */
export interface SkippedDelete {
  readonly id: string;
  readonly reason: string;
}

/** The outcome of {@link runRetention}. */
export interface RetentionRunReport {
  readonly database: string;
  readonly region: string;
  readonly policy: string;
  readonly dryRun: boolean;
  /** The planning time (ISO 8601). */
  readonly plannedAt: string;
  /** One decision per listed snapshot, with reason codes and texts, as the planner ordered them. */
  readonly decisions: readonly RetentionDecision[];
  /** The plan's deletes, oldest first. */
  readonly planned: readonly string[];
  /** Deleted by this run. */
  readonly deleted: readonly string[];
  /** Planned, but someone else deleted it between the listing and our delete: converged. */
  readonly alreadyGone: readonly string[];
  /** Planned, but RDS refused the delete for the snapshot's state (e.g. a copy from it in progress); the next run retries. */
  readonly skipped: readonly SkippedDelete[];
  /** Planned, but left for the next run because the time budget ran out or a premise of the plan changed. */
  readonly deferred: readonly string[];
  /** Why the deletes stopped early because the plan's premise no longer held (its anchor changed); null when it held. */
  readonly premiseChanged: string | null;
  /** Describe calls made to re-check the plan's anchors before the deletes. */
  readonly premiseChecks: number;
  /** Throttled delete calls that were retried after a back-off. */
  readonly throttledRetries: number;
  readonly alarms: readonly RetentionAlarm[];
  readonly quota: RetentionQuota;
  readonly metrics: RetentionMetricValues;
  /** The intent record written before the first delete, naming every planned delete; null when nothing was to be deleted (or dry run). */
  readonly intent: StoredDocument | null;
  /** The run's audit record. */
  readonly audit: StoredDocument;
}

/** Progress of the apply step, kept outside it so a failure can still be audited. */
interface Progress {
  readonly deleted: string[];
  readonly alreadyGone: string[];
  readonly skipped: SkippedDelete[];
  deferred: string[];
  throttledRetries: number;
  premiseChanged: string | null;
  premiseChecks: number;
}

/**
 * Runs retention for one database in one region:
 * 1. Lists every manual snapshot of the database: all pages, tags from the list
 *    response (one call per 100 snapshots, no per-snapshot tag call).
 * 2. Reads the region's manual-snapshot quota (used and max); lists the region's databases
 *    for restore tests in progress (`dr:temporary`, `dr:source-snapshot`); in the primary
 *    region, lists the DR region's copies of the database's snapshots (their status).
 * 3. Plans. A refusal (ValidationError, RetentionSafetyError) ends the run before any
 *    delete.
 * 4. Unless dry run, deletes `plan.deletes` in plan order, one call every
 *    `1000 / deletesPerSecond` ms. Before each batch of one second's deletes it re-reads
 *    the plan's anchors (one Describe each): one gone, unavailable or no longer verified
 *    stops the deletes and defers the rest (`premiseChanged`; the next run re-plans).
 *    Not found counts as done (someone else deleted it),
 *    not available is skipped and reported, throttling backs off and retries up to
 *    {@link THROTTLE_RETRIES} times and then throws ThrottledError; when a time budget is
 *    given, stops {@link TIME_RESERVE_MS} before it and defers the rest to the next run.
 * 5. Publishes the metrics and writes one audit record for the run; when step 4 failed,
 *    both still happen (result `failed`, with what was deleted) and the error is rethrown.
 * 6. Returns the report.
 */
export async function runRetention(request: RetentionRunRequest, deps: RetentionRunDeps): Promise<RetentionRunReport> {
  const { plane } = deps;
  // 1-2.
  const snapshots = await plane.listManualSnapshots(request.database);
  const quota = await plane.manualSnapshotQuota();
  const restoreTests = deps.restores ? await restoreTestsBySnapshot(deps.restores, request.database) : new Map<string, string>();
  const copies = deps.offsite ? copiesBySource(await deps.offsite.listManualSnapshots(request.database), deps.offsite.region) : null;

  // 3.
  const now = deps.now();
  const records = snapshots.map((s) => toRecord(s, restoreTests, copies));
  const plan = planRetention(records, toPolicy(request.policyName, request.settings, quota), now);
  deps.log?.info(`retention plan: ${plan.deletes.length} delete(s), ${plan.decisions.length - plan.deletes.length} keep(s)`, {
    region: plane.region,
    dryRun: request.dryRun,
    alarms: plan.alarms,
  });
  for (const alarm of plan.alarms) deps.log?.warn(`retention alarm ${alarm.code}: ${alarm.message}`, { region: plane.region, alarm: alarm.code });

  // 4. Intent first: a record naming every snapshot about to be deleted, before the first delete,
  // so no delete is ever without a record even if the outcome record below is lost. A failed
  // write (ArchiveWriteError, retried by the workflow) stops the run before any delete.
  const intent =
    request.dryRun || plan.deletes.length === 0
      ? null
      : await writeAudit(deps.archive, {
          formatVersion: 1,
          action: 'retention.intent',
          database: request.database,
          resource: request.database,
          at: now.toISOString(),
          executionArn: request.executionArn,
          result: 'intent',
          details: {
            region: plane.region,
            policy: request.policyName,
            plannedAt: now.toISOString(),
            deletes: plan.deletes.map((id) => ({ id, reasons: plan.decisions.find((d) => d.id === id)?.reasons ?? [] })),
          },
          documents: [],
        });
  const progress: Progress = { deleted: [], alreadyGone: [], skipped: [], deferred: [], throttledRetries: 0, premiseChanged: null, premiseChecks: 0 };
  let failure: unknown = null;
  if (!request.dryRun) {
    try {
      const batch = Math.max(1, Math.ceil(request.settings.deletesPerSecond));
      await applyDeletes(plan.deletes, plan.anchors.map((a) => a.id), paceIntervalMs(request.settings.deletesPerSecond), batch, progress, deps);
    } catch (error) {
      failure = error;
    }
  }

  // 5.
  const metrics = measure(snapshots, quota, plan.decisions, progress, now);
  deps.publish(metrics);
  const report = {
    database: request.database,
    region: plane.region,
    policy: request.policyName,
    dryRun: request.dryRun,
    plannedAt: now.toISOString(),
    decisions: plan.decisions,
    planned: plan.deletes,
    deleted: progress.deleted,
    alreadyGone: progress.alreadyGone,
    skipped: progress.skipped,
    deferred: progress.deferred,
    premiseChanged: progress.premiseChanged,
    premiseChecks: progress.premiseChecks,
    throttledRetries: progress.throttledRetries,
    alarms: plan.alarms,
    quota: plan.quota,
    metrics,
    intent,
  };
  const record = (result: AuditRecord['result'], extra: Record<string, unknown>): Promise<StoredDocument> =>
    writeAudit(deps.archive, {
      formatVersion: 1,
      action: 'retention.run',
      database: request.database,
      resource: request.database,
      at: deps.now().toISOString(),
      executionArn: request.executionArn,
      result,
      details: { ...report, ...extra },
      documents: intent === null ? [] : [intent],
    });
  if (failure !== null) {
    try {
      await record('failed', { error: describeError(failure) });
    } catch (auditError) {
      // The apply error is what the state machine must see and retry on; CloudTrail still has every delete.
      deps.log?.warn('audit record of a failed retention run could not be written', { region: plane.region, auditError: describeError(auditError) });
    }
    throw failure;
  }
  const audit = await record(request.dryRun ? 'dry-run' : 'succeeded', {});

  // 6.
  return { ...report, audit };
}

/**
 * Step 4: deletes the planned ids, and only those, in order. Before each batch of `batch`
 * deletes, re-checks that every anchor still exists, is available and is still
 * `dr:verified=passed`: the plan kept nothing older than an anchor on its account, so if one
 * was deleted or re-tagged after the listing, an older snapshot may now be the newest
 * verified one, and the rules keep what the plan would delete.
 */
async function applyDeletes(
  ids: readonly string[],
  anchors: readonly string[],
  intervalMs: number,
  batch: number,
  progress: Progress,
  deps: RetentionRunDeps,
): Promise<void> {
  const { plane, log } = deps;
  for (const [index, id] of ids.entries()) {
    const remaining = deps.remainingTimeMs?.();
    if (remaining !== undefined && remaining < intervalMs + TIME_RESERVE_MS) {
      progress.deferred = ids.slice(index);
      log?.warn(`time budget nearly spent: ${progress.deferred.length} planned delete(s) left for the next run`, { region: plane.region, remainingMs: remaining });
      return;
    }
    if (index > 0) await deps.sleep(intervalMs);
    if (index % batch === 0) {
      const broken = await brokenPremise(anchors, progress, deps);
      if (broken !== null) {
        progress.premiseChanged = broken;
        progress.deferred = ids.slice(index);
        log?.warn(`plan premise changed after the listing: ${broken}; ${progress.deferred.length} planned delete(s) left for the next run, which re-plans`, { region: plane.region });
        return;
      }
    }
    const outcome = await throttled(`DeleteSnapshot ${id}`, () => plane.deleteSnapshot(id), progress, deps);
    if (outcome.ok) {
      progress.deleted.push(id);
      log?.info('snapshot deleted', { region: plane.region, snapshotId: id });
      continue;
    }
    const error = outcome.error;
    if (error instanceof SnapshotNotFoundError) {
      progress.alreadyGone.push(id);
      log?.info('snapshot already deleted by someone else: converged', { region: plane.region, snapshotId: id });
    } else if (error instanceof AccessDeniedError) {
      // IAM refused this one delete, e.g. a legal hold tagged after the listing (the retention
      // role denies deleting held snapshots): keep it, report it, go on with the others.
      progress.skipped.push({ id, reason: error.message });
      log?.warn('delete refused by IAM (a legal hold set after the listing?): kept', { region: plane.region, snapshotId: id, reason: error.message });
    } else if (error instanceof SnapshotNotAvailableError) {
      progress.skipped.push({ id, reason: error.message });
      log?.warn('snapshot not deletable in its current state: skipped, the next run retries', { region: plane.region, snapshotId: id, reason: error.message });
    } else {
      throw error;
    }
  }
}

/** Why an anchor no longer supports the plan, or null when every one still does. */
async function brokenPremise(anchors: readonly string[], progress: Progress, deps: RetentionRunDeps): Promise<string | null> {
  for (const id of anchors) {
    progress.premiseChecks += 1;
    const read = await throttled(`DescribeSnapshot ${id}`, () => deps.plane.getSnapshot(id), progress, deps);
    if (!read.ok) {
      if (read.error instanceof SnapshotNotFoundError) return `${id}, the newest verified snapshot the plan rests on, no longer exists`;
      throw read.error;
    }
    const anchor = read.value;
    if (anchor.status !== 'available') return `${id}, the newest verified snapshot the plan rests on, is ${anchor.status}, not available`;
    if (anchor.tags[RETENTION_TAGS.verified] !== 'passed' || anchor.tags[RETENTION_TAGS.managed] !== 'true') {
      return `${id}, the newest verified snapshot the plan rests on, is now ${RETENTION_TAGS.verified}=${anchor.tags[RETENTION_TAGS.verified] ?? 'absent'}, ${RETENTION_TAGS.managed}=${anchor.tags[RETENTION_TAGS.managed] ?? 'absent'}`;
    }
  }
  return null;
}

/**
 * Runs one call, backing off and retrying on throttling up to {@link THROTTLE_RETRIES} times,
 * then throwing ThrottledError; any other error is returned for the caller to classify.
 */
async function throttled<T>(label: string, fn: () => Promise<T>, progress: Progress, deps: RetentionRunDeps): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  for (let retry = 0; ; retry += 1) {
    try {
      return { ok: true, value: await fn() };
    } catch (error) {
      if (!(error instanceof ThrottledError)) return { ok: false, error };
      if (retry === THROTTLE_RETRIES) {
        throw new ThrottledError(`${label}: still throttled after ${THROTTLE_RETRIES} retries; ${progress.deleted.length} deleted so far, a re-run resumes`, { cause: error });
      }
      progress.throttledRetries += 1;
      await deps.sleep(throttleBackoffMs(retry, deps.random()));
    }
  }
}

/** The metric values after the run (before it, for a dry run). */
function measure(
  snapshots: readonly Snapshot[],
  quota: { used: number; max: number },
  decisions: readonly RetentionDecision[],
  progress: Progress,
  now: Date,
): RetentionMetricValues {
  const removed = new Set([...progress.deleted, ...progress.alreadyGone]);
  const managed = snapshots.filter((s) => s.tags[RETENTION_TAGS.managed] === 'true' && !removed.has(s.id));
  // Age of the data, not of the copy: a copy re-run today of last week's snapshot is a week old.
  const newest = managed
    .filter((s) => s.status === 'available')
    .map(dataTimeOf)
    .reduce<number | null>((max, t) => (t === null ? max : Math.max(max ?? Number.NEGATIVE_INFINITY, t.getTime())), null);
  return {
    ManagedSnapshotCount: managed.length,
    SnapshotQuotaUsedRatio: (quota.used - removed.size) / quota.max,
    LatestSnapshotAgeSeconds: newest === null ? null : Math.round((now.getTime() - newest) / 1000),
    RetentionDeletedSnapshots: progress.deleted.length,
    // Snapshots the tiers would expire that a safety rule keeps: > 0 means backups or restore tests need attention.
    RetentionSafetyHold: decisions.filter((d) => d.codes.includes('expiry-frozen') || d.codes.includes('minimum-count')).length,
  };
}

function describeError(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'unknown', message: String(error) };
}
