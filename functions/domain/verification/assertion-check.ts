/** The checks of user assertions (`assertion:<name>`): one SQL value against its expectation. */
import type { AssertionObservation } from '../../ports/verification-probe.ts';
import type { AssertionCheckId, AssertionExpectation, CheckVerdict, UserAssertion } from './report-model.ts';
import { plural, verdict } from './verdict.ts';

const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function describeValue(value: string | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return String(value);
  return NUMBER_TEXT.test(value) ? value : JSON.stringify(value);
}

/** How an expectation reads in evidence: `equals 0`, `at least 4`, `between 1 and 5`. */
export function describeExpectation(expect: AssertionExpectation): string {
  if ('equals' in expect) {
    const value = expect.equals;
    return `equals ${value === null ? 'NULL' : typeof value === 'string' ? JSON.stringify(value) : String(value)}`;
  }
  if ('atLeast' in expect) return `at least ${expect.atLeast}`;
  if ('atMost' in expect) return `at most ${expect.atMost}`;
  return `between ${expect.between[0]} and ${expect.between[1]}`;
}

/** True when `value` meets `expect`; a string when it cannot be compared (the reason). */
function meets(value: string | boolean | null, expect: AssertionExpectation): boolean | string {
  if ('equals' in expect && typeof expect.equals !== 'number') return value === expect.equals;
  const number = typeof value === 'string' && NUMBER_TEXT.test(value) ? Number(value) : null;
  if (number === null || !Number.isFinite(number)) return `${describeValue(value)} is not a number`;
  if ('equals' in expect) return number === expect.equals;
  if ('atLeast' in expect) return number >= expect.atLeast;
  if ('atMost' in expect) return number <= expect.atMost;
  return number >= expect.between[0] && number <= expect.between[1];
}

/**
 * Passes when the query returned exactly one row with one column whose value meets the
 * expectation. A query the server refused or cancelled (a write in the read-only transaction, a
 * timeout, a syntax error) fails with the server's message.
 */
export function judgeAssertion(
  assertion: UserAssertion,
  outcome: AssertionObservation | { readonly error: string },
): CheckVerdict {
  const id: AssertionCheckId = `assertion:${assertion.name}`;
  const expected = describeExpectation(assertion.expect);
  const details = [`query: ${assertion.query}`, `expected: ${expected}`];
  if ('error' in outcome) return verdict(id, 'failed', `query failed: ${outcome.error}`, details);
  if (outcome.rows !== 1 || outcome.columns !== 1) {
    return verdict(
      id,
      'failed',
      `returned ${plural(outcome.rows, 'row')} of ${plural(outcome.columns, 'column')}; an assertion must return exactly one value`,
      details,
    );
  }
  const result = meets(outcome.value, assertion.expect);
  if (typeof result === 'string') return verdict(id, 'failed', `returned ${result} (expected ${expected})`, details);
  return verdict(id, result ? 'passed' : 'failed', `returned ${describeValue(outcome.value)} (expected ${expected})`, details);
}
