/**
 * The recovery objectives as the RPO monitor receives them (`OBJECTIVES`, JSON of the
 * configuration's `objectives`): every failure mode present, each null or
 * `{ rpoSeconds >= 0, rtoSeconds >= 1 }` integers.
 */
import { nullable } from 'valibot';
import { FAILURE_MODES, type FailureMode, type RecoveryObjective, type RecoveryObjectives } from '../domain/rpo/objectives.ts';
import { closed, fields, problemsOf, wholeNumber, worded, type Schema } from './schema.ts';

const seconds = (min: number): Schema<number> => wholeNumber(min, Number.MAX_SAFE_INTEGER, undefined, worded(`is not an integer >= ${min}`, 'missing'));

const objective: Schema<RecoveryObjective | null> = nullable(
  fields({ rpoSeconds: seconds(0), rtoSeconds: seconds(1) } satisfies Record<keyof RecoveryObjective, Schema<number>>, undefined, 'must be null or { rpoSeconds, rtoSeconds }'),
);

/** `OBJECTIVES`: the four failure modes' targets, unknown modes named first. */
export const RECOVERY_OBJECTIVES: Schema<RecoveryObjectives> = closed(
  fields(Object.fromEntries(FAILURE_MODES.map((mode) => [mode, objective])) as Record<FailureMode, typeof objective>, undefined, `must be a JSON object with keys ${FAILURE_MODES.join(', ')}`),
  FAILURE_MODES,
  `unknown failure mode; allowed: ${FAILURE_MODES.join(', ')}`,
);

/** Every problem of an `OBJECTIVES` value, each naming its field; empty means usable. */
export function objectivesProblems(value: unknown): string[] {
  return problemsOf(RECOVERY_OBJECTIVES, value, { label: '', prefix: '' });
}
