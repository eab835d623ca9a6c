/**
 * The failover λ's actions from the endpoint switch to the end of the run: switch, switch-status,
 * rollback, record, notify.
 */
import type { RunOutcome } from '../../domain/failover/model.ts';
import { notifyRun, recordRun } from '../../domain/failover/record-run.ts';
import { rollBackSwitch, switchEndpoint, switchStatus } from '../../domain/failover/switch-endpoint.ts';
import { logger } from '../../shared/powertools.ts';
import type { FailoverDeps } from './config.ts';
import { causeMessage, precheckOf, readRun, requestOf, type StateReader } from './readers.ts';
import type { FailoverInput } from './takeover-actions.ts';

const OUTCOMES: readonly RunOutcome[] = ['succeeded', 'failed', 'false-alarm', 'dry-run'];

/** `{ request, precheck }`: point the writer record and the connection secret at the new writer. */
async function switchTo({ event, owner, cfg }: FailoverInput, deps: FailoverDeps) {
  const r = requestOf(event);
  const p = precheckOf(event);
  event.done();
  const result = await switchEndpoint(deps, cfg.settings, r, p, owner);
  logger.info(`endpoint ${result.dryRun ? 'switch planned' : 'switched'}: record ${result.plan.record ? 'changed' : 'unchanged'}, secret ${result.plan.secret ? 'changed' : 'unchanged'}`, { ...result });
  return result;
}

/** `{ changeId, attempt }`: one bounded poll of the DNS change. */
async function switchStatusOf({ event }: FailoverInput, deps: FailoverDeps) {
  const changeId = event.textOrNull('changeId');
  const attempt = event.integer('attempt', 0, 100_000);
  event.done();
  return switchStatus(deps, changeId, attempt, 60);
}

/**
 * `{ request, precheck, failure }`, after a failure past the switch (`failure` names its error): restore
 * the endpoint switched by this execution (az, observe), under the lock; keep the new writer after a
 * promotion (region); skip on a lost lock.
 */
async function rollback({ event, owner, cfg }: FailoverInput, deps: FailoverDeps) {
  const r = requestOf(event);
  const p = precheckOf(event);
  const failure = event.textOrNull('failure');
  event.done();
  const result = await rollBackSwitch(deps, cfg.settings, r, p, owner, failure);
  logger.warn(`endpoint rollback: ${result.verdict}: ${result.detail}; restored ${result.restored.join(', ') || 'nothing'}`, { plan: result.plan, found: result.found, failure });
  return result;
}

/** `{ outcome, run }`: audit record, metrics, lock release or cooldown; returns the notification. */
async function record({ event, owner, cfg }: FailoverInput, deps: FailoverDeps) {
  const outcome = event.oneOf('outcome', OUTCOMES);
  const state = event.childOf('run', true);
  event.done();
  const run = readRun(state as StateReader, owner, outcome);
  // Set by the closing step that runs when the record step's archive retries ran out.
  const lost = (state as StateReader).childOf('recordError', false);
  event.done();
  const unrecorded = lost === null ? null : { name: lost.string('Error'), cause: causeMessage(typeof lost.rawValue('Cause') === 'string' ? (lost.rawValue('Cause') as string) : '') };
  event.done();
  const result = await recordRun(deps, cfg.settings, { ...run, error: run.error === null ? null : { name: run.error.name, cause: causeMessage(run.error.cause) }, unrecorded }, deps.publish);
  if (result.auditError !== null) logger.error(`failover ${outcome}: the audit record could not be written (${result.auditError}); lock ${result.lock}`, { record: result.notification?.message ?? null });
  else logger.info(`failover ${outcome}; lock ${result.lock}`, { timeline: result.timeline, dataLoss: result.dataLoss, audit: result.audit?.key ?? 'already recorded' });
  return result;
}

/** `{ notification }`: publish it. A dry run's record step returns no notification: a dry run notifies no one. */
async function notify({ event }: FailoverInput, deps: FailoverDeps): Promise<{ messageId: string | null }> {
  if (event.rawValue('notification') === null) {
    event.done();
    logger.info('dry run: no notification');
    return { messageId: null };
  }
  const n = event.childOf('notification', true);
  const subject = n?.string('subject') ?? '';
  const message = n?.string('message') ?? '';
  event.done();
  return { messageId: await notifyRun(deps, { subject, message }) };
}

/** The actions from the switch on, by name. */
export const ENDPOINT_ACTIONS = { switch: switchTo, 'switch-status': switchStatusOf, rollback, record, notify } as const;
