/**
 * User assertions from configuration: `parseAssertions` validates them (exact messages naming each
 * field) and applies the default timeout. The assertion's shape is in `report-model.ts`, its check
 * in `assertion-check.ts`, the verification run in `run-verification.ts`.
 */
import type { AssertionExpectation, UserAssertion } from './report-model.ts';
import { DEFAULT_ASSERTION_TIMEOUT_SECONDS, MAX_ASSERTION_TIMEOUT_SECONDS } from './report-model.ts';
import { ValidationError } from '../../shared/errors.ts';

// ---------------------------------------------------------------------------------------------
// Assertion config

const ASSERTION_FIELDS = ['name', 'query', 'expect', 'timeoutSeconds'];
const EXPECT_OPERATORS = ['equals', 'atLeast', 'atMost', 'between'];
const ASSERTION_NAME = /^[a-z][a-z0-9-]{0,62}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function parseExpectation(value: unknown, path: string, problems: string[]): AssertionExpectation | null {
  const shape = `an object with exactly one of ${EXPECT_OPERATORS.join(', ')}`;
  if (value === undefined) {
    problems.push(`${path}: required, ${shape}`);
    return null;
  }
  if (!isRecord(value)) {
    problems.push(`${path}: ${show(value)} is not ${shape}`);
    return null;
  }
  const keys = Object.keys(value);
  const unknown = keys.filter((key) => !EXPECT_OPERATORS.includes(key));
  for (const key of unknown) problems.push(`${path}.${key}: unknown operator (allowed: ${EXPECT_OPERATORS.join(', ')})`);
  if (unknown.length > 0) return null;
  if (keys.length !== 1) {
    problems.push(`${path}: has ${keys.length === 0 ? 'no operator' : keys.join(' and ')}, needs exactly one of ${EXPECT_OPERATORS.join(', ')}`);
    return null;
  }
  const operator = keys[0] as string;
  const operand = value[operator];
  const at = `${path}.${operator}`;
  switch (operator) {
    case 'equals':
      if (operand === null || typeof operand === 'string' || typeof operand === 'boolean' || isFiniteNumber(operand)) {
        return { equals: operand };
      }
      problems.push(`${at}: ${show(operand)} is not a finite number, a string, a boolean or null`);
      return null;
    case 'atLeast':
    case 'atMost':
      if (isFiniteNumber(operand)) return operator === 'atLeast' ? { atLeast: operand } : { atMost: operand };
      problems.push(`${at}: ${show(operand)} is not a finite number`);
      return null;
    default: {
      const pair = Array.isArray(operand) ? (operand as unknown[]) : null;
      const [min, max] = pair ?? [];
      if (pair !== null && pair.length === 2 && isFiniteNumber(min) && isFiniteNumber(max) && min <= max) {
        return { between: [min, max] };
      }
      problems.push(`${at}: ${show(operand)} is not [min, max] with finite numbers and min <= max`);
      return null;
    }
  }
}

/**
 * Validates user assertions from config and applies the default timeout. Example element:
 * `{ "name": "no-negative-totals", "query": "select count(*) from shop.orders where total < 0",
 * "expect": { "equals": 0 } }`.
 *
 * @param path the config path of the list, used in messages (`assertions[2].expect.atLeast: …`)
 * @throws ValidationError listing every problem, each naming its field
 */
export function parseAssertions(value: unknown, path = 'assertions'): UserAssertion[] {
  if (!Array.isArray(value)) throw new ValidationError([`${path}: ${show(value)} is not an array of assertions`]);
  const problems: string[] = [];
  const assertions: UserAssertion[] = [];
  const names = new Map<string, number>();
  (value as unknown[]).forEach((item, index) => {
    const at = `${path}[${index}]`;
    if (!isRecord(item)) {
      problems.push(`${at}: ${show(item)} is not an object with name, query and expect`);
      return;
    }
    for (const key of Object.keys(item)) {
      if (!ASSERTION_FIELDS.includes(key)) problems.push(`${at}.${key}: unknown field (allowed: ${ASSERTION_FIELDS.join(', ')})`);
    }
    const { name, query, timeoutSeconds } = item;
    let valid = true;
    if (typeof name !== 'string' || !ASSERTION_NAME.test(name)) {
      const what = `a name matching ${ASSERTION_NAME.source}`;
      problems.push(name === undefined ? `${at}.name: required, ${what}` : `${at}.name: ${show(name)} is not ${what}`);
      valid = false;
    } else {
      const first = names.get(name);
      if (first === undefined) names.set(name, index);
      else {
        problems.push(`${at}.name: ${show(name)} is already used by ${path}[${first}]`);
        valid = false;
      }
    }
    if (typeof query !== 'string' || query.trim() === '') {
      const what = 'a non-empty SQL query';
      problems.push(query === undefined ? `${at}.query: required, ${what}` : `${at}.query: ${show(query)} is not ${what}`);
      valid = false;
    }
    const expect = parseExpectation(item['expect'], `${at}.expect`, problems);
    let timeout = DEFAULT_ASSERTION_TIMEOUT_SECONDS;
    if (timeoutSeconds !== undefined) {
      if (
        typeof timeoutSeconds === 'number' &&
        Number.isInteger(timeoutSeconds) &&
        timeoutSeconds >= 1 &&
        timeoutSeconds <= MAX_ASSERTION_TIMEOUT_SECONDS
      ) {
        timeout = timeoutSeconds;
      } else {
        problems.push(`${at}.timeoutSeconds: ${show(timeoutSeconds)} is not an integer from 1 to ${MAX_ASSERTION_TIMEOUT_SECONDS}`);
        valid = false;
      }
    }
    if (valid && expect !== null) {
      assertions.push({ name: name as string, query: query as string, expect, timeoutSeconds: timeout });
    }
  });
  if (problems.length > 0) throw new ValidationError(problems);
  return assertions;
}
