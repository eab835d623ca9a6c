/**
 * What one step of a workflow hands the next (statemachines/*.asl.json): the payloads a later step
 * reads whole, as schemas. The step that produces one returns its type; the step that reads it parses
 * it with the schema, so a payload changed on one side is refused by name on the other.
 *
 * Where the payload is a domain model (a failover request, a pre-check result, a probe report), the
 * domain type is the one declaration and the schema is typed against it (`Schema<PrecheckResult>`).
 * test/statemachines/payload-paths.test.ts checks that every `$.step.Payload.field` the state
 * machines read names a field of what that step returns.
 *
 * Failover's payloads are reported the way its operators know them (the failover λ's place, in
 * events/failover.ts): `event.request.reason: required, …`, `event.precheck: required, an object`,
 * `event.probe.latencyMs: "5", a number`, `probe.healthy: undefined, true or false`.
 */
import { boolean, custom, optional, pipe, transform, unknown } from 'valibot';
import type { ObjectEntries } from 'valibot';
import { FAILOVER_MODES, type ActResult, type FailoverRequest, type PrecheckResult, type ProbeReport, type RollbackResult, type SwitchResult } from '../domain/failover/model.ts';
import type { FenceResult } from '../domain/failover/takeover.ts';
import { fieldsOf, flag, instantWithZone, isPlainObject, kindOf, oneOf, orNull, shown, text, wholeNumber } from './schema.ts';
import type { Schema } from './schema.ts';

/** A required object of the state: absent or null is one problem, `required, an object`. */
function part<const E extends Parameters<typeof fieldsOf>[0]>(entries: E) {
  return fieldsOf(entries, { absent: 'required, an object' });
}

/** An ISO-8601 instant with a zone, kept as its ISO string (`toISOString`). */
function isoInstant(): Schema<string> {
  return pipe(instantWithZone(), transform((at: Date) => at.toISOString()));
}

/** A finite number (`…: required, a number`, `…: "5", a number`). */
function finite(): Schema<number> {
  return custom<number>((value) => typeof value === 'number' && Number.isFinite(value), (issue) => `${issue.input === undefined ? 'required' : shown(issue.input)}, a number`);
}

/** The failover request (the validate step's `request`, which every later step reads). */
export const FAILOVER_REQUEST: Schema<FailoverRequest> = pipe(
  // The trigger first: its problems come first in the list, as operators know it.
  part({
    trigger: part({ source: oneOf(['manual', 'alarm', 'rds-event'] as const), id: orNull(text()) }),
    mode: oneOf(FAILOVER_MODES),
    reason: text(),
    dryRun: flag(false),
    force: flag(false),
    detectedAt: isoInstant(),
    startedAt: isoInstant(),
  }),
  transform(({ trigger, ...rest }): FailoverRequest => ({ ...rest, trigger })),
);

/**
 * The mode a request in the state asks for, as the steps judge it before reading the request: none
 * when there is no request, `az` (the first mode) when it names none of them.
 */
export function requestedMode(request: unknown): string | undefined {
  if (request === undefined || request === null) return undefined;
  const mode = isPlainObject(request) ? request['mode'] : undefined;
  return typeof mode === 'string' && (FAILOVER_MODES as readonly string[]).includes(mode) ? mode : FAILOVER_MODES[0];
}

/** The pre-check step's result (read by fence, act, check, switch, rollback and record). */
export const PRECHECK_RESULT: Schema<PrecheckResult> = part({
  verdict: oneOf(['proceed', 'false-alarm', 'observe'] as const),
  // Passed on as they were judged (the record's evidence): a missing list is an empty one.
  checks: pipe(optional(unknown(), () => []), transform((checks): PrecheckResult['checks'] => (Array.isArray(checks) ? (checks as PrecheckResult['checks']) : []))),
  targetId: text(),
  targetRegion: oneOf(['primary', 'dr'] as const),
  writerBefore: orNull(text()),
  alreadyPromoted: flag(false),
  expect: oneOf(['writer-moved', 'promoted', 'available'] as const),
  pollSeconds: wholeNumber(1, 3600),
  maxPolls: wholeNumber(1, 100_000),
  probeTarget: oneOf(['writer', 'replica'] as const),
  recordBefore: text(),
  secretHostBefore: text(),
  secretPortBefore: wholeNumber(0, 65_535),
  targetHost: text(),
  targetPort: wholeNumber(0, 65_535),
  replicaNewestHeartbeatAt: orNull(text()),
  primaryUnreachable: orNull(text()),
  at: isoInstant(),
});

