/**
 * The closing use cases, step 7 of statemachines/failover.asl.json: record a run (the audit record
 * in the archive, the measured metrics, the lock's release or cooldown) and notify (SNS).
 */
import type { StoredDocument } from '../../ports/archive-store.ts';
import type { LockRecord } from '../../ports/failover-lock.ts';
import type { Notification } from '../../ports/notifier.ts';
import { AlreadyArchivedError } from '../../shared/errors.ts';
import { auditKey, type AuditRecord } from '../audit/records.ts';
import type { FailoverPorts, FailoverSettings } from './dependencies.ts';
import { lockExit, lockKey } from './lock.ts';
import { dataLoss, failoverTimeline, type DataLoss, type Timeline } from './measure.ts';
import type { ActResult, FailoverRequest, PrecheckResult, RollbackResult, RunOutcome, SwitchResult } from './model.ts';
import { failureModeOf, sameHost } from './rules.ts';
import { requestToken } from './switch-endpoint.ts';
import type { FenceResult } from './takeover.ts';

/** A run as the record step reads it from the state machine's state. */
export interface RunRecord {
  readonly request: FailoverRequest;
  readonly owner: string;
  readonly outcome: RunOutcome;
  /** Whether the lock was taken (not in a dry run, nor before it was taken). */
  readonly locked: boolean;
  readonly precheck: PrecheckResult | null;
  readonly fence: FenceResult | null;
  readonly act: ActResult | null;
  /** When the new writer passed its post-check. */
  readonly postCheckedAt: string | null;
  readonly switched: SwitchResult | null;
  /** When the new writer passed again through the switched endpoint. */
  readonly verifiedAt: string | null;
  readonly rollback: RollbackResult | null;
  /** The error that failed the run: its name and message. */
  readonly error: { readonly name: string; readonly cause: string } | null;
  /**
   * Set when the audit record could not be written (the archive's retries ran out): this closing
   * step then skips the archive and still measures, exits the lock and carries the record in the
   * notification. Absent (or null) on the normal record step.
   */
  readonly unrecorded?: { readonly name: string; readonly cause: string } | null;
}

/** Output of {@link recordRun}. */
export interface RecordResult {
  readonly outcome: RunOutcome;
  readonly mode: FailoverRequest['mode'];
  readonly timeline: Timeline;
  readonly dataLoss: DataLoss;
  /** Whether anything was changed (decides the cooldown). */
  readonly changed: boolean;
  readonly lock: 'released' | 'cooldown' | 'not held';
  /** Null when a retry found the record already written (its metrics were published then), or when it could not be written. */
  readonly audit: StoredDocument | null;
  /** Why the audit record could not be written (the notification carries the record instead); null when it was. */
  readonly auditError: string | null;
  /** What to page; null for a dry run, which notifies no one whatever its outcome (docs/failover.md). */
  readonly notification: Notification | null;
}

/**
 * Errors of the act step by which RDS (or the lock) refused the action: nothing was changed. Any other
 * failure of a step that started (a timeout, a lost response) may have changed the database.
 */
const ACT_REFUSALS: ReadonlySet<string> = new Set(['DatabaseNotAvailableError', 'DatabaseNotFoundError', 'FailoverLockLostError', 'PrecheckFailedError', 'AccessDeniedError']);

/**
 * When the lock records that this run started `act` but the run has no act result (the step timed
 * out or its answer was lost after RDS may have accepted the call), the start time: the database
 * must be taken as failed over. Null otherwise, and when RDS refused the call by name.
 */
export function actOutcomeUnknown(run: RunRecord, lock: LockRecord | null): string | null {
  if (run.act !== null || lock === null || lock.owner !== run.owner) return null;
  const started = lock.steps?.['act'];
  if (started === undefined) return null;
  return run.error !== null && ACT_REFUSALS.has(run.error.name) ? null : started;
}

const AUDIT_RESULT: Record<RunOutcome, AuditRecord['result']> = { succeeded: 'succeeded', failed: 'failed', 'false-alarm': 'skipped', 'dry-run': 'dry-run' };

/** Whether a run changed anything: a revoked rule, an RDS call, a switched or restored endpoint. */
export function runChanged(run: RunRecord): boolean {
  const fenced = run.fence?.verdict === 'fenced' && run.fence.rules.length > 0;
  const acted = run.act?.called === true || run.act?.alreadyDone === true;
  const switched = run.switched !== null && !run.switched.dryRun && (run.switched.plan.record || run.switched.plan.secret);
  return fenced || acted || switched || (run.rollback?.restored.length ?? 0) > 0;
}

