/**
 * The failover λ's actions up to the new writer passing its post-check: validate, lock, precheck,
 * fence, act, check, assess. Each reads its fields (every problem named, nothing done on a bad one),
 * runs one use case of domain/failover/takeover.ts and logs its outcome.
 */
import type { FailoverRequest, ProbeReport } from '../../domain/failover/model.ts';
import { parseFailoverInput } from '../../domain/failover/request.ts';
import { act, assessPostCheck, confirmationFrom, fenceOldWriter, pollNewWriter, runPrechecks, takeLock } from '../../domain/failover/takeover.ts';
import { ValidationError } from '../../shared/errors.ts';
import { logger } from '../../shared/powertools.ts';
import type { FailoverConfig, FailoverDeps } from './config.ts';
import { precheckOf, readProbe, requestOf, type StateReader } from './readers.ts';

/** What every action reads: the event, the lock owner (the execution) and the configuration. */
export interface FailoverInput {
  readonly event: StateReader;
  readonly owner: string;
  readonly cfg: FailoverConfig;
}

/** `{ input, startedAt }`: the execution's input (a manual start or an EventBridge event) to a request. */
async function validate({ event, cfg }: FailoverInput, deps: FailoverDeps): Promise<{ request: FailoverRequest }> {
  const startedAt = event.instant('startedAt');
  event.done();
  const { settings } = cfg;
  const parsed = parseFailoverInput(event.rawValue('input'), {
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
  const r = requestOf(event);
  event.done();
  const result = await takeLock(deps, cfg.settings, r, owner);
  logger.info(result.acquired ? 'failover lock taken' : 'dry run: the failover lock is free', { ...result });
  return result;
}

/** `{ request, confirm }`: the pre-checks on the confirmation probe's report (none in observe mode). */
async function precheck({ event, cfg }: FailoverInput, deps: FailoverDeps) {
  const r = requestOf(event);
  const confirm = event.childOf('confirm', false);
  if (r.mode !== 'observe' && confirm === null) event.problems.push(`event.confirm: required in mode ${r.mode}, the confirmation probe's output`);
  const report = r.mode === 'observe' || confirm === null ? null : readProbe(confirm);
  event.done();
  const result = await runPrechecks(deps, cfg.settings, r, report === null ? null : confirmationFrom(report));
  logger.info(`pre-checks: ${result.verdict}`, { checks: result.checks });
  return result;
}

/** `{ request }`: close the old writer's security group (region mode only). */
async function fence({ event, owner, cfg }: FailoverInput, deps: FailoverDeps) {
  const r = requestOf(event);
  event.done();
  if (r.mode !== 'region') throw new ValidationError([`event.request.mode: ${JSON.stringify(r.mode)} is not region; only a region failover fences`]);
  const result = await fenceOldWriter(deps, cfg.settings, r, owner);
  logger.info(`fence: ${result.verdict}: ${result.detail}`, { rules: result.rules });
  return result;
}

/** `{ request, precheck }`: force the Multi-AZ failover, or promote the replica. */
async function actOn({ event, owner, cfg }: FailoverInput, deps: FailoverDeps) {
  const r = requestOf(event);
  const p = precheckOf(event);
  event.done();
  const result = await act(deps, cfg.settings, r, p, owner);
  logger.info(`action ${result.action}: ${result.called ? 'called' : result.alreadyDone ? 'already done' : 'not called'}`, { ...result });
  return result;
}

/** `{ precheck, attempt }`: one bounded poll of the new writer. */
async function check({ event }: FailoverInput, deps: FailoverDeps) {
  const p = precheckOf(event);
  const attempt = event.integer('attempt', 0, 100_000);
  event.done();
  const result = await pollNewWriter(deps, p, attempt);
  logger.info(`new writer ${result.ready ? 'ready' : 'not ready'}: ${result.status}, writer ${result.writer ?? 'none'} (poll ${result.attempt}/${p.maxPolls})`);
  return result;
}

/** `{ probe, attempt, phase }`: judge one post-check (or verify) probe. */
async function assess({ event }: FailoverInput, deps: FailoverDeps) {
  const p = event.childOf('probe', true);
  const probe = p === null ? ({ healthy: false } as ProbeReport) : readProbe(p);
  const attempt = event.integer('attempt', 0, 1000);
  const phase = event.oneOf('phase', ['post-check', 'verify'] as const);
  event.done();
  const result = assessPostCheck(probe, attempt, phase, deps.now());
  logger.info(`${phase} ${result.passed ? 'passed' : 'failed, retrying'}: ${result.detail} (attempt ${result.attempt})`);
  return result;
}

/** The actions up to the post-check, by name. */
export const TAKEOVER_ACTIONS = { validate, lock, precheck, fence, act: actOn, check, assess } as const;
