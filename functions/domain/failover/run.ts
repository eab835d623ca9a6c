/**
 * The failover use cases, one per step of statemachines/failover.asl.json, over ports only (no AWS
 * import): the lock (DynamoDB), the control plane of each region (RDS), the fence (EC2), the
 * endpoint (Route 53, Secrets Manager), the notifier (SNS) and the archive (S3).
 *
 * What the steps guarantee together:
 * - nothing changes before the request is valid and the lock is held (a dry run only reads the lock);
 * - every changing step (fence, act, switch) first re-asserts that this execution still holds the
 *   lock (FailoverLockLostError otherwise), and records that it started, so a retried step does
 *   not act twice;
 * - a dry run makes no changing call: it reads, probes and reports what it would do;
 * - the switch changes only what does not already point at the new writer, and its rollback
 *   restores only what still holds the switch's value, under the lock, and only where the old
 *   writer is still the writer (az, observe): after a promotion (region) traffic never goes back
 *   to the old writer.
 */
import { createHash } from 'node:crypto';
import type { ArchiveStore, StoredDocument } from '../../ports/archive-store.ts';
import type { DatabaseControlPlane, Topology, WriterState } from '../../ports/database-control-plane.ts';
import type { ChangeStatus, ConnectionSecret, ConnectionSettings, WriterDns, WriterRecord } from '../../ports/endpoint-switch.ts';
import type { FailoverLock, LockRecord } from '../../ports/failover-lock.ts';
import type { Fence, IngressRule } from '../../ports/fence.ts';
import type { Notification, Notifier } from '../../ports/notifier.ts';
import type { ReplicationHistory } from '../../ports/replication-history.ts';
import {
  AlreadyArchivedError,
  DatabaseNotAvailableError,
  FailoverLockedError,
  FailoverLockLostError,
  FenceFailedError,
  FenceUnreachableError,
  PostCheckFailedError,
  PrecheckFailedError,
  ReplicaLagTooHighError,
  WaitTimeoutError,
} from '../../shared/errors.ts';
import { auditKey, type AuditRecord } from '../audit/records.ts';
import {
  evaluatePrechecks,
  failureModeOf,
  LAG_CHECK,
  LAG_LOOKBACK_SECONDS,
  mayProceedAfterFence,
  newWriterReady,
  postCheckVerdict,
  primaryUnreachable,
  RDS_FAILING_OVER,
  sameHost,
  waitPlan,
  type CheckResult,
  type Confirmation,
  type FailoverRequest,
  type PostCheckProbe,
  type ReplicationLag,
  type Verdict,
  type WaitPlan,
} from './rules.ts';
import { rollbackPlan, switchPlan, type EndpointValues, type RollbackPlan, type SwitchPlan } from './endpoint.ts';
import { heldRecord, lockExit, lockKey, lockRefusal, lockStatus } from './lock.ts';
import { dataLoss, failoverTimeline, type DataLoss, type Timeline } from './measure.ts';

/** The deployment's failover settings (from the function's environment). */
export interface FailoverSettings {
  readonly database: string;
  readonly topology: Topology;
  /** The cross-region read replica promoted in region mode, or null. */
  readonly replicaId: string | null;
  /** How long a held lock lasts if its execution dies without releasing it (the state machine's timeout). */
  readonly leaseSeconds: number;
  /** `failover.cooldownMinutes` in seconds. */
  readonly cooldownSeconds: number;
  /** `failover.maxLagOnFailoverSeconds`. */
  readonly maxLagSeconds: number;
  /** TTL of the writer record. */
  readonly recordTtlSeconds: number;
}

/** What the use cases act through. */
export interface FailoverPorts {
  readonly lock: FailoverLock;
  /** The control plane of the protected database's region. */
  readonly primary: DatabaseControlPlane;
  /** The DR region's, where the cross-region replica lives; null without a DR region. */
  readonly dr: DatabaseControlPlane | null;
  /** The old writer's fence; null when no region failover is possible. */
  readonly fence: Fence | null;
  readonly dns: WriterDns;
  readonly secret: ConnectionSecret;
  readonly notifier: Notifier;
  readonly archive: ArchiveStore;
  /** The writer probe's lag history; null when there is no cross-region replica. */
  readonly history: ReplicationHistory | null;
  readonly now: () => Date;
}

// ---------------------------------------------------------------------------------------------
// 1. Lock
// ---------------------------------------------------------------------------------------------

/** Output of {@link takeLock}. */
export interface LockResult {
  /** False in a dry run, which only checks the lock is free. */
  readonly acquired: boolean;
  readonly key: string;
  /** When it was taken (or checked). */
  readonly at: string;
}

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

