/** The snapshot λ's events, by action. */
import { optional, unknown } from 'valibot';
import type { ObjectEntries } from 'valibot';
import { SNAPSHOT_ID, TIERS } from '../../domain/snapshots/naming.ts';
import { absentAs, fieldsOf, instantWithZone, isPlainObject, oneOf, stringList, text, wholeNumber } from '../schema.ts';
import type { Output } from '../schema.ts';
import { executionOr, storedDocument } from './read.ts';

/** The snapshot λ, by action (in the order error messages list them). */
export const SNAPSHOT_EVENT = {
  /** The workflow's input as `request` (`scheduledAt` absent on a manual start, then `startedAt` names the run). */
  plan: fieldsOf(
    {
      executionArn: executionOr('manual'),
      request: fieldsOf({ scheduledAt: optional(instantWithZone()), tier: optional(oneOf(TIERS)) }),
      startedAt: optional(instantWithZone()),
    },
    {},
    // `startedAt` names the run only without `request.scheduledAt`, and is then required.
    (fields): ObjectEntries => (isPlainObject(fields['request']) && fields['request']['scheduledAt'] !== undefined ? { startedAt: optional(unknown()) } : { startedAt: instantWithZone() }),
  ),
  create: fieldsOf({ executionArn: executionOr('manual'), scheduledAt: instantWithZone(), tier: optional(oneOf(TIERS)) }),
  check: fieldsOf({
    executionArn: executionOr('manual'),
    snapshotId: text(SNAPSHOT_ID),
    region: oneOf(['primary', 'dr'] as const),
    attempt: wholeNumber(0, 10_000),
    maxAttempts: wholeNumber(1, 10_000),
  }),
  copy: fieldsOf({ executionArn: executionOr('manual'), snapshotId: text(SNAPSHOT_ID) }),
  record: fieldsOf({
    executionArn: executionOr('manual'),
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
