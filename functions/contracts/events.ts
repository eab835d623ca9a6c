/**
 * The events each function accepts, declared once: every handler reads its event with
 * {@link readEvent} and one of these schemas, and nothing acts before the whole event is read.
 *
 * Functions with an `action` read it first ({@link actionOf}: without a valid action the other fields
 * cannot be judged), then the action's own schema. The field names of problems are bare (`snapshotId:
 * required, …`), a nested object's prefixed (`request.tier: …`), and a value that is not a JSON object
 * is `event: must be a JSON object, got <kind>`, followed by the fields it lacks.
 *
 * The payloads one step of a workflow hands the next, which several events carry whole, are in
 * `payloads.ts`; the failover λ's events, which are made of them, too.
 */
import { check, custom, nullable, nullish, optional, pipe, rawCheck, transform, unknown } from 'valibot';
import type { BaseIssue, ErrorMessage, GenericSchema, ObjectEntries } from 'valibot';
import { DB_ID, SNAPSHOT_ID, TIERS } from '../domain/snapshots/naming.ts';
import { absentAs, fieldsOf, flag, isPlainObject, instantWithZone, oneOf, orNull, parseWith, say, stringList, text, wholeNumber } from './schema.ts';
import type { Output, Place, Schema } from './schema.ts';
import { FAILOVER_REQUEST, FAILOVER_RUN, PRECHECK_RESULT, PROBE_REPORT, PROBE_REPORT_ENTRIES } from './payloads.ts';

/** Where a handler event's problems are reported: its fields bare, the whole value as `event`. */
export const EVENT: Place = { label: 'event', prefix: '' };

/**
 * Reads an event by its schema.
 * @throws ValidationError listing every problem; nothing has acted on the event at that point
 */
export function readEvent<S extends GenericSchema>(schema: S, event: unknown, place: Place = EVENT): Output<S> {
  return parseWith(schema, event, place);
}

/** The `action` of an event, one of the keys of `actions` in their order; other fields are not read. */
export function actionOf<const A extends string>(actions: readonly A[], event: unknown): A {
  return readEvent(fieldsOf({ action: oneOf(actions) }), event).action;
}

/**
 * A value checked by each rule in turn, each failing rule one problem, as the hand-written readers
 * reported them (`"" is not a non-empty string`, then `"" is not an ISO-8601 time with a zone`).
 */
function eachOf<T>(...rules: [test: (value: unknown) => boolean, message: ErrorMessage<BaseIssue<unknown>>][]): Schema<T> {
  return pipe(unknown(), ...rules.map(([test, message]) => check(test, message))) as unknown as Schema<T>;
}