/** The probe λ's output, as far as the failover reads it (functions/handlers/probe.ts ProbeOutput). */
export interface ProbeReport extends PostCheckProbe {
  readonly latencyMs: number | null;
  readonly replica: { readonly newestHeartbeatAt: string | null; readonly ageSeconds: number | null } | null;
}

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

/** Output of {@link runPrechecks}: the verdict and everything later steps need, flat for the state machine. */
export interface PrecheckResult {
  readonly verdict: Verdict;
  readonly checks: readonly CheckResult[];
  /** The instance or cluster acted on and polled. */
  readonly targetId: string;
  /** Which control plane holds it. */
  readonly targetRegion: 'primary' | 'dr';
  /** The writer's location before acting (AZ or writer member), compared by the wait. */
  readonly writerBefore: string | null;
  /** Region mode: the replica was already promoted (an earlier run acted). */
  readonly alreadyPromoted: boolean;
  readonly expect: WaitPlan['expect'];
  readonly pollSeconds: number;
  readonly maxPolls: number;
  /** Which endpoint of the probe λ is the new writer. */
  readonly probeTarget: 'writer' | 'replica';
  /** The endpoint before any change (what a rollback restores). */
  readonly recordBefore: string;
  readonly secretHostBefore: string;
  readonly secretPortBefore: number;
  /** The new writer's endpoint. */
  readonly targetHost: string;
  readonly targetPort: number;
  /** The confirmation's replica heartbeat (region data loss), or null. */
  readonly replicaNewestHeartbeatAt: string | null;
  /** Region mode: why the primary could not be described (its region unreachable), or null when it was. */
  readonly primaryUnreachable: string | null;
  readonly at: string;
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

/** Output of {@link act}. */
export interface ActResult {
  /** `RebootDBInstance(ForceFailover)`, `FailoverDBCluster`, `PromoteReadReplica`, or `none` (observing). */
  readonly action: string;
  /** Whether this step called RDS (false in a dry run, when observing, or on a retry that found it done). */
  readonly called: boolean;
  /** A retry (or an earlier run) had already acted. */
  readonly alreadyDone: boolean;
  readonly dryRun: boolean;
  readonly at: string;
}

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

/** Output of {@link pollNewWriter}. */
export interface PollResult {
  readonly ready: boolean;
  /** Polls made so far. */
  readonly attempt: number;
  readonly status: string;
  readonly writer: string | null;
  readonly at: string;
}

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

/** Output of {@link assessPostCheck}. */
export interface Assessment {
  readonly passed: boolean;
  readonly attempt: number;
  readonly detail: string;
  readonly at: string;
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

// ---------------------------------------------------------------------------------------------
// 6. Switch the endpoint, and roll it back
// ---------------------------------------------------------------------------------------------

/** Output of {@link switchEndpoint}. */
export interface SwitchResult {
  readonly plan: SwitchPlan;
  /** The DNS change to follow until INSYNC, or null when the record did not change. */
  readonly changeId: string | null;
  readonly targetHost: string;
  readonly dryRun: boolean;
  readonly at: string;
}

/** A deterministic idempotency token (Secrets Manager ClientRequestToken: 32-64 characters). */
export function requestToken(owner: string, step: string): string {
  const hex = createHash('sha256').update(`${owner}#${step}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Points the writer record and the connection secret at the new writer, each only if it does not
 * already: the record first (what applications resolve), then the secret.
 */
export async function switchEndpoint(ports: FailoverPorts, settings: FailoverSettings, request: FailoverRequest, precheck: PrecheckResult, owner: string): Promise<SwitchResult> {
  const plan = switchPlan({ record: precheck.recordBefore, secretHost: precheck.secretHostBefore }, precheck.targetHost);
  const result = (changeId: string | null): SwitchResult => ({ plan, changeId, targetHost: precheck.targetHost, dryRun: request.dryRun, at: ports.now().toISOString() });
  if (request.dryRun || (!plan.record && !plan.secret)) return result(null);
  await ports.lock.markStep(lockKey(settings.database), owner, 'switch', ports.now());
  let changeId: string | null = null;
  if (plan.record) changeId = await ports.dns.upsert(precheck.targetHost, settings.recordTtlSeconds, `${request.mode} failover by ${owner}`);
  if (plan.secret) await ports.secret.write({ host: precheck.targetHost, port: precheck.targetPort }, requestToken(owner, 'switch'));
  return result(changeId);
}

/** Output of {@link switchStatus}. */
export interface SwitchStatus {
  readonly insync: boolean;
  readonly attempt: number;
  readonly at: string;
}

/**
 * One bounded poll of the DNS change.
 *
 * @throws WaitTimeoutError when the last allowed poll still finds it PENDING
 */
export async function switchStatus(ports: FailoverPorts, changeId: string | null, attempt: number, maxAttempts: number): Promise<SwitchStatus> {
  const status: ChangeStatus = changeId === null ? 'INSYNC' : await ports.dns.changeStatus(changeId);
  const made = attempt + 1;
  if (status !== 'INSYNC' && made >= maxAttempts) throw new WaitTimeoutError(`DNS change ${changeId ?? ''} still ${status} after ${made} polls`);
  return { insync: status === 'INSYNC', attempt: made, at: ports.now().toISOString() };
}

/** Output of {@link rollBackSwitch}. */
export interface RollbackResult {
  /**
   * `rolled-back`: az or observe, restored where the switch's value still holds; `kept-new-writer`:
   * region, the replica was promoted, nothing is pointed back at the old writer; `skipped`: this
   * execution no longer holds the lock, nothing is written.
   */
  readonly verdict: 'rolled-back' | 'kept-new-writer' | 'skipped';
  /** What was judged per place (`rolled-back` only). */
  readonly plan: RollbackPlan | null;
  /** Places restored to their value before the switch. */
  readonly restored: readonly ('record' | 'secret')[];
  /** The endpoint as this step found it, or null when it did not read it. */
  readonly found: EndpointValues | null;
  readonly detail: string;
  readonly at: string;
}

/**
 * Handles a failure after the switch (the switch itself, the DNS wait, the verification).
 *
 * 1. The failure is FailoverLockLostError: another execution may be acting; write nothing.
 * 2. Region mode: the switch runs only after the promotion was requested, so the replica is (or is
 *    becoming) a writer of its own. Pointing traffic back at the old writer would be an outage if it
 *    was fenced, and split-brain if it was not and its region returns: keep the endpoint as it is
 *    and report it; the notification says the old writer must stay fenced and out of service.
 * 3. Otherwise (az, observe: the old and the new writer are one RDS endpoint) re-assert the lock
 *    (mark `rollback`; FailoverLockLostError skips as in 1), then restore each place still holding
 *    the switch's value to its value before the switch.
 *
 * Neither the promotion nor the fence is undone: a promoted replica cannot be demoted, and opening
 * the old writer again is a decision for an operator (runbook, "Fail back").
 *
 * @param failure the name of the error that led here, or null
 */
export async function rollBackSwitch(
  ports: FailoverPorts,
  settings: FailoverSettings,
  request: FailoverRequest,
  precheck: PrecheckResult,
  owner: string,
  failure: string | null,
): Promise<RollbackResult> {
  const at = (): string => ports.now().toISOString();
  const skipped = (why: string): RollbackResult => ({ verdict: 'skipped', plan: null, restored: [], found: null, detail: `${why}; the endpoint is left as it is`, at: at() });
  // The literal, not FailoverLockLostError.name: the bundles are minified and rename classes.
  if (failure === 'FailoverLockLostError') return skipped('the run lost its failover lock (another execution may be acting): not rolling back');
  const read = async (): Promise<{ record: WriterRecord | null; found: EndpointValues }> => {
    const [record, secret] = await Promise.all([ports.dns.read(), ports.secret.read()]);
    return { record, found: { record: record?.value ?? null, secretHost: secret?.host ?? null } };
  };
  if (request.mode === 'region') {
    const { found } = await read();
    return {
      verdict: 'kept-new-writer',
      plan: null,
      restored: [],
      found,
      detail: `${precheck.targetId} was promoted: traffic is not pointed back at the old writer ${settings.database}, which must stay fenced and out of service`,
      at: at(),
    };
  }
  try {
    await ports.lock.markStep(lockKey(settings.database), owner, 'rollback', ports.now());
  } catch (error) {
    if (error instanceof FailoverLockLostError) return skipped(error.message);
    throw error;
  }
  const { record, found } = await read();
  const plan = rollbackPlan({ record: precheck.recordBefore, secretHost: precheck.secretHostBefore }, precheck.targetHost, found);
  const restored: ('record' | 'secret')[] = [];
  if (plan.record === 'restore') {
    await ports.dns.upsert(precheck.recordBefore, record?.ttlSeconds ?? settings.recordTtlSeconds, `rollback of the failover by ${owner}`);
    restored.push('record');
  }
  if (plan.secret === 'restore') {
    const before: ConnectionSettings = { host: precheck.secretHostBefore, port: precheck.secretPortBefore };
    await ports.secret.write(before, requestToken(owner, 'rollback'));
    restored.push('secret');
  }
  return { verdict: 'rolled-back', plan, restored, found, detail: `record ${plan.record}, secret ${plan.secret}`, at: at() };
}

// ---------------------------------------------------------------------------------------------
// 7. Record and notify
// ---------------------------------------------------------------------------------------------

/** How a run ended. */
export type RunOutcome = 'succeeded' | 'failed' | 'false-alarm' | 'dry-run';

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
