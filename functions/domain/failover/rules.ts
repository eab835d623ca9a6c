/**
 * The failover request and the rules that decide a failover: what starts one, whether the writer
 * is really down, whether the target can take over, how far behind a cross-region replica may be,
 * and when the new writer counts as ready.
 *
 * Pure: the facts come in (probe results, the control plane's view of the database, the endpoint's
 * current values), decisions come out. The use cases in `failover-run.ts` gather the facts through
 * ports; the state machine only routes on the decisions.
 */
import type { Topology, WriterState } from '../../ports/database-control-plane.ts';
import { DrError, isUnreachable, PrecheckFailedError, ThrottledError, ValidationError } from '../../shared/errors.ts';
import { EventReader } from '../../shared/validate.ts';

/** How the workflow recovers: force a Multi-AZ failover, promote the cross-region replica, or measure RDS's own failover. */
export type FailoverMode = 'az' | 'region' | 'observe';

/** The modes, in the order error messages list them. */
export const FAILOVER_MODES: readonly FailoverMode[] = ['az', 'region', 'observe'];

/** The metric dimension `FailureMode` a mode is measured under (config/types.ts FAILURE_MODES). */
export function failureModeOf(mode: FailoverMode): 'az' | 'region' {
  return mode === 'region' ? 'region' : 'az';
}

/** Name of the CloudWatch alarm whose ALARM state starts an automatic failover. */
export function writerDownAlarmName(database: string): string {
  return `${database}-WriterDown`;
}

/** `detail-type` of a CloudWatch alarm state change on EventBridge. */
export const ALARM_DETAIL_TYPE = 'CloudWatch Alarm State Change';

/** `detail-type` of the RDS events of each topology's source type on EventBridge. */
export const RDS_EVENT_DETAIL_TYPE: Readonly<Record<Topology, string>> = {
  'multi-az-instance': 'RDS DB Instance Event',
  'multi-az-cluster': 'RDS DB Cluster Event',
};

/**
 * RDS events (category `failover`) that start the workflow in observe mode, so failovers RDS makes
 * on its own are measured too. RDS User Guide, "Amazon RDS event categories and event messages":
 * DB instance: RDS-EVENT-0013 "Multi-AZ instance failover started", RDS-EVENT-0015 "Multi-AZ
 * failover to standby complete - DNS propagation may take a few minutes", RDS-EVENT-0049 "Multi-AZ
 * instance failover completed"; DB cluster: RDS-EVENT-0072 / RDS-EVENT-0073 "Started same-AZ /
 * cross-AZ failover to DB instance", RDS-EVENT-0071 "Completed failover to DB instance". The
 * started events come first and give the better start of the measurement; the completed ones
 * cover a missed start. Duplicates (several events for one failover, EventBridge's at-least-once
 * delivery) meet the lock and end quietly.
 */
export const RDS_FAILOVER_EVENT_IDS: Readonly<Record<Topology, readonly string[]>> = {
  'multi-az-instance': ['RDS-EVENT-0013', 'RDS-EVENT-0015', 'RDS-EVENT-0049'],
  'multi-az-cluster': ['RDS-EVENT-0072', 'RDS-EVENT-0073', 'RDS-EVENT-0071'],
};

/** Where a request came from. */
export interface FailoverTrigger {
  readonly source: 'manual' | 'alarm' | 'rds-event';
  /** The alarm name or the RDS event id; null for a manual start. */
  readonly id: string | null;
}

/** A validated failover request: what every later step reads. */
export interface FailoverRequest {
  readonly mode: FailoverMode;
  /** Why, for the audit record and the notification. */
  readonly reason: string;
  /** Run every check and change nothing. */
  readonly dryRun: boolean;
  /** Act although the writer answers (planned failover, drill) or the replica is over the lag gate. */
  readonly force: boolean;
  /** When the failure was detected (ISO): the alarm's transition, the RDS event, or the operator's `detectedAt`, else the start. */
  readonly detectedAt: string;
  /** When the execution started (ISO). */
  readonly startedAt: string;
  readonly trigger: FailoverTrigger;
}

/** What validation needs to know about the deployment. */
export interface RequestContext {
  readonly database: string;
  readonly topology: Topology;
  /** Region of the protected database (RDS events name it in their ARN). */
  readonly region: string;
  /** Whether a cross-region read replica is configured (region mode needs one). */
  readonly hasReplica: boolean;
  /** The execution's start. */
  readonly startedAt: Date;
}

/** Longest reason kept, so a notification subject and an audit record stay readable. */
export const MAX_REASON_LENGTH = 500;

const MANUAL_FIELDS = ['mode', 'reason', 'dryRun', 'force', 'detectedAt'] as const;

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_REASON_LENGTH ? flat : `${flat.slice(0, MAX_REASON_LENGTH - 1)}…`;
}

