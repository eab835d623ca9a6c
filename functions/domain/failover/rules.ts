/**
 * The rules that decide a failover: whether the writer is really down, whether the target can take
 * over, how far behind a cross-region replica may be, what a failed fence means, how long to wait
 * for the new writer and when it counts as ready.
 *
 * Pure: the facts come in (probe results, the control plane's view of the database, the endpoint's
 * current values), decisions come out. The use cases (`takeover.ts`, `switch-endpoint.ts`,
 * `record-run.ts`) gather the facts through ports; the state machine only routes on the decisions.
 */
import type { Topology, WriterState } from '../../ports/database-control-plane.ts';
import { DrError, isUnreachable, PrecheckFailedError, ThrottledError } from '../../shared/errors.ts';
import {
  LAG_CHECK,
  LAG_LOOKBACK_SECONDS,
  POST_CHECK,
  RDS_FAILING_OVER,
  type CheckResult,
  type Confirmation,
  type EndpointFacts,
  type FailoverMode,
  type FailoverRequest,
  type FenceVerdict,
  type PostCheckProbe,
  type PostCheckVerdict,
  type ReplicationLag,
  type Verdict,
  type WaitPlan,
} from './model.ts';

/** The metric dimension `FailureMode` a mode is measured under (config/types.ts FAILURE_MODES). */
export function failureModeOf(mode: FailoverMode): 'az' | 'region' {
  return mode === 'region' ? 'region' : 'az';
}

/**
 * Bounds of the wait, from RDS's documented failover times ("Failover process for Amazon RDS":
 * typically 60-120 s for a Multi-AZ instance; Multi-AZ DB clusters typically under 35 s; a read
 * replica promotion takes minutes), with room for a slow one: 15 min, 5 min and 30 min.
 */
export function waitPlan(mode: FailoverMode, topology: Topology, verdict: Verdict): WaitPlan {
  if (mode === 'region') return { expect: 'promoted', pollSeconds: 10, maxPolls: 180 };
  const cluster = topology === 'multi-az-cluster';
  const expect = mode === 'observe' || verdict === 'observe' ? 'available' : 'writer-moved';
  return { expect, pollSeconds: 5, maxPolls: cluster ? 60 : 180 };
}

/** True when the database, polled after the action, has its new writer ready to take traffic. */
export function newWriterReady(expect: WaitPlan['expect'], before: WriterState, now: WriterState): boolean {
  if (now.status !== 'available') return false;
  if (expect === 'writer-moved') return now.writer !== null && now.writer !== before.writer;
  if (expect === 'promoted') return now.replicaSource === null;
  return true;
}

/** Everything {@link evaluatePrechecks} decides on. */
export interface PrecheckFacts {
  readonly request: FailoverRequest;
  /** Null in observe mode: there is nothing to confirm, RDS failed over. */
  readonly confirmation: Confirmation | null;
  /**
   * The protected database as RDS reports it; null in region mode when its region could not be
   * reached ({@link primaryUnreachable}), and then {@link PrecheckFacts.configuredPrimary} is set.
   */
  readonly primary: WriterState | null;
  /** Region mode with the primary not described: its configured identifier and region, which the writer-record check matches the record against. */
  readonly configuredPrimary?: { readonly identifier: string; readonly region: string } | null;
  /** The cross-region replica in region mode; otherwise the primary again. */
  readonly target: WriterState;
  readonly endpoint: EndpointFacts;
  /** Region mode: the replication lag, or null when it could not be measured. */
  readonly replicationLag: ReplicationLag | null;
  /** `failover.maxLagOnFailoverSeconds`. */
  readonly maxLagSeconds: number;
}

/** Outcome of {@link evaluatePrechecks}. */
export interface PrecheckOutcome {
  readonly verdict: Verdict;
  readonly checks: readonly CheckResult[];
  /** Failed checks that stop the failover (not overridden by force); empty when it may go on. */
  readonly blocking: readonly CheckResult[];
}

/** Host names compare without case and without a trailing dot (DNS). */
export function sameHost(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  const norm = (h: string): string => h.trim().toLowerCase().replace(/\.$/, '');
  return norm(a) === norm(b);
}

