/**
 * The retention settings as the retention λ receives them (`RETENTION_POLICY`, JSON of the
 * configuration's `retention`): one schema, in the planner's wording, so a bad deployment fails the
 * cold start naming each field.
 */
import { rawCheck, pipe } from 'valibot';
import { MAX_DELETES_PER_SECOND, RETENTION_SETTING_KEYS, type RetentionSettings } from '../domain/retention/model.ts';
import { closed, fields, finiteNumber, problemsOf, wholeNumber, worded, type Schema } from './schema.ts';

/** A whole number from `min`, as the planner words it (`-1 must be an integer >= 0`). */
const count = (min: number): Schema<number> => wholeNumber(min, Number.MAX_SAFE_INTEGER, undefined, worded(`must be an integer >= ${min}`, 'missing'));

/** The four tiers, in the order the rule about them names them. */
const TIER_KEYS = ['daily', 'weekly', 'monthly', 'yearly'] as const;

/**
 * `RETENTION_POLICY`: every key of {@link RetentionSettings}, unknown ones named first. The quota
 * relation (`quotaHeadroom` below the account's quota) is checked at planning time, when the real
 * quota is known.
 */
export const RETENTION_SETTINGS: Schema<RetentionSettings> = pipe(
  closed(
    fields(
      {
        deletesPerSecond: finiteNumber(Number.MIN_VALUE, MAX_DELETES_PER_SECOND, undefined, worded(`must be a number > 0 and <= ${MAX_DELETES_PER_SECOND}`, 'missing')),
        daily: count(0),
        weekly: count(0),
        monthly: count(0),
        yearly: count(0),
        minimumCount: count(1),
        maxVerifiedAgeHours: finiteNumber(Number.MIN_VALUE, Infinity, undefined, worded('must be a number > 0', 'missing')),
        quotaHeadroom: count(0),
      } satisfies Record<keyof RetentionSettings, Schema<number>>,
      undefined,
      `must be a JSON object with ${RETENTION_SETTING_KEYS.join(', ')}`,
    ),
    RETENTION_SETTING_KEYS,
    `unknown setting; allowed: ${RETENTION_SETTING_KEYS.join(', ')}`,
  ),
  rawCheck(({ dataset, addIssue }) => {
    // Whatever else is wrong: four valid tiers that all keep nothing would expire everything.
    const value = dataset.value as Partial<Record<string, unknown>> | null;
    if (typeof value !== 'object' || value === null) return;
    if (TIER_KEYS.every((tier) => value[tier] === 0)) addIssue({ message: 'daily, weekly, monthly, yearly: all are 0, so the policy would keep nothing; keep at least one tier' });
  }),
) as Schema<RetentionSettings>;

/** Every problem of a `RETENTION_POLICY` value, each naming its field; empty means usable. */
export function retentionSettingsProblems(value: unknown): string[] {
  return problemsOf(RETENTION_SETTINGS, value, { label: '', prefix: '' });
}
