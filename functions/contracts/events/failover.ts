/** The failover λ's events, by action: made of the payloads its steps hand on (../payloads.ts). */
import { custom, nullable, optional, unknown } from 'valibot';
import type { ObjectEntries } from 'valibot';
import { FAILOVER_REQUEST, FAILOVER_RUN, PRECHECK_RESULT, PROBE_REPORT, PROBE_REPORT_ENTRIES, requestedMode } from '../payloads.ts';
import { fieldsOf, instantWithZone, isPlainObject, kindOf, oneOf, orNull, parseWith, text, wholeNumber } from '../schema.ts';
import type { Output, Place } from '../schema.ts';

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

/** How a run ended, as the record step is told. */
const outcome = () => oneOf(['succeeded', 'failed', 'false-alarm', 'dry-run'] as const);
const request = FAILOVER_REQUEST;
const precheck = PRECHECK_RESULT;

/** The failover λ, by action: each reads the payloads of the steps before it (functions/contracts/payloads.ts). */
export const FAILOVER_EVENT = {
  /** The execution's input (a manual start or an EventBridge event), read by the domain's rules. */
  validate: fieldsOf({ startedAt: instantWithZone(), input: optional(unknown()) }),
  lock: fieldsOf({ request }),
  /** `confirm`, the confirmation probe's output, is required, and read, but in observe mode. */
  precheck: fieldsOf({ request, confirm: orNull(PROBE_REPORT) }, {}, (fields): ObjectEntries => {
    const mode = requestedMode(fields['request']);
    if (mode === 'observe') return { confirm: orNull(custom(isPlainObject, (issue) => `must be a JSON object, got ${kindOf(issue.input)}`)) };
    return { confirm: fieldsOf(PROBE_REPORT_ENTRIES, { absent: `required in mode ${mode}, the confirmation probe's output` }) };
  }),
  fence: fieldsOf({ request }),
  act: fieldsOf({ request, precheck }),
  check: fieldsOf({ precheck, attempt: wholeNumber(0, 100_000) }),
  assess: fieldsOf({ probe: fieldsOf(PROBE_REPORT_ENTRIES, { absent: 'required, an object' }) as unknown as typeof PROBE_REPORT, attempt: wholeNumber(0, 1000), phase: oneOf(['post-check', 'verify'] as const) }),
  switch: fieldsOf({ request, precheck }),
  'switch-status': fieldsOf({ changeId: orNull(text()), attempt: wholeNumber(0, 100_000) }),
  /** `failure` names the error that failed the run past the switch. */
  rollback: fieldsOf({ request, precheck, failure: orNull(text()) }),
  record: fieldsOf({ outcome: outcome(), run: FAILOVER_RUN }),
  /** A dry run's record step returns no notification (null). */
  notify: fieldsOf({ notification: nullable(fieldsOf({ subject: text(), message: text() }, { absent: 'required, an object' })) }),
} satisfies Record<(typeof FAILOVER_ACTIONS)[number], unknown>;

const RECORD_HEAD = fieldsOf({ outcome: outcome(), run: fieldsOf({}, { absent: 'required, an object', alone: true }) });

/** The event of one failover action. */
export type FailoverEvent<A extends keyof typeof FAILOVER_EVENT> = Output<(typeof FAILOVER_EVENT)[A]>;

/**
 * Reads one failover action's event.
 * @throws ValidationError listing every problem; nothing has acted on the event at that point
 */
export function readFailoverEvent<A extends keyof typeof FAILOVER_EVENT>(action: A, event: unknown): FailoverEvent<A> {
  // The record step's own fields first: a wrong outcome or no run at all is told before the run's contents.
  if (action === 'record') parseWith(RECORD_HEAD, event, FAILOVER_PLACE);
  return parseWith(FAILOVER_EVENT[action], event, FAILOVER_PLACE) as FailoverEvent<A>;
}
