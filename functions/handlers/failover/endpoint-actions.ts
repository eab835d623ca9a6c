/**
 * The failover λ's actions from the endpoint switch to the end of the run: switch, switch-status,
 * rollback, record, notify.
 */
import { notifyRun, recordRun } from '../../domain/failover/record-run.ts';
import { rollBackSwitch, switchEndpoint, switchStatus } from '../../domain/failover/switch-endpoint.ts';
import { readFailoverEvent } from '../../contracts/events/failover.ts';
import { logger } from '../../shared/powertools.ts';
import type { FailoverDeps } from './config.ts';
import type { FailoverInput } from './takeover-actions.ts';

/** `{ request, precheck }`: point the writer record and the connection secret at the new writer. */
async function switchTo({ event, owner, cfg }: FailoverInput, deps: FailoverDeps) {
  const { request: r, precheck: p } = readFailoverEvent('switch', event);
  const result = await switchEndpoint(deps, cfg.settings, r, p, owner);
  logger.info(`endpoint ${result.dryRun ? 'switch planned' : 'switched'}: record ${result.plan.record ? 'changed' : 'unchanged'}, secret ${result.plan.secret ? 'changed' : 'unchanged'}`, { ...result });
  return result;
}

/** `{ changeId, attempt }`: one bounded poll of the DNS change. */
async function switchStatusOf({ event }: FailoverInput, deps: FailoverDeps) {
  const { changeId, attempt } = readFailoverEvent('switch-status', event);
  return switchStatus(deps, changeId, attempt, 60);
}

/**
 * `{ request, precheck, failure }`, after a failure past the switch (`failure` names its error): restore
 * the endpoint switched by this execution (az, observe), under the lock; keep the new writer after a
 * promotion (region); skip on a lost lock.
 */
async function rollback({ event, owner, cfg }: FailoverInput, deps: FailoverDeps) {
  const { request: r, precheck: p, failure } = readFailoverEvent('rollback', event);
  const result = await rollBackSwitch(deps, cfg.settings, r, p, owner, failure);
  logger.warn(`endpoint rollback: ${result.verdict}: ${result.detail}; restored ${result.restored.join(', ') || 'nothing'}`, { plan: result.plan, found: result.found, failure });
  return result;
}

/** `{ outcome, run }`: audit record, metrics, lock release or cooldown; returns the notification. */
async function record({ event, owner, cfg }: FailoverInput, deps: FailoverDeps) {
  const { outcome, run } = readFailoverEvent('record', event);
  const record = {
    request: run.request,
    owner,
    outcome,
    locked: run.lock?.acquired === true,
    precheck: run.precheck?.Payload ?? null,
    fence: run.fence,
    act: run.act,
    postCheckedAt: run.postCheckAssess,
    switched: run.switch,
    verifiedAt: run.verifyAssess,
    rollback: run.rollback,
    error: run.error === null ? null : { name: run.error.Error, cause: causeMessage(run.error.Cause) },
    // Set by the closing step that runs when the record step's archive retries ran out.
    unrecorded: run.recordError === null ? null : { name: run.recordError.Error, cause: causeMessage(run.recordError.Cause) },
  };
  const result = await recordRun(deps, cfg.settings, record, deps.publish);
  if (result.auditError !== null) logger.error(`failover ${outcome}: the audit record could not be written (${result.auditError}); lock ${result.lock}`, { record: result.notification?.message ?? null });
  else logger.info(`failover ${outcome}; lock ${result.lock}`, { timeline: result.timeline, dataLoss: result.dataLoss, audit: result.audit?.key ?? 'already recorded' });
  return result;
}

/** `{ notification }`: publish it. A dry run's record step returns no notification: a dry run notifies no one. */
async function notify({ event }: FailoverInput, deps: FailoverDeps): Promise<{ messageId: string | null }> {
  const { notification } = readFailoverEvent('notify', event);
  if (notification === null) {
    logger.info('dry run: no notification');
    return { messageId: null };
  }
  return { messageId: await notifyRun(deps, notification) };
}

/** Step Functions passes a Lambda error's Cause as the JSON of `{ errorMessage, errorType, ... }`: keep the message. */
function causeMessage(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    return cause;
  }
}

/** The actions from the switch on, by name. */
export const ENDPOINT_ACTIONS = { switch: switchTo, 'switch-status': switchStatusOf, rollback, record, notify } as const;
