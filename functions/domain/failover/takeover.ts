/**
 * The takeover use cases, steps 1 to 5 of statemachines/failover.asl.json, over ports only (no AWS
 * import): take the lock (DynamoDB), confirm and pre-check (RDS, the endpoint), fence the old writer
 * (EC2), act (RDS), wait for the new writer and judge its post-check.
 *
 * What the steps guarantee together:
 * - nothing changes before the request is valid and the lock is held (a dry run only reads the lock);
 * - every changing step (fence, act) first re-asserts that this execution still holds the lock
 *   (FailoverLockLostError otherwise), and records that it started, so a retried step does not act
 *   twice;
 * - a dry run makes no changing call: it reads, probes and reports what it would do.
 *
 * The endpoint's switch and its rollback are in `switch-endpoint.ts`, the record in `record-run.ts`.
 */
import type { Topology, WriterState } from '../../ports/database-control-plane.ts';
import type { IngressRule } from '../../ports/fence.ts';
import {
  DatabaseNotAvailableError,
  FailoverLockedError,
  FenceFailedError,
  FenceUnreachableError,
  PostCheckFailedError,
  PrecheckFailedError,
  ReplicaLagTooHighError,
  WaitTimeoutError,
} from '../../shared/errors.ts';
import type { FailoverPorts, FailoverSettings } from './dependencies.ts';
import { heldRecord, lockKey, lockRefusal, lockStatus } from './lock.ts';
import {
  LAG_CHECK,
  LAG_LOOKBACK_SECONDS,
  RDS_FAILING_OVER,
  type ActResult,
  type Assessment,
  type Confirmation,
  type FailoverRequest,
  type LockResult,
  type PollResult,
  type PostCheckProbe,
  type PrecheckResult,
  type ProbeReport,
  type ReplicationLag,
} from './model.ts';
import { evaluatePrechecks, mayProceedAfterFence, newWriterReady, postCheckVerdict, primaryUnreachable, waitPlan } from './rules.ts';

// ---------------------------------------------------------------------------------------------
// 1. Lock
// ---------------------------------------------------------------------------------------------

/**
 * Takes the database's failover lock for this execution; a dry run only reads it.
 *
 * @throws FailoverLockedError while another execution holds it
 * @throws FailoverCooldownError within the cooldown after a failover that changed something
 */
export async function takeLock(ports: FailoverPorts, settings: FailoverSettings, request: FailoverRequest, owner: string): Promise<LockResult> {
  const now = ports.now();
  const key = lockKey(settings.database);
  if (request.dryRun) {
    const refusal = lockRefusal(lockStatus(await ports.lock.read(key), owner, now), settings.database);
    if (refusal) throw refusal;
    return { acquired: false, key, at: now.toISOString() };
  }
  const result = await ports.lock.acquire(heldRecord(settings.database, owner, request.mode, now, settings.leaseSeconds), now);
  if (!result.acquired) {
    // The holder changed between the condition and now (released, expired): refuse anyway, the
    // next trigger or a manual start will find it free; never act on a lock we did not get.
    const refusal = result.holder === null ? null : lockRefusal(lockStatus(result.holder, owner, now), settings.database);
    throw refusal ?? new FailoverLockedError(`the failover lock of ${settings.database} changed hands while this execution tried to take it; start again`);
  }
  return { acquired: true, key, at: now.toISOString() };
}

// ---------------------------------------------------------------------------------------------
// 2. Confirmation and pre-checks
// ---------------------------------------------------------------------------------------------

/** Reduces the confirmation probe's report to the facts the pre-checks judge. */
export function confirmationFrom(report: ProbeReport): Confirmation {
  return {
    writerHealthy: report.healthy,
    evidence: report.healthy
      ? `the writer took a heartbeat write in ${report.latencyMs ?? '?'} ms`
      : `the writer failed the probe: ${report.phase ?? 'probe'} failed: ${report.error?.name ?? 'Error'}: ${report.error?.message ?? 'no detail'}`,
    replicaAgeSeconds: report.replica?.ageSeconds ?? null,
    replicaNewestHeartbeatAt: report.replica?.newestHeartbeatAt ?? null,
  };
}

