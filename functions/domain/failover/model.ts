/**
 * The failover's model: the request, the vocabulary of its decisions (verdicts, checks, the measured
 * lag, the wait, the post-check, the endpoint plans) and the outputs of its steps as the state
 * machine carries them from one step to the next. Types and constants only, and it imports nothing:
 * the lock port, the handlers' readers, the rules and the use cases all depend on it, never the
 * other way round.
 */

/** How the workflow recovers: force a Multi-AZ failover, promote the cross-region replica, or measure RDS's own failover. */
export type FailoverMode = 'az' | 'region' | 'observe';

/** The modes, in the order error messages list them. */
export const FAILOVER_MODES: readonly FailoverMode[] = ['az', 'region', 'observe'];

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

/** Longest reason kept, so a notification subject and an audit record stay readable. */
export const MAX_REASON_LENGTH = 500;

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

/** The check that gates a region failover on the replica's measured lag. */
export const LAG_CHECK = 'replica lag within maxLagOnFailover';

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

/** What a failed fence attempt means for the failover. */
export type FenceVerdict = 'fenced' | 'unreachable' | 'refused';

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

/** The endpoint's values: the record's target and the secret's host. */
export interface EndpointValues {
  readonly record: string | null;
  readonly secretHost: string | null;
}

/** What a switch changes; each false means "already there". */
export interface SwitchPlan {
  readonly record: boolean;
  readonly secret: boolean;
}

/** What to do with one place when rolling back. */
export type RollbackAction = 'restore' | 'keep' | 'conflict';

/** The rollback of both places. */
export interface RollbackPlan {
  readonly record: RollbackAction;
  readonly secret: RollbackAction;
}

/** Output of `takeLock` (takeover.ts). */
export interface LockResult {
  /** False in a dry run, which only checks the lock is free. */
  readonly acquired: boolean;
  readonly key: string;
  /** When it was taken (or checked). */
  readonly at: string;
}

/** The probe λ's output, as far as the failover reads it (functions/handlers/probe.ts ProbeOutput). */
export interface ProbeReport extends PostCheckProbe {
  readonly latencyMs: number | null;
  readonly replica: { readonly newestHeartbeatAt: string | null; readonly ageSeconds: number | null } | null;
}

/** Output of `runPrechecks` (takeover.ts): the verdict and everything later steps need, flat for the state machine. */
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

/** Output of `act` (takeover.ts). */
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

/** Output of `pollNewWriter` (takeover.ts). */
export interface PollResult {
  readonly ready: boolean;
  /** Polls made so far. */
  readonly attempt: number;
  readonly status: string;
  readonly writer: string | null;
  readonly at: string;
}

/** Output of `assessPostCheck` (takeover.ts). */
export interface Assessment {
  readonly passed: boolean;
  readonly attempt: number;
  readonly detail: string;
  readonly at: string;
}

/** Output of `switchEndpoint` (switch-endpoint.ts). */
export interface SwitchResult {
  readonly plan: SwitchPlan;
  /** The DNS change to follow until INSYNC, or null when the record did not change. */
  readonly changeId: string | null;
  readonly targetHost: string;
  readonly dryRun: boolean;
  readonly at: string;
}

/** Output of `switchStatus` (switch-endpoint.ts). */
export interface SwitchStatus {
  readonly insync: boolean;
  readonly attempt: number;
  readonly at: string;
}

/** Output of `rollBackSwitch` (switch-endpoint.ts). */
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

/** How a run ended. */
export type RunOutcome = 'succeeded' | 'failed' | 'false-alarm' | 'dry-run';