/** CloudWatch writes `2026-11-29T02:01:00.123+0000`; ISO 8601 wants `+00:00`. */
function parseCloudWatchTime(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const iso = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  if (!/(Z|[+-]\d{2}:\d{2})$/.test(iso)) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

function object(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/**
 * Validates a state machine input and turns it into a {@link FailoverRequest}. Accepts:
 * - a manual start: `{ mode, reason, dryRun?, force?, detectedAt? }`; an unknown field is refused,
 *   because a misspelt `dryRun` would otherwise run a real failover;
 * - the EventBridge event of the writer alarm entering ALARM (mode `az`);
 * - an EventBridge RDS failover event of the protected database (mode `observe`).
 *
 * @throws ValidationError listing every problem, each naming its field
 */
export function parseFailoverInput(input: unknown, context: RequestContext): FailoverRequest {
  const root = object(input);
  if (root !== null && root['source'] !== undefined) return parseEvent(root, context);
  const reader = new EventReader(input);
  const problems = reader.problems;
  for (const key of Object.keys(root ?? {})) {
    if (!(MANUAL_FIELDS as readonly string[]).includes(key)) problems.push(`${key}: unknown field; a manual start takes ${MANUAL_FIELDS.join(', ')}`);
  }
  const mode = reader.oneOf('mode', FAILOVER_MODES);
  const reason = reader.string('reason');
  if (reason.trim() === '' && reason !== '') problems.push('reason: must not be blank');
  const dryRun = reader.boolean('dryRun', false);
  const force = reader.boolean('force', false);
  const detectedAt = reader.has('detectedAt') ? reader.instant('detectedAt') : context.startedAt;
  if (detectedAt.getTime() > context.startedAt.getTime()) problems.push(`detectedAt: ${detectedAt.toISOString()} is after the start of this execution (${context.startedAt.toISOString()})`);
  if (mode === 'region' && !context.hasReplica) problems.push('mode: "region" needs a cross-region read replica, and none is configured (dr.readReplica)');
  if (mode === 'observe' && force) problems.push('force: only for modes az and region; observe never acts');
  reader.done();
  return {
    mode,
    reason: clip(reason),
    dryRun,
    force,
    detectedAt: detectedAt.toISOString(),
    startedAt: context.startedAt.toISOString(),
    trigger: { source: 'manual', id: null },
  };
}

function parseEvent(event: Record<string, unknown>, context: RequestContext): FailoverRequest {
  const source = event['source'];
  const detailType = event['detail-type'];
  const detail = object(event['detail']);
  const problems: string[] = [];
  const alarmName = writerDownAlarmName(context.database);
  if (source === 'aws.cloudwatch') {
    if (detailType !== ALARM_DETAIL_TYPE) problems.push(`detail-type: ${JSON.stringify(detailType)} is not ${JSON.stringify(ALARM_DETAIL_TYPE)}`);
    if (detail === null) throw new ValidationError([...problems, 'detail: required, an object']);
    if (detail['alarmName'] !== alarmName) problems.push(`detail.alarmName: ${JSON.stringify(detail['alarmName'])} is not the writer alarm ${JSON.stringify(alarmName)}`);
    const state = object(detail['state']);
    if (state?.['value'] !== 'ALARM') problems.push(`detail.state.value: ${JSON.stringify(state?.['value'])} is not "ALARM"; only the alarm entering ALARM starts a failover`);
    const at = parseCloudWatchTime(state?.['timestamp']);
    if (at === null) problems.push(`detail.state.timestamp: ${JSON.stringify(state?.['timestamp'])} is not a time with a zone`);
    if (problems.length > 0) throw new ValidationError(problems);
    const why = typeof state?.['reason'] === 'string' ? `: ${state['reason']}` : '';
    return {
      mode: 'az',
      reason: clip(`CloudWatch alarm ${alarmName} entered ALARM${why}`),
      dryRun: false,
      force: false,
      detectedAt: (at as Date).toISOString(),
      startedAt: context.startedAt.toISOString(),
      trigger: { source: 'alarm', id: alarmName },
    };
  }
  if (source === 'aws.rds') {
    const expectedType = RDS_EVENT_DETAIL_TYPE[context.topology];
    if (detailType !== expectedType) problems.push(`detail-type: ${JSON.stringify(detailType)} is not ${JSON.stringify(expectedType)} (topology ${context.topology})`);
    if (detail === null) throw new ValidationError([...problems, 'detail: required, an object']);
    const ids = RDS_FAILOVER_EVENT_IDS[context.topology];
    const eventId = detail['EventID'];
    if (typeof eventId !== 'string' || !ids.includes(eventId)) problems.push(`detail.EventID: ${JSON.stringify(eventId)} is not one of ${ids.join(', ')}`);
    const kind = context.topology === 'multi-az-cluster' ? 'cluster' : 'db';
    const arn = detail['SourceArn'];
    const parsed = typeof arn === 'string' ? /^arn:aws[a-z-]*:rds:([a-z0-9-]+):\d{12}:(db|cluster):([a-z0-9-]+)$/.exec(arn) : null;
    if (parsed === null || parsed[1] !== context.region || parsed[2] !== kind || parsed[3] !== context.database) {
      problems.push(`detail.SourceArn: ${JSON.stringify(arn)} is not the ${kind} ${context.database} in ${context.region}`);
    }
    const date = typeof detail['Date'] === 'string' && /(Z|[+-]\d{2}:\d{2})$/.test(detail['Date']) ? new Date(detail['Date']) : null;
    if (date === null || Number.isNaN(date.getTime())) problems.push(`detail.Date: ${JSON.stringify(detail['Date'])} is not an ISO-8601 time with a zone`);
    if (problems.length > 0) throw new ValidationError(problems);
    const message = typeof detail['Message'] === 'string' ? `: ${detail['Message']}` : '';
    return {
      mode: 'observe',
      reason: clip(`RDS ${String(eventId)}${message}`),
      dryRun: false,
      force: false,
      detectedAt: (date as Date).toISOString(),
      startedAt: context.startedAt.toISOString(),
      trigger: { source: 'rds-event', id: String(eventId) },
    };
  }
  throw new ValidationError([`source: ${JSON.stringify(source)} is not one of aws.cloudwatch, aws.rds (a manual start has no source field)`]);
}

/** How the workflow waits for the new writer, decided once the target is known. */
export interface WaitPlan {
  /**
   * What "ready" means: the writer moved to the standby (a forced Multi-AZ failover), the replica is
   * promoted (region), or the database is merely available again (RDS's own failover, observed).
   */
  readonly expect: 'writer-moved' | 'promoted' | 'available';
  /** Pause between polls; the time to notice the new writer is at most this. */
  readonly pollSeconds: number;
  /** Polls before WaitTimeoutError. */
  readonly maxPolls: number;
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

/** RDS statuses meaning RDS is already failing over (or rebooting) the database itself. */
export const RDS_FAILING_OVER: readonly string[] = ['rebooting', 'failing-over'];

/** What the pre-checks concluded. */
export type Verdict = 'proceed' | 'false-alarm' | 'observe';

/** One check, as the audit record and the execution output show it. */
export interface CheckResult {
  readonly name: string;
  readonly passed: boolean;
  /** The evidence, or why it failed. */
  readonly detail: string;
  /** True when it failed and `force` overrode it. */
  readonly forced?: boolean;
}

/** What the confirmation probe established. */
export interface Confirmation {
  /** Whether the writer took a heartbeat write. */
  readonly writerHealthy: boolean;
  /** The failed phase and error, when unhealthy. */
  readonly evidence: string;
  /** Age of the replica's newest heartbeat (its lag, measured), or null when not measured. */
  readonly replicaAgeSeconds: number | null;
  /** The replica's newest heartbeat, or null. */
  readonly replicaNewestHeartbeatAt: string | null;
}

/** The endpoint as the pre-checks found it. */
export interface EndpointFacts {
  /** The writer record's current value, or null when the record does not exist. */
  readonly record: string | null;
  /** The connection secret's current host, or null when it has none. */
  readonly secretHost: string | null;
}

/**
 * The replica's replication lag the lag gate judges: measured by the confirmation probe while the
 * writer still takes writes (a planned failover), else the last minute the writer probe found the
 * writer healthy ({@link LAG_LOOKBACK_SECONDS}). Once the writer is down the replica's heartbeat age
 * grows with the writer's silence and measures that silence, not replication.
 */
export interface ReplicationLag {
  readonly seconds: number;
  /** When it was measured (ISO). */
  readonly at: string;
  readonly source: 'confirmation' | 'history';
}

/** How far back the lag gate looks for a minute in which the writer was healthy. */
export const LAG_LOOKBACK_SECONDS = 900;

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

/** The check that gates a region failover on the replica's measured lag. */
export const LAG_CHECK = 'replica lag within maxLagOnFailover';

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

/** What a failed fence attempt means for the failover. */
export type FenceVerdict = 'fenced' | 'unreachable' | 'refused';

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

/** Settings of the post-check's bounded retries. */
export const POST_CHECK = {
  /** Attempts before PostCheckFailedError: RDS's DNS flips to the new writer within seconds, a client may see the old one briefly. */
  maxAttempts: 6,
  /** Pause between attempts (seconds), set in the state machine's Wait. */
  pauseSeconds: 5,
} as const;

/** The new writer's probe, reduced to what the verdict needs. */
export interface PostCheckProbe {
  readonly healthy: boolean;
  readonly phase: string | null;
  readonly error: { readonly name: string; readonly message: string } | null;
  readonly heartbeatAt: string | null;
}

/** Verdict on one post-check attempt. */
export type PostCheckVerdict = { readonly passed: true; readonly attempt: number } | { readonly passed: false; readonly attempt: number; readonly retry: boolean; readonly detail: string };

/** Passed when the new writer took the heartbeat; else retry until `maxAttempts` attempts were made. */
export function postCheckVerdict(probe: PostCheckProbe, attempt: number, maxAttempts: number = POST_CHECK.maxAttempts): PostCheckVerdict {
  const made = attempt + 1;
  if (probe.healthy) return { passed: true, attempt: made };
  const detail = `${probe.phase ?? 'probe'} failed: ${probe.error?.name ?? 'Error'}: ${probe.error?.message ?? 'no detail'}`;
  return { passed: false, attempt: made, retry: made < maxAttempts, detail };
}
