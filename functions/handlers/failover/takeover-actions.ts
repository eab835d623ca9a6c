/**
 * The failover λ's actions up to the new writer passing its post-check: validate, lock, precheck,
 * fence, act, check, assess. Each reads its fields (every problem named, nothing done on a bad one),
 * runs one use case of domain/failover/takeover.ts and logs its outcome.
 */
import type { FailoverRequest } from '../../domain/failover/model.ts';
import { parseFailoverInput } from '../../contracts/events/failover-start.ts';
import { act, assessPostCheck, confirmationFrom, fenceOldWriter, pollNewWriter, runPrechecks, takeLock } from '../../domain/failover/takeover.ts';
import { ValidationError } from '../../shared/errors.ts';
import { logger } from '../../shared/powertools.ts';
import type { FailoverConfig, FailoverDeps } from './config.ts';
import { readFailoverEvent } from '../../contracts/events/failover.ts';

/** What every action reads: the event, the lock owner (the execution) and the configuration. */
export interface FailoverInput {
  /** The event, read by the action's schema (functions/contracts/events/failover.ts). */
  readonly event: unknown;
  readonly owner: string;
  readonly cfg: FailoverConfig;
}

/** `{ input, startedAt }`: the execution's input (a manual start or an EventBridge event) to a request. */
async function validate({ event, cfg }: FailoverInput, deps: FailoverDeps): Promise<{ request: FailoverRequest }> {
  const { startedAt, input } = readFailoverEvent('validate', event);
  const { settings } = cfg;
  const parsed = parseFailoverInput(input, {
    database: settings.database,
    topology: settings.topology,
    region: cfg.databaseRegion,
    hasReplica: settings.replicaId !== null && deps.dr !== null,
    startedAt,
  });
  logger.info(`failover requested: ${parsed.mode}${parsed.dryRun ? ' (dry run)' : ''}${parsed.force ? ' (forced)' : ''}: ${parsed.reason}`, { request: parsed });
  return { request: parsed };
}

/** `{ request }`: take the lock (a dry run only checks it). */
async function lock({ event, owner, cfg }: FailoverInput, deps: FailoverDeps) {
  const { request: r } = readFailoverEvent('lock', event);
  const result = await takeLock(deps, cfg.settings, r, owner);
  logger.info(result.acquired ? 'failover lock taken' : 'dry run: the failover lock is free', { ...result });
  return result;
}

/** `{ request, confirm }`: the pre-checks on the confirmation probe's report (none in observe mode). */
async function precheck({ event, cfg }: FailoverInput, deps: FailoverDeps) {
  // `confirm` is required but in observe mode, where it is not read (the schema says so).
  const { request: r, confirm } = readFailoverEvent('precheck', event);
  const report = r.mode === 'observe' ? null : confirm;
  const result = await runPrechecks(deps, cfg.settings, r, report === null ? null : confirmationFrom(report));
  logger.info(`pre-checks: ${result.verdict}`, { checks: result.checks });
  return result;
}

/** `{ request }`: close the old writer's security group (region mode only). */
async function fence({ event, owner, cfg }: FailoverInput, deps: FailoverDeps) {
  const { request: r } = readFailoverEvent('fence', event);
  if (r.mode !== 'region') throw new ValidationError([`event.request.mode: ${JSON.stringify(r.mode)} is not region; only a region failover fences`]);
  const result = await fenceOldWriter(deps, cfg.settings, r, owner);
  logger.info(`fence: ${result.verdict}: ${result.detail}`, { rules: result.rules });
  return result;
}

/** `{ request, precheck }`: force the Multi-AZ failover, or promote the replica. */
async function actOn({ event, owner, cfg }: FailoverInput, deps: FailoverDeps) {
  const { request: r, precheck: p } = readFailoverEvent('act', event);
  const result = await act(deps, cfg.settings, r, p, owner);
  logger.info(`action ${result.action}: ${result.called ? 'called' : result.alreadyDone ? 'already done' : 'not called'}`, { ...result });
  return result;
}

/** `{ precheck, attempt }`: one bounded poll of the new writer. */
async function check({ event }: FailoverInput, deps: FailoverDeps) {
  const { precheck: p, attempt } = readFailoverEvent('check', event);
  const result = await pollNewWriter(deps, p, attempt);
  logger.info(`new writer ${result.ready ? 'ready' : 'not ready'}: ${result.status}, writer ${result.writer ?? 'none'} (poll ${result.attempt}/${p.maxPolls})`);
  return result;
}

/** `{ probe, attempt, phase }`: judge one post-check (or verify) probe. */
async function assess({ event }: FailoverInput, deps: FailoverDeps) {
  const { probe, attempt, phase } = readFailoverEvent('assess', event);
  const result = assessPostCheck(probe, attempt, phase, deps.now());
  logger.info(`${phase} ${result.passed ? 'passed' : 'failed, retrying'}: ${result.detail} (attempt ${result.attempt})`);
  return result;
}

/** The actions up to the post-check, by name. */
export const TAKEOVER_ACTIONS = { validate, lock, precheck, fence, act: actOn, check, assess } as const;