/**
 * Gathers the facts and applies {@link evaluatePrechecks}: the protected database (and, in region
 * mode, the replica) as RDS reports them, the writer record and the connection secret.
 *
 * 1. Region mode: the DR side must be configured.
 * 2. Describe the primary. In region mode a primary whose region cannot be reached
 *    ({@link primaryUnreachable}) is not a reason to stop (it is why one fails over): its checks
 *    are skipped, the writer record is matched against the configured instance's endpoint, and the
 *    result says so. In az and observe mode the primary is what we act on: any failure stops.
 * 3. Region mode: describe the replica. 4. Read the endpoint; measure the lag. 5. Judge.
 *
 * @throws ReplicaLagTooHighError when only the lag gate stops a region failover
 * @throws PrecheckFailedError when any other check fails (every failure in the message)
 */
export async function runPrechecks(ports: FailoverPorts, settings: FailoverSettings, request: FailoverRequest, confirmation: Confirmation | null): Promise<PrecheckResult> {
  const region = request.mode === 'region';
  if (region && (ports.dr === null || settings.replicaId === null)) throw new PrecheckFailedError('region mode: no DR region or cross-region replica is configured');
  let primary: WriterState | null = null;
  let unreachable: string | null = null;
  try {
    primary = await ports.primary.describeWriter(settings.database);
  } catch (error) {
    if (!region || !primaryUnreachable(error)) throw error;
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    unreachable = `${settings.database} in ${ports.primary.region} could not be described (${why}): the checks that need the primary were skipped`;
  }
  const target: WriterState | null = region && ports.dr !== null && settings.replicaId !== null ? await ports.dr.describeWriter(settings.replicaId) : primary;
  if (target === null) throw new PrecheckFailedError(`${settings.database}: not described`);
  const [record, secret] = await Promise.all([ports.dns.read(), ports.secret.read()]);
  const replicationLag = region && target.replicaSource !== null ? await measuredLag(ports, request, confirmation) : null;
  const outcome = evaluatePrechecks({
    request,
    confirmation,
    primary,
    configuredPrimary: unreachable === null ? null : { identifier: settings.database, region: ports.primary.region },
    target,
    endpoint: { record: record?.value ?? null, secretHost: secret?.host ?? null },
    replicationLag,
    maxLagSeconds: settings.maxLagSeconds,
  });
  if (outcome.blocking.length > 0) {
    const text = outcome.blocking.map((c) => `${c.name}: ${c.detail}`).join('; ');
    if (outcome.blocking.every((c) => c.name === LAG_CHECK)) throw new ReplicaLagTooHighError(`${text} (start again with force: true to accept the loss)`);
    throw new PrecheckFailedError(text);
  }
  const plan = waitPlan(request.mode, settings.topology, outcome.verdict);
  const endpoint = target.endpoint;
  if (endpoint === null && outcome.verdict !== 'false-alarm') throw new PrecheckFailedError(`${target.identifier} has no endpoint yet`);
  return {
    verdict: outcome.verdict,
    checks: outcome.checks,
    targetId: target.identifier,
    targetRegion: region ? 'dr' : 'primary',
    writerBefore: target.writer,
    alreadyPromoted: region && target.replicaSource === null,
    expect: plan.expect,
    pollSeconds: plan.pollSeconds,
    maxPolls: plan.maxPolls,
    probeTarget: region ? 'replica' : 'writer',
    recordBefore: record?.value ?? '',
    secretHostBefore: secret?.host ?? '',
    secretPortBefore: secret?.port ?? 0,
    targetHost: endpoint?.address ?? '',
    targetPort: endpoint?.port ?? 0,
    replicaNewestHeartbeatAt: confirmation?.replicaNewestHeartbeatAt ?? null,
    primaryUnreachable: unreachable,
    at: ports.now().toISOString(),
  };
}

