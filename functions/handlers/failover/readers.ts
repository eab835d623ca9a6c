/**
 * Readers of the failover state machine's own payloads: each field checked, a problem names its path
 * (one ValidationError lists them all, thrown by `done()` before anything is touched).
 */
import { FAILOVER_MODES, type ActResult, type FailoverRequest, type PrecheckResult, type ProbeReport, type RollbackResult, type RunOutcome, type SwitchResult } from '../../domain/failover/model.ts';
import type { FenceResult } from '../../domain/failover/takeover.ts';
import { EventReader } from '../../shared/validate.ts';

/** A reader of one object of the state that also reads nullable values and numbers. */
export class StateReader extends EventReader {
  readonly #value: Record<string, unknown>;
  readonly #path: string;

  constructor(value: unknown, path: string, problems: string[]) {
    super(value, path, problems);
    this.#value = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
    this.#path = path;
  }

  /** A nested object; absent or null gives null (reported when `required`). */
  childOf(field: string, required: boolean): StateReader | null {
    const value = this.#value[field];
    if (value === undefined || value === null) {
      if (required) this.problems.push(`${this.#path}.${field}: required, an object`);
      return null;
    }
    return new StateReader(value, `${this.#path}.${field}`, this.problems);
  }

  textOrNull(field: string): string | null {
    return this.#value[field] === null || this.#value[field] === undefined ? null : this.string(field);
  }

  numeric(field: string, nullable = false): number | null {
    const value = this.#value[field];
    if (nullable && (value === null || value === undefined)) return null;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.problems.push(`${this.#path}.${field}: ${value === undefined ? 'required' : JSON.stringify(value)}, a number`);
      return 0;
    }
    return value;
  }

  rawValue(field: string): unknown {
    return this.#value[field];
  }
}

/** The event's `request`; a missing object is one problem, not one per field. */
export function requestOf(input: StateReader): FailoverRequest {
  const r = input.childOf('request', true);
  return r === null ? ({} as FailoverRequest) : readRequest(r);
}

/** The event's `precheck` (the pre-check step's output); a missing object is one problem. */
export function precheckOf(input: StateReader): PrecheckResult {
  const r = input.childOf('precheck', true);
  return r === null ? ({} as PrecheckResult) : readPrecheck(r);
}

function readRequest(r: StateReader): FailoverRequest {
  const trigger = r.childOf('trigger', true);
  const source = trigger?.oneOf('source', ['manual', 'alarm', 'rds-event'] as const) ?? 'manual';
  return {
    mode: r.oneOf('mode', FAILOVER_MODES),
    reason: r.string('reason'),
    dryRun: r.boolean('dryRun', false),
    force: r.boolean('force', false),
    detectedAt: r.instant('detectedAt').toISOString(),
    startedAt: r.instant('startedAt').toISOString(),
    trigger: { source, id: trigger?.textOrNull('id') ?? null },
  };
}

/** A probe λ's report (confirmation or post-check). */
export function readProbe(r: StateReader): ProbeReport {
  const error = r.childOf('error', false);
  const replica = r.childOf('replica', false);
  const healthy = r.rawValue('healthy');
  if (typeof healthy !== 'boolean') r.problems.push(`probe.healthy: ${JSON.stringify(healthy)}, true or false`);
  return {
    healthy: healthy === true,
    phase: r.textOrNull('phase'),
    error: error === null ? null : { name: error.string('name'), message: typeof error.rawValue('message') === 'string' ? (error.rawValue('message') as string) : '' },
    heartbeatAt: r.textOrNull('heartbeatAt'),
    latencyMs: r.numeric('latencyMs', true),
    replica: replica === null ? null : { newestHeartbeatAt: replica.textOrNull('newestHeartbeatAt'), ageSeconds: replica.numeric('ageSeconds', true) },
  };
}

function readPrecheck(r: StateReader): PrecheckResult {
  const checks = r.rawValue('checks');
  return {
    verdict: r.oneOf('verdict', ['proceed', 'false-alarm', 'observe'] as const),
    checks: Array.isArray(checks) ? (checks as PrecheckResult['checks']) : [],
    targetId: r.string('targetId'),
    targetRegion: r.oneOf('targetRegion', ['primary', 'dr'] as const),
    writerBefore: r.textOrNull('writerBefore'),
    alreadyPromoted: r.boolean('alreadyPromoted', false),
    expect: r.oneOf('expect', ['writer-moved', 'promoted', 'available'] as const),
    pollSeconds: r.integer('pollSeconds', 1, 3600),
    maxPolls: r.integer('maxPolls', 1, 100_000),
    probeTarget: r.oneOf('probeTarget', ['writer', 'replica'] as const),
    recordBefore: r.string('recordBefore'),
    secretHostBefore: r.string('secretHostBefore'),
    secretPortBefore: r.integer('secretPortBefore', 0, 65_535),
    targetHost: r.string('targetHost'),
    targetPort: r.integer('targetPort', 0, 65_535),
    replicaNewestHeartbeatAt: r.textOrNull('replicaNewestHeartbeatAt'),
    primaryUnreachable: r.textOrNull('primaryUnreachable'),
    at: r.instant('at').toISOString(),
  };
}

/** Reads `{ Payload: ... }` of a state machine result, or null when the step did not run. */
function payload(run: StateReader, field: string): StateReader | null {
  return run.childOf(field, false)?.childOf('Payload', false) ?? null;
}

/** A step's raw Payload when `field` of it is present (the step ran and returned), else null. */
function ranWith<T>(run: StateReader, step: string, field: string): T | null {
  return (payload(run, step)?.rawValue(field) === undefined ? null : (run.childOf(step, false)?.rawValue('Payload') as T)) ?? null;
}

/** The run the record step closes: what each step of the execution returned. */
export function readRun(run: StateReader, owner: string, outcome: RunOutcome) {
  const state = run.childOf('request', true);
  const request = state === null ? ({} as FailoverRequest) : readRequest(state);
  const precheck = payload(run, 'precheck');
  const postCheck = payload(run, 'postCheckAssess');
  const verify = payload(run, 'verifyAssess');
  const error = run.childOf('error', false);
  return {
    request,
    owner,
    outcome,
    locked: payload(run, 'lock')?.rawValue('acquired') === true,
    precheck: precheck === null ? null : readPrecheck(precheck),
    fence: ranWith<FenceResult>(run, 'fence', 'verdict'),
    act: ranWith<ActResult>(run, 'act', 'action'),
    postCheckedAt: postCheck?.rawValue('passed') === true ? postCheck.instant('at').toISOString() : null,
    switched: ranWith<SwitchResult>(run, 'switch', 'plan'),
    verifiedAt: verify?.rawValue('passed') === true ? verify.instant('at').toISOString() : null,
    rollback: ranWith<RollbackResult>(run, 'rollback', 'verdict'),
    error: error === null ? null : { name: error.string('Error'), cause: typeof error.rawValue('Cause') === 'string' ? (error.rawValue('Cause') as string) : '' },
  };
}

/** Step Functions passes a Lambda error's Cause as the JSON of `{ errorMessage, errorType, ... }`: keep the message. */
export function causeMessage(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    return cause;
  }
}
