/** The restore λ's events, by action. */
import { custom, nullish, optional, pipe, rawCheck, unknown } from 'valibot';
import type { ObjectEntries } from 'valibot';
import { DB_ID, SNAPSHOT_ID } from '../../domain/snapshots/naming.ts';
import { absentAs, fieldsOf, flag, isPlainObject, orNull, say, text, wholeNumber } from '../schema.ts';
import type { Output } from '../schema.ts';
import { eachOf, executionOr, flagRequired, isInstant, isText, readAbsent, storedDocument } from './read.ts';

const restoreSeconds = () => orNull(wholeNumber(0, 10 * 86_400));

/**
 * The point-in-time restore's request: `targetTime` is `"latest"` or an ISO-8601 instant with a zone
 * (kept as written), judged after the other fields; a value that is not text is reported as such,
 * then as the empty text it was read as (as the hand-written reader did).
 */
function pitrRequest() {
  const asText = (value: unknown): string => (typeof value === 'string' ? value : '');
  return pipe(
    fieldsOf({ executionArn: executionOr('manual'), targetTime: readAbsent(eachOf<string>([isText, say('a non-empty string')])), name: text() }),
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
      executionArn: executionOr('manual'),
      request: optional(fieldsOf({ snapshotId: optional(text(SNAPSHOT_ID)) })),
      snapshotId: optional(text(SNAPSHOT_ID)),
    },
    {},
    // With `request`, the event's own `snapshotId` is not read.
    (fields): ObjectEntries => (fields['request'] === undefined ? {} : { snapshotId: optional(unknown()) }),
  ),
  restore: fieldsOf({ executionArn: executionOr('manual'), snapshotId: text(SNAPSHOT_ID) }),
  check: fieldsOf({ executionArn: executionOr('manual'), identifier: text(DB_ID), attempt: wholeNumber(0, 10_000), maxAttempts: wholeNumber(1, 10_000) }),
  /** `passed` may be absent when `inconclusive` is given (the checks could not run). */
  verdict: fieldsOf(
    {
      executionArn: executionOr('manual'),
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
  tag: fieldsOf({ executionArn: executionOr('manual'), snapshotId: text(SNAPSHOT_ID), passed: flagRequired(), inconclusive: flag(false) }),
  /** By snapshot id on failure paths, where the restore may not have returned its identifier. */
  delete: fieldsOf(
    { executionArn: executionOr('manual'), snapshotId: optional(text(SNAPSHOT_ID)), identifier: optional(text(DB_ID)) },
    {},
    // The identifier is required, and read, only without a snapshot id.
    (fields): ObjectEntries => (fields['snapshotId'] === undefined ? { identifier: text(DB_ID) } : { identifier: optional(unknown()) }),
  ),
  sweep: fieldsOf({ executionArn: executionOr('schedule') }),
  pitr: pitrRequest(),
  'pitr-record': fieldsOf({
    executionArn: executionOr('manual'),
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