function duration(totalSeconds: number | null): string {
  if (totalSeconds === null) return 'n/a';
  const s = Math.round(totalSeconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

const ROLLBACK_SUBJECT: Record<RollbackResult['verdict'], string> = {
  'rolled-back': ' (switch rolled back)',
  'kept-new-writer': ' (new writer kept)',
  skipped: ' (lock lost: not rolled back)',
};

/**
 * What a failed region run leaves once the promotion was requested: the replica is the only
 * writer, the old one must stay out of service (fenced, or to be fenced when its region is back),
 * and where the endpoint points. Empty for any other run.
 */
function promotedState(database: string, run: RunRecord): string[] {
  const promoted = run.request.mode === 'region' && (run.act?.called === true || run.act?.alreadyDone === true);
  if (!promoted || run.precheck === null) return [];
  const target = run.precheck.targetHost;
  const old =
    run.fence?.verdict === 'fenced'
      ? `The old writer ${database} is fenced: it must stay fenced and out of service; never point traffic back at it.`
      : `The old writer ${database} is NOT fenced (${run.fence?.verdict ?? 'unknown'}): fence or stop it before its region comes back, and keep it out of service; never point traffic back at it.`;
  const lines = [`State: ${run.precheck.targetId} was promoted and is the only writer. ${old}`];
  const found = run.rollback?.found ?? null;
  if (found === null) lines.push(`Endpoint: not switched by this run: switch the record and the secret to ${target} once it takes writes (runbook, "Switch by hand").`);
  else if (sameHost(found.record, target) && sameHost(found.secretHost, target)) lines.push(`Endpoint now: record ${found.record ?? '-'}, secret ${found.secretHost ?? '-'} (the new writer).`);
  else lines.push(`Endpoint now: record ${found.record ?? '-'}, secret ${found.secretHost ?? '-'}: point both at ${target} (runbook, "Switch by hand"), never back at the old writer.`);
  return lines;
}

/** The notification of a run: a subject of at most 100 characters and a plain-text body. */
export function runNotification(database: string, run: RunRecord, timeline: Timeline, loss: DataLoss, actStartedAt: string | null = null): Notification {
  const mode = run.request.mode;
  const subjects: Record<RunOutcome, string> = {
    succeeded: `[${database}] ${mode} failover succeeded: writer back in ${duration(timeline.detectionToPostCheckSeconds)}`,
    failed: `[${database}] ${mode} failover FAILED: ${run.error?.name ?? 'error'}${run.rollback === null ? '' : ROLLBACK_SUBJECT[run.rollback.verdict]}`,
    'false-alarm': `[${database}] no failover: the writer answered (false alarm)`,
    'dry-run': `[${database}] ${mode} failover dry run: ${run.precheck?.verdict ?? 'checked'}`,
  };
  const lines = [
    `Database: ${database}`,
    `Mode: ${mode}${run.request.dryRun ? ' (dry run)' : ''}${run.request.force ? ' (forced)' : ''}`,
    `Outcome: ${run.outcome}`,
    `Reason: ${run.request.reason}`,
    `Trigger: ${run.request.trigger.source}${run.request.trigger.id === null ? '' : ` ${run.request.trigger.id}`}, detected ${run.request.detectedAt}`,
    `Execution: ${run.owner}`,
  ];
  if (run.error !== null) lines.push(`Error: ${run.error.name}: ${run.error.cause}`);
  if (run.outcome === 'failed') lines.push(...promotedState(database, run));
  if (run.precheck?.primaryUnreachable) lines.push(`Primary: unreachable: ${run.precheck.primaryUnreachable}`);
  for (const check of run.precheck?.checks ?? []) lines.push(`Check ${check.passed ? 'passed' : check.forced === true ? 'forced' : 'failed'}: ${check.name}: ${check.detail}`);
  if (run.fence !== null) lines.push(`Fence: ${run.fence.verdict}: ${run.fence.detail}`);
  if (run.act !== null) lines.push(`Action: ${run.act.action}${run.act.called ? '' : run.act.alreadyDone ? ' (already done)' : ' (not called)'}`);
  if (actStartedAt !== null) lines.push(`Action: started at ${actStartedAt}, its answer was lost: the database may have failed over (cooldown kept).`);
  if (run.switched !== null) lines.push(`Endpoint: ${run.switched.plan.record || run.switched.plan.secret ? `switched to ${run.switched.targetHost}` : `unchanged (${run.switched.targetHost})`}`);
  if (run.rollback !== null) {
    const restored = run.rollback.verdict === 'rolled-back' ? `; restored ${run.rollback.restored.join(', ') || 'nothing'}` : '';
    lines.push(`Rollback: ${run.rollback.verdict}: ${run.rollback.detail}${restored}`);
  }
  lines.push(
    `Timeline (s): trigger ${timeline.triggerSeconds}, confirmation ${timeline.confirmationSeconds ?? '-'}, action ${timeline.actionSeconds ?? '-'}, wait ${timeline.waitSeconds ?? '-'}, switch ${timeline.switchSeconds ?? '-'}; detection to post-check ${timeline.detectionToPostCheckSeconds ?? '-'}`,
  );
  lines.push(`Data loss: ${loss.seconds === null ? 'n/a' : `${loss.seconds} s`} (${loss.basis})`);
  if (run.outcome === 'failed') lines.push('Next: docs/runbook.md#failover, "A run stopped".');
  const subject = subjects[run.outcome].replace(/[^\x20-\x7e]/g, '?');
  return { subject: subject.length <= 100 ? subject : `${subject.slice(0, 99)}~`, message: lines.join('\n') };
}

/**
 * Records a run: the audit record (one per execution and outcome, so a retried step finds it and
 * publishes nothing twice), the measured metrics of a successful failover, and the lock's exit
 * (a cooldown after a run that changed something, else a release).
 *
 * @param publish adds one metric value (FailoverDurationSeconds, FailoverDataLossSeconds)
 */
export async function recordRun(
  ports: FailoverPorts,
  settings: FailoverSettings,
  run: RunRecord,
  publish: (name: 'FailoverDurationSeconds' | 'FailoverDataLossSeconds', value: number, failureMode: 'az' | 'region') => void,
): Promise<RecordResult> {
  const now = ports.now();
  // The lock item says which changing steps this run started, whatever their answers were.
  const lockRecord = run.locked ? await ports.lock.read(lockKey(settings.database)) : null;
  const actStartedAt = actOutcomeUnknown(run, lockRecord);
  const acted = run.act !== null && (run.act.called || run.act.alreadyDone) ? run.act.at : null;
  const timeline = failoverTimeline({
    detectedAt: run.request.detectedAt,
    startedAt: run.request.startedAt,
    confirmedAt: run.precheck?.at ?? null,
    actedAt: acted,
    postCheckedAt: run.postCheckedAt,
    switchedAt: run.verifiedAt,
  });
  const fencedAt = run.fence?.verdict === 'fenced' ? run.fence.at : null;
  const loss = dataLoss(run.request.mode, run.precheck?.replicaNewestHeartbeatAt ?? null, fencedAt ?? acted, fencedAt !== null ? 'fence' : 'promotion');
  const changed = runChanged(run) || actStartedAt !== null;
  const target = run.precheck?.targetId ?? settings.database;
  const record: AuditRecord = {
    formatVersion: 1,
    action: `failover.${run.request.mode}`,
    database: settings.database,
    resource: target,
    at: now.toISOString(),
    executionArn: run.owner,
    result: AUDIT_RESULT[run.outcome],
    details: {
      request: run.request,
      changed,
      timeline,
      dataLoss: loss,
      checks: run.precheck?.checks ?? [],
      fence: run.fence,
      act: run.act,
      ...(actStartedAt === null ? {} : { actStartedAt, actOutcome: 'unknown' }),
      switch: run.switched,
      rollback: run.rollback,
      primaryUnreachable: run.precheck?.primaryUnreachable ?? null,
      error: run.error,
    },
    documents: [],
  };
  const unrecorded = run.unrecorded ?? null;
  let audit: StoredDocument | null = null;
  if (unrecorded === null) {
    // One key per execution and outcome, whatever time the record step runs at. The write comes
    // first: when S3 does not confirm it (ArchiveWriteError) the step is retried from here, and
    // when the retries run out the workflow closes the run without it (`unrecorded`).
    const key = auditKey({ ...record, at: run.request.startedAt }, requestToken(run.owner, run.outcome));
    try {
      audit = await ports.archive.put(key, `${JSON.stringify(record, null, 2)}\n`, 'application/json');
    } catch (error) {
      if (!(error instanceof AlreadyArchivedError)) throw error;
    }
  }
  // Measured once: by the step that wrote the record, or by the closing step when none could be written.
  if ((audit !== null || unrecorded !== null) && run.outcome === 'succeeded') {
    const failureMode = failureModeOf(run.request.mode);
    if (timeline.detectionToPostCheckSeconds !== null) publish('FailoverDurationSeconds', timeline.detectionToPostCheckSeconds, failureMode);
    if (loss.seconds !== null) publish('FailoverDataLossSeconds', loss.seconds, failureMode);
  }
  let lock: RecordResult['lock'] = 'not held';
  if (run.locked) {
    // A failover that happened (forced, or RDS's own, observed) is followed by a cooldown too.
    const exit = lockExit(changed || run.outcome === 'succeeded', settings.cooldownSeconds, now);
    const key = lockKey(settings.database);
    if (exit.kind === 'cooldown') lock = (await ports.lock.cooldown(key, run.owner, exit.until)) ? 'cooldown' : 'not held';
    else lock = (await ports.lock.release(key, run.owner)) ? 'released' : 'not held';
  }
  const notification = runNotification(settings.database, run, timeline, loss, actStartedAt);
  const auditError = unrecorded === null ? null : `${unrecorded.name}: ${unrecorded.cause}`;
  return {
    outcome: run.outcome,
    mode: run.request.mode,
    timeline,
    dataLoss: loss,
    changed,
    lock,
    audit,
    auditError,
    // Without an archived record, the page carries it: the on-call's mail is then its only copy.
    notification: run.request.dryRun ? null : auditError === null ? notification : { subject: notification.subject, message: `${notification.message}\nAudit record: NOT ARCHIVED (${auditError}); the record follows.\n${JSON.stringify(record)}` },
  };
}

/** Publishes a run's notification; returns the message id. */
export async function notifyRun(ports: FailoverPorts, notification: Notification): Promise<string> {
  return ports.notifier.notify(notification);
}