const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isInstant = (value: unknown): boolean => typeof value === 'string' && /(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(new Date(value).getTime());

/** An instant given as text, or null: text first, then an instant (both reported, as before). */
function textInstantOrNull(): Schema<Date | null> {
  const rules = eachOf<string>([isText, say('a non-empty string')], [isInstant, say('an ISO-8601 time with a zone')]);
  return orNull(pipe(rules, transform((value: string) => new Date(value))));
}

/** The execution that sent the event (the Step Functions execution ARN), when there is one. */
const executionArn = () => optional(text());

/** An archive reference `{ key, sha256, versionId? }`, or null when the field is absent. */
const storedDocument = () => absentAs(fieldsOf({ key: text(), sha256: text(/^[0-9a-f]{64}$/), versionId: orNull(text()) }), null);

// ---- retention λ -------------------------------------------------------------------------------

/** The retention λ: one run in one region. */
export const RETENTION_EVENT = fieldsOf({ region: oneOf(['primary', 'dr'] as const), dryRun: flag(false), executionArn: absentAs(text(), 'manual') });

// ---- probe λ -----------------------------------------------------------------------------------

/** Why the probe runs; decides what it measures and whether it publishes. */
export type ProbeMode = 'monitor' | 'confirm' | 'post-check';
/** Which configured endpoint is probed as the writer. */
export type ProbeTarget = 'writer' | 'replica';
/** The modes, in the order error messages list them. */
export const PROBE_MODES: readonly ProbeMode[] = ['monitor', 'confirm', 'post-check'];
/** The targets. */
export const TARGETS: readonly ProbeTarget[] = ['writer', 'replica'];

/** The probe λ: a mode, the target (the writer unless named); `executionArn` is checked only (a log key). */
export const PROBE_EVENT = fieldsOf({ mode: oneOf(PROBE_MODES), target: optional(oneOf(TARGETS), 'writer'), executionArn: executionArn() });

/** What a probe event may not ask although each field is valid: the replica in monitor mode, or a replica that is not configured. */
export function probeTargetProblems(mode: ProbeMode, target: ProbeTarget, hasReplica: boolean): string[] {
  const problems: string[] = [];
  if (target === 'replica' && mode === 'monitor') problems.push('target: "replica" is only for modes confirm and post-check; monitor probes the writer');
  if (target === 'replica' && !hasReplica) problems.push('target: "replica", but no replica is configured (REPLICA_HOST=none)');
  return problems;
}

// ---- rpo-monitor λ -----------------------------------------------------------------------------

/** The RPO monitor: `scheduledAt` (EventBridge Scheduler's time) is checked only (a log key). */
export const RPO_MONITOR_EVENT = fieldsOf({ scheduledAt: optional(instantWithZone()) });

// ---- manifest λ --------------------------------------------------------------------------------

/** The manifest λ: reading A (`before`, the default) or B (`after`, at the snapshot's point). */
export const MANIFEST_EVENT = fieldsOf(
  {
    action: optional(oneOf(['before', 'after'] as const), 'before'),
    snapshotId: text(SNAPSHOT_ID),
    executionArn: absentAs(text(), 'manual'),
    snapshotPoint: textInstantOrNull(),
  },
  {},
  // The snapshot's point is read only for reading B.
  (fields): ObjectEntries => (fields['action'] === 'after' ? {} : { snapshotPoint: absentAs(unknown(), null) }),
);

// ---- verify λ ----------------------------------------------------------------------------------

const connection = {
  endpoint: text(),
  port: wholeNumber(1, 65_535),
  secretArn: text(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/),
  executionArn: absentAs(text(), 'manual'),
};

/** The verify λ's modes, read first. */
export const VERIFY_MODES = ['snapshot', 'point-in-time'] as const;

/** The verify λ, by mode: the database to check and what it should hold. */
export const VERIFY_EVENT = {
  snapshot: fieldsOf({
    ...connection,
    snapshotId: text(SNAPSHOT_ID),
    snapshotCreatedAt: instantWithZone(),
    // RDS's SnapshotDatabaseTime (absent or null when RDS reports none): the heartbeat's anchor.
    snapshotDatabaseTime: textInstantOrNull(),
  }),
  'point-in-time': fieldsOf({ ...connection, identifier: text(DB_ID), targetTime: instantWithZone() }),
};

/** The verify λ's mode (the other fields depend on it). */
export function verifyModeOf(event: unknown): (typeof VERIFY_MODES)[number] {
  return readEvent(fieldsOf({ mode: oneOf(VERIFY_MODES) }), event).mode;
}

// ---- snapshot λ --------------------------------------------------------------------------------

/** The snapshot λ, by action (in the order error messages list them). */
export const SNAPSHOT_EVENT = {
  /** The workflow's input as `request` (`scheduledAt` absent on a manual start, then `startedAt` names the run). */
  plan: fieldsOf(
    {
      executionArn: absentAs(text(), 'manual'),
      request: fieldsOf({ scheduledAt: optional(instantWithZone()), tier: optional(oneOf(TIERS)) }),
      startedAt: optional(instantWithZone()),
    },
    {},
    // `startedAt` names the run only without `request.scheduledAt`, and is then required.
    (fields): ObjectEntries => (isPlainObject(fields['request']) && fields['request']['scheduledAt'] !== undefined ? { startedAt: optional(unknown()) } : { startedAt: instantWithZone() }),
  ),
  create: fieldsOf({ executionArn: absentAs(text(), 'manual'), scheduledAt: instantWithZone(), tier: optional(oneOf(TIERS)) }),
  check: fieldsOf({
    executionArn: absentAs(text(), 'manual'),
    snapshotId: text(SNAPSHOT_ID),
    region: oneOf(['primary', 'dr'] as const),
    attempt: wholeNumber(0, 10_000),
    maxAttempts: wholeNumber(1, 10_000),
  }),
  copy: fieldsOf({ executionArn: absentAs(text(), 'manual'), snapshotId: text(SNAPSHOT_ID) }),
  record: fieldsOf({
    executionArn: absentAs(text(), 'manual'),
    outcome: oneOf(['succeeded', 'failed'] as const),
    startedAt: instantWithZone(),
    snapshotId: absentAs(text(), 'none'),
    error: optional(text()),
    manifest: storedDocument(),
    manifestWarnings: stringList(),
  }),
};

/** The event of one snapshot action. */
export type SnapshotEvent<A extends keyof typeof SNAPSHOT_EVENT> = Output<(typeof SNAPSHOT_EVENT)[A]>;

// ---- restore λ ---------------------------------------------------------------------------------

const restoreSeconds = () => orNull(wholeNumber(0, 10 * 86_400));

/** Read when absent too (so a missing value reports each of its rules). */
function readAbsent<T>(schema: Schema<T>): Schema<T> {
  return { ...optional(schema), default: () => undefined, '~run': schema['~run'] } as unknown as Schema<T>;
}

/**
 * The point-in-time restore's request: `targetTime` is `"latest"` or an ISO-8601 instant with a zone
 * (kept as written), judged after the other fields; a value that is not text is reported as such,
 * then as the empty text it was read as (as the hand-written reader did).
 */
function pitrRequest() {
  const asText = (value: unknown): string => (typeof value === 'string' ? value : '');
  return pipe(
    fieldsOf({ executionArn: absentAs(text(), 'manual'), targetTime: readAbsent(eachOf<string>([isText, say('a non-empty string')])), name: text() }),
    rawCheck(({ dataset, addIssue }) => {
      const input = isPlainObject(dataset.value) ? dataset.value : {};
      const value = input['targetTime'];
      if (asText(value) === 'latest' || isInstant(value)) return;
      addIssue({ message: `${JSON.stringify(asText(value))} is not "latest" or an ISO-8601 time with a zone`, path: [{ type: 'object', origin: 'value', input, key: 'targetTime', value }] });
    }),
  );
}

/** The restore λ, by action (in the order error messages list them). */
export const RESTORE_EVENT = {
  /** The workflow passes its whole input as `request`; `snapshotId` is optional there. */
  select: fieldsOf(
    {
      executionArn: absentAs(text(), 'manual'),
      request: optional(fieldsOf({ snapshotId: optional(text(SNAPSHOT_ID)) })),
      snapshotId: optional(text(SNAPSHOT_ID)),
    },
    {},
    // With `request`, the event's own `snapshotId` is not read.
    (fields): ObjectEntries => (fields['request'] === undefined ? {} : { snapshotId: optional(unknown()) }),
  ),
  restore: fieldsOf({ executionArn: absentAs(text(), 'manual'), snapshotId: text(SNAPSHOT_ID) }),
  check: fieldsOf({ executionArn: absentAs(text(), 'manual'), identifier: text(DB_ID), attempt: wholeNumber(0, 10_000), maxAttempts: wholeNumber(1, 10_000) }),
  /** `passed` may be absent when `inconclusive` is given (the checks could not run). */
  verdict: fieldsOf(
    {
      executionArn: absentAs(text(), 'manual'),
      snapshotId: text(SNAPSHOT_ID),
      passed: optional(flagRequired()),
      restoreSeconds: restoreSeconds(),
      // Whole seconds, as the verify λ reports it (functions/domain/verification/checks.ts).
      dataAgeSeconds: orNull(wholeNumber(0, 400 * 86_400)),
      reason: optional(text()),
      inconclusive: optional(flagRequired()),
      report: storedDocument(),
    },
    {},
    (fields): ObjectEntries => (fields['inconclusive'] === undefined ? { passed: flagRequired() } : {}),
  ),
  tag: fieldsOf({ executionArn: absentAs(text(), 'manual'), snapshotId: text(SNAPSHOT_ID), passed: flagRequired(), inconclusive: flag(false) }),
  /** By snapshot id on failure paths, where the restore may not have returned its identifier. */
  delete: fieldsOf(
    { executionArn: absentAs(text(), 'manual'), snapshotId: optional(text(SNAPSHOT_ID)), identifier: optional(text(DB_ID)) },
    {},
    // The identifier is required, and read, only without a snapshot id.
    (fields): ObjectEntries => (fields['snapshotId'] === undefined ? { identifier: text(DB_ID) } : { identifier: optional(unknown()) }),
  ),
  sweep: fieldsOf({ executionArn: absentAs(text(), 'schedule') }),
  pitr: pitrRequest(),
  'pitr-record': fieldsOf({
    executionArn: absentAs(text(), 'manual'),
    identifier: text(DB_ID),
    requestedTime: text(),
    resolvedTargetTime: orNull(text()),
    checksPassed: absentAs(flagRequired(), null),
    recoveredPointInTime: orNull(text()),
    restoreSeconds: restoreSeconds(),
    reason: optional(text()),
    report: storedDocument(),
    failedChecks: nullish(custom<string[]>((value) => Array.isArray(value) && value.every((item) => typeof item === 'string'), 'an array of check ids'), () => []),
  }),
};

/** The event of one restore action. */
export type RestoreEvent<A extends keyof typeof RESTORE_EVENT> = Output<(typeof RESTORE_EVENT)[A]>;

/** True or false, required. */
function flagRequired(): Schema<boolean> {
  return custom<boolean>((value) => typeof value === 'boolean', say('true or false'));
}

// ---- failover λ --------------------------------------------------------------------------------

/** The failover λ's fields that are named bare in problems; its objects are named from `event.`. */
const FAILOVER_BARE = new Set(['action', 'executionArn', 'startedAt', 'attempt', 'phase', 'changeId', 'failure', 'outcome']);

/** Where the failover λ's problems are reported (`attempt: …`, `event.request.reason: …`, `probe.healthy: …`). */
export const FAILOVER_PLACE: Place = {
  label: 'event',
  rename: (path) => {
    const field = /^event\.([^.[]+)$/.exec(path)?.[1];
    if (field !== undefined && FAILOVER_BARE.has(field)) return field;
    return /^event\.(confirm|probe)\.healthy$/.test(path) ? 'probe.healthy' : path;
  },
};

/** The failover λ's actions, in the order of the workflow; every event carries `executionArn` (the lock's owner). */
export const FAILOVER_ACTIONS = ['validate', 'lock', 'precheck', 'fence', 'act', 'check', 'assess', 'switch', 'switch-status', 'rollback', 'record', 'notify'] as const;

/** The failover λ's action and the lock's owner, read before the action's fields. */
export const FAILOVER_COMMON = fieldsOf({
  action: oneOf(FAILOVER_ACTIONS),
  executionArn: text(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:.+$/),
});

const request = FAILOVER_REQUEST;
const precheck = PRECHECK_RESULT;

/** The failover λ, by action: each reads the payloads of the steps before it (functions/contracts/payloads.ts). */
export const FAILOVER_EVENT = {
  /** The execution's input (a manual start or an EventBridge event), read by the domain's rules. */
  validate: fieldsOf({ startedAt: instantWithZone(), input: optional(unknown()) }),
  lock: fieldsOf({ request }),
  /** `confirm`, the confirmation probe's output, is required but in observe mode. */
  precheck: fieldsOf({ request, confirm: orNull(PROBE_REPORT) }),
  fence: fieldsOf({ request }),
  act: fieldsOf({ request, precheck }),
  check: fieldsOf({ precheck, attempt: wholeNumber(0, 100_000) }),
  assess: fieldsOf({ probe: fieldsOf(PROBE_REPORT_ENTRIES, { absent: 'required, an object' }) as unknown as typeof PROBE_REPORT, attempt: wholeNumber(0, 1000), phase: oneOf(['post-check', 'verify'] as const) }),
  switch: fieldsOf({ request, precheck }),
  'switch-status': fieldsOf({ changeId: orNull(text()), attempt: wholeNumber(0, 100_000) }),
  /** `failure` names the error that failed the run past the switch. */
  rollback: fieldsOf({ request, precheck, failure: orNull(text()) }),
  record: fieldsOf({ outcome: oneOf(['succeeded', 'failed', 'false-alarm', 'dry-run'] as const), run: FAILOVER_RUN }),
  /** A dry run's record step returns no notification (null). */
  notify: fieldsOf({ notification: nullable(fieldsOf({ subject: text(), message: text() }, { absent: 'required, an object' })) }),
} satisfies Record<(typeof FAILOVER_ACTIONS)[number], unknown>;

/** The event of one failover action. */
export type FailoverEvent<A extends keyof typeof FAILOVER_EVENT> = Output<(typeof FAILOVER_EVENT)[A]>;

/**
 * Reads one failover action's event.
 * @throws ValidationError listing every problem; nothing has acted on the event at that point
 */
export function readFailoverEvent<A extends keyof typeof FAILOVER_EVENT>(action: A, event: unknown): FailoverEvent<A> {
  return parseWith(FAILOVER_EVENT[action], event, FAILOVER_PLACE) as FailoverEvent<A>;
}