/**
 * The replication lag the gate judges: the confirmation probe's fresh measurement while the writer
 * takes writes; else the probe's history up to now, from {@link LAG_LOOKBACK_SECONDS} before detection.
 */
async function measuredLag(ports: FailoverPorts, request: FailoverRequest, confirmation: Confirmation | null): Promise<ReplicationLag | null> {
  const now = ports.now();
  if (confirmation?.writerHealthy === true && confirmation.replicaAgeSeconds !== null) {
    return { seconds: confirmation.replicaAgeSeconds, at: now.toISOString(), source: 'confirmation' };
  }
  const sample = await ports.history?.lastHealthyLag(new Date(Date.parse(request.detectedAt) - LAG_LOOKBACK_SECONDS * 1000), now);
  return sample === undefined || sample === null ? null : { seconds: sample.lagSeconds, at: sample.at.toISOString(), source: 'history' };
}

// ---------------------------------------------------------------------------------------------
// 3. Fence (region mode)
// ---------------------------------------------------------------------------------------------

/** Output of {@link fenceOldWriter}. */
export interface FenceResult {
  /** `fenced` (also when nothing was left open), `unreachable` (went on unfenced), `refused` (forced on unfenced), `planned` (dry run). */
  readonly verdict: 'fenced' | 'unreachable' | 'refused' | 'planned';
  readonly securityGroupId: string;
  /** Inbound rules revoked (to restore when failing back), or those a dry run would revoke. */
  readonly rules: readonly IngressRule[];
  readonly detail: string;
  readonly at: string;
}

/**
 * Closes the old writer's security group to every inbound rule, where its region answers.
 *
 * @throws FenceFailedError when the region answers and refuses, unless forced
 * @throws FailoverLockLostError when the lock is no longer this execution's
 */