/**
 * A probe λ's report (the confirmation and the post-checks), as the failover judges it: other fields
 * of the probe's output are not read. `healthy` is reported as `probe.healthy` wherever it is.
 */
export const PROBE_REPORT_ENTRIES = {
  healthy: boolean((issue) => `${shown(issue.input)}, true or false`),
  phase: orNull(text()),
  error: orNull(fieldsOf({ name: text(), message: pipe(optional(unknown(), ''), transform((message) => (typeof message === 'string' ? message : ''))) })),
  heartbeatAt: orNull(text()),
  latencyMs: orNull(finite()),
  replica: orNull(fieldsOf({ newestHeartbeatAt: orNull(text()), ageSeconds: orNull(finite()) })),
};

/** A probe report, checked; see {@link PROBE_REPORT_ENTRIES}. */
export const PROBE_REPORT: Schema<ProbeReport> = fieldsOf(PROBE_REPORT_ENTRIES);

/** A Step Functions error caught into the state (`{ Error, Cause }`); a Cause that is not text is empty. */
const CAUGHT_ERROR_ENTRIES = { Error: text(), Cause: pipe(optional(unknown(), ''), transform((cause) => (typeof cause === 'string' ? cause : ''))) };
export const CAUGHT_ERROR = fieldsOf(CAUGHT_ERROR_ENTRIES);

/**
 * A step's result as the state holds it (`{ Payload: … }`), absent or null when the step did not run:
 * the Payload when it is an object with `field` (the step ran and returned), else null. Not checked
 * further: it is recorded as it was.
 */
export function ranWith<T>(field: string): Schema<T | null> {
  const payload = custom<Record<string, unknown>>(isPlainObject, (issue) => `must be a JSON object, got ${kindOf(issue.input)}`);
  return pipe(
    orNull(fieldsOf({ Payload: orNull(payload) })),
    transform((step) => (step?.Payload != null && step.Payload[field] !== undefined ? (step.Payload as T) : null)),
  );
}

/** An assess step's result: when it passed, its time (`at`) is read; null when it did not run or did not pass. */
function passedAt(): Schema<string | null> {
  const payload = fieldsOf({ passed: optional(unknown()), at: optional(unknown()) }, {}, (fields): ObjectEntries => (fields['passed'] === true ? { at: isoInstant() } : {}));
  return pipe(
    orNull(fieldsOf({ Payload: orNull(payload) })),
    transform((step) => (step?.Payload?.passed === true ? (step.Payload.at as string) : null)),
  );
}

/** The whole state the record step closes: what each step of the execution returned. */
export const FAILOVER_RUN = fieldsOf(
  {
    request: FAILOVER_REQUEST,
    lock: ranWith<{ acquired: unknown }>('acquired'),
    precheck: orNull(fieldsOf({ Payload: orNull(PRECHECK_RESULT) })),
    fence: ranWith<FenceResult>('verdict'),
    act: ranWith<ActResult>('action'),
    postCheckAssess: passedAt(),
    switch: ranWith<SwitchResult>('plan'),
    verifyAssess: passedAt(),
    rollback: ranWith<RollbackResult>('verdict'),
    error: orNull(CAUGHT_ERROR),
    // Set by the closing step that runs when the record step's archive retries ran out.
    recordError: orNull(fieldsOf(CAUGHT_ERROR_ENTRIES, { alone: true })),
  },
  // Not an object: one problem, the steps' results are not listed.
  { absent: 'required, an object', alone: true },
);