/**
 * Whether a failed describe of the primary means its region's RDS API could not be reached: the
 * adapter marked it so (no HTTP response, a 5xx: adapters/sdk-errors.ts), or throttling still
 * there after the SDK's own retries (standard mode: 3 attempts with backoff). That is what a
 * region outage looks like, and the reason for a region failover, so it must not stop one. An
 * answer that refuses (the database not found, access denied, a bad parameter) is a
 * misconfiguration the operator has to see: it still fails the run, as does anything else (a bug
 * is not an outage).
 */
export function primaryUnreachable(error: unknown): boolean {
  if (error instanceof DrError) return error instanceof ThrottledError;
  return isUnreachable(error);
}

/**
 * Whether a host is the endpoint RDS gives the configured DB instance: `<identifier>.<account
 * hash>.<region>.rds.amazonaws.com` (`.com.cn` in China). Region mode exists only for the instance
 * topology, so the cluster endpoint form is not accepted.
 */
export function isConfiguredPrimaryEndpoint(host: string, identifier: string, region: string): boolean {
  const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${escape(identifier.toLowerCase())}\\.[a-z0-9]+\\.${escape(region)}\\.rds\\.amazonaws\\.com(\\.cn)?$`);
  return pattern.test(host.trim().toLowerCase().replace(/\.$/, ''));
}

/**
 * The pre-checks of a failover, in order:
 * 1. confirmation: a writer that took the confirmation probe's write is a false alarm, unless forced;
 * 2. the target exists and can take over: an available Multi-AZ instance with its standby or cluster
 *    with a reader (az), an available read replica or one already promoted by an earlier run
 *    (region), the database at all (observe). In az mode, a database RDS is already failing over
 *    is observed rather than failed over a second time;
 * 3. region: the replica's replication lag ({@link ReplicationLag}) within `maxLagOnFailover`,
 *    unless forced (unknown lag fails closed);
 * 4. the endpoint: the writer record points at the primary (az/observe; else a region failover is in
 *    effect and failing over the old primary would move traffic back to it), or at the primary or
 *    the already-promoted replica (region); the connection secret names a host. In region mode with
 *    the primary's region unreachable, "the primary" is the endpoint of the configured instance.
 *
 * @throws PrecheckFailedError when the primary is missing outside region mode (the caller's error)
 */
export function evaluatePrechecks(facts: PrecheckFacts): PrecheckOutcome {
  const { request, confirmation, target, endpoint } = facts;
  if (facts.primary === null && request.mode !== 'region') throw new PrecheckFailedError(`mode ${request.mode}: the primary must be described; only a region failover goes on without it`);
  const configured = facts.primary === null ? (facts.configuredPrimary ?? null) : null;
  // Checked above: only region mode, which does not read it before the endpoint check, may lack it.
  const primary = facts.primary as WriterState;
  const checks: CheckResult[] = [];
  let verdict: Verdict = 'proceed';

  if (request.mode !== 'observe' && confirmation !== null) {
    if (!confirmation.writerHealthy) checks.push({ name: 'writer confirmed down', passed: true, detail: confirmation.evidence });
    else if (request.force) checks.push({ name: 'writer confirmed down', passed: false, forced: true, detail: 'the writer took the confirmation write; forced' });
    else {
      checks.push({ name: 'writer confirmed down', passed: false, detail: 'the writer took the confirmation write: false alarm' });
      verdict = 'false-alarm';
    }
  }

  if (request.mode === 'az') {
    const failingOver = RDS_FAILING_OVER.includes(primary.status);
    if (failingOver && verdict === 'proceed') {
      verdict = 'observe';
      checks.push({ name: 'target available', passed: true, detail: `${primary.identifier} is ${primary.status}: RDS is already failing over; observing instead of acting` });
    } else {
      const ok = primary.status === 'available' && primary.standbys > 0;
      checks.push({
        name: 'target available',
        passed: ok,
        detail: ok
          ? `${primary.identifier} is available with ${primary.standbys} standby(s)`
          : primary.standbys === 0
            ? `${primary.identifier} has no standby to fail over to`
            : `${primary.identifier} is ${primary.status}: RDS forces a failover only from available`,
      });
    }
  } else if (request.mode === 'region') {
    const promoted = target.replicaSource === null;
    const ok = target.status === 'available';
    checks.push({
      name: 'target available',
      passed: ok,
      detail: ok
        ? promoted
          ? `${target.identifier} is available and already promoted (an earlier run acted)`
          : `${target.identifier} is an available read replica of ${target.replicaSource}`
        : `${target.identifier} is ${target.status}: RDS promotes only an available read replica`,
    });
    const lag = facts.replicationLag;
    const measured = lag === null ? '' : lag.source === 'confirmation' ? ' (measured by the confirmation probe)' : ` (measured at ${lag.at}, the last minute the writer took every probe's write)`;
    if (promoted) checks.push({ name: LAG_CHECK, passed: true, detail: 'already promoted: no replication left to measure' });
    else if (lag === null) {
      checks.push({ name: LAG_CHECK, passed: false, forced: request.force, detail: `the replica lag could not be measured: no minute in the last ${LAG_LOOKBACK_SECONDS / 60} with the writer healthy and the replica read` });
    } else if (lag.seconds > facts.maxLagSeconds) {
      checks.push({ name: LAG_CHECK, passed: false, forced: request.force, detail: `the replica was ${lag.seconds} s behind${measured}, over the ${facts.maxLagSeconds} s allowed` });
    } else checks.push({ name: LAG_CHECK, passed: true, detail: `the replica was ${lag.seconds} s behind${measured}; at most ${facts.maxLagSeconds} s allowed` });
  } else {
    checks.push({ name: 'target available', passed: true, detail: `${primary.identifier} is ${primary.status}; RDS failed over on its own` });
  }

  const primaryHost = facts.primary?.endpoint?.address ?? null;
  const targetHost = target.endpoint?.address ?? null;
  const expected = facts.primary !== null ? (primaryHost ?? '(no endpoint)') : configured !== null ? `endpoint of ${configured.identifier} in ${configured.region} (configured)` : '(not described)';
  if (endpoint.record === null) checks.push({ name: 'writer record', passed: false, detail: 'the writer record does not exist' });
  else if (sameHost(endpoint.record, primaryHost)) checks.push({ name: 'writer record', passed: true, detail: `points at the primary ${endpoint.record}` });
  else if (configured !== null && isConfiguredPrimaryEndpoint(endpoint.record, configured.identifier, configured.region)) {
    checks.push({
      name: 'writer record',
      passed: true,
      detail: `points at ${endpoint.record}, the endpoint of the configured primary ${configured.identifier} in ${configured.region} (not described: its region is unreachable)`,
    });
  } else if (request.mode === 'region' && sameHost(endpoint.record, targetHost)) checks.push({ name: 'writer record', passed: true, detail: `already points at the replica ${endpoint.record}` });
  else {
    checks.push({
      name: 'writer record',
      passed: false,
      detail: `points at ${endpoint.record}, not at the primary ${expected}: a region failover is in effect or someone changed it; fail back first`,
    });
  }
  checks.push(
    endpoint.secretHost === null
      ? { name: 'connection secret', passed: false, detail: 'the connection secret has no host field' }
      : { name: 'connection secret', passed: true, detail: `names ${endpoint.secretHost}` },
  );

  const blocking = checks.filter((c) => !c.passed && c.forced !== true && !(verdict === 'false-alarm' && c.name === 'writer confirmed down'));
  return { verdict, checks, blocking };
}

/**
 * Fencing is best effort where the old region cannot be reached (a region outage is why we fail
 * over), but a region that answers and refuses (no such security group, access denied) stops the
 * failover unless forced: a writer we could have fenced and did not is a split-brain risk.
 *
 * @returns true when the failover may go on
 */
export function mayProceedAfterFence(verdict: FenceVerdict, force: boolean): boolean {
  return verdict !== 'refused' || force;
}

/** Passed when the new writer took the heartbeat; else retry until `maxAttempts` attempts were made. */
export function postCheckVerdict(probe: PostCheckProbe, attempt: number, maxAttempts: number = POST_CHECK.maxAttempts): PostCheckVerdict {
  const made = attempt + 1;
  if (probe.healthy) return { passed: true, attempt: made };
  const detail = `${probe.phase ?? 'probe'} failed: ${probe.error?.name ?? 'Error'}: ${probe.error?.message ?? 'no detail'}`;
  return { passed: false, attempt: made, retry: made < maxAttempts, detail };
}