export async function fenceOldWriter(ports: FailoverPorts, settings: FailoverSettings, request: FailoverRequest, owner: string): Promise<FenceResult> {
  const fence = ports.fence;
  if (fence === null) throw new PrecheckFailedError('region mode: no fence (security group of the old writer) is configured');
  const result = (verdict: FenceResult['verdict'], rules: readonly IngressRule[], detail: string): FenceResult => ({
    verdict,
    securityGroupId: fence.securityGroupId,
    rules,
    detail,
    at: ports.now().toISOString(),
  });
  try {
    if (request.dryRun) {
      const rules = await fence.ingress();
      return result('planned', rules, `would revoke ${rules.length} inbound rule(s) of ${fence.securityGroupId}`);
    }
    await ports.lock.markStep(lockKey(settings.database), owner, 'fence', ports.now());
    const rules = await fence.ingress();
    const revoked = rules.length === 0 ? [] : await fence.revoke(rules.map((r) => r.ruleId));
    return result('fenced', revoked, rules.length === 0 ? `${fence.securityGroupId} has no inbound rule left` : `revoked ${revoked.length} inbound rule(s) of ${fence.securityGroupId}`);
  } catch (error) {
    if (error instanceof FenceUnreachableError) return result('unreachable', [], `${error.message}: going on unfenced; fence the old writer when its region is back (runbook)`);
    if (error instanceof FenceFailedError && mayProceedAfterFence('refused', request.force)) {
      return result('refused', [], `${error.message}: forced on unfenced; fence the old writer by hand (runbook)`);
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Act
// ---------------------------------------------------------------------------------------------

function actionName(request: FailoverRequest, topology: Topology): string {
  if (request.mode === 'region') return 'PromoteReadReplica';
  return topology === 'multi-az-cluster' ? 'FailoverDBCluster' : 'RebootDBInstance(ForceFailover)';
}

/**
 * Starts the failover in RDS: a forced Multi-AZ failover (az) or the replica's promotion (region).
 * Observing (mode observe, or RDS found already failing over) calls nothing.
 *
 * Idempotent: the lock records that `act` started; a retried step whose RDS call is refused because
 * the database is already failing over (or promoted) takes that as its own earlier call.
 */
export async function act(ports: FailoverPorts, settings: FailoverSettings, request: FailoverRequest, precheck: PrecheckResult, owner: string): Promise<ActResult> {
  const at = (): string => ports.now().toISOString();
  const action = actionName(request, settings.topology);
  if (request.mode === 'observe' || precheck.verdict === 'observe') return { action: 'none', called: false, alreadyDone: false, dryRun: request.dryRun, at: at() };
  if (request.dryRun) return { action, called: false, alreadyDone: false, dryRun: true, at: at() };
  const plane = precheck.targetRegion === 'dr' ? ports.dr : ports.primary;
  if (plane === null) throw new PrecheckFailedError('region mode: no DR region is configured');
  if (precheck.alreadyPromoted) return { action, called: false, alreadyDone: true, dryRun: false, at: at() };
  const earlier = await ports.lock.markStep(lockKey(settings.database), owner, 'act', ports.now());
  try {
    if (request.mode === 'region') await plane.promoteReadReplica(precheck.targetId);
    else await plane.forceFailover(precheck.targetId);
    return { action, called: true, alreadyDone: false, dryRun: false, at: at() };
  } catch (error) {
    if (earlier !== null && error instanceof DatabaseNotAvailableError) {
      const now = await plane.describeWriter(precheck.targetId);
      const inProgress = [...RDS_FAILING_OVER, 'modifying'].includes(now.status);
      if (inProgress || newWriterReady(precheck.expect, { ...now, writer: precheck.writerBefore }, now)) {
        return { action, called: false, alreadyDone: true, dryRun: false, at: at() };
      }
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// 5. Wait for the new writer, post-check
// ---------------------------------------------------------------------------------------------

/**
 * One bounded poll of the target.
 *
 * @throws WaitTimeoutError when the last allowed poll still finds it not ready
 */
export async function pollNewWriter(ports: FailoverPorts, precheck: PrecheckResult, attempt: number): Promise<PollResult> {
  const plane = precheck.targetRegion === 'dr' ? ports.dr : ports.primary;
  if (plane === null) throw new PrecheckFailedError('region mode: no DR region is configured');
  const now = await plane.describeWriter(precheck.targetId);
  const made = attempt + 1;
  const ready = newWriterReady(precheck.expect, { ...now, writer: precheck.writerBefore }, now);
  if (!ready && made >= precheck.maxPolls) {
    throw new WaitTimeoutError(
      `${precheck.targetId} not ready (${precheck.expect}) after ${made} polls of ${precheck.pollSeconds} s: status ${now.status}, writer ${now.writer ?? 'none'}`,
    );
  }
  return { ready, attempt: made, status: now.status, writer: now.writer, at: ports.now().toISOString() };
}

/**
 * Judges one post-check probe of the new writer (before the switch, and again through the switched
 * endpoint).
 *
 * @throws PostCheckFailedError when the last allowed attempt failed
 */
export function assessPostCheck(probe: PostCheckProbe, attempt: number, phase: 'post-check' | 'verify', now: Date): Assessment {
  const verdict = postCheckVerdict(probe, attempt);
  if (verdict.passed) return { passed: true, attempt: verdict.attempt, detail: `heartbeat committed at ${probe.heartbeatAt ?? '?'}`, at: now.toISOString() };
  if (!verdict.retry) throw new PostCheckFailedError(`${phase}: the new writer took no heartbeat write in ${verdict.attempt} attempts; last: ${verdict.detail}`);
  return { passed: false, attempt: verdict.attempt, detail: verdict.detail, at: now.toISOString() };
}
