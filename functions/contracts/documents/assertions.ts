/**
 * The user's restore-test assertions (configuration `restoreTest.assertions`, the verify function's
 * `ASSERTIONS`): their schema, declared once against the domain's {@link UserAssertion}.
 */
import { check, custom, lazy, optional, pipe, rawCheck, string } from 'valibot';
import { DEFAULT_ASSERTION_TIMEOUT_SECONDS, MAX_ASSERTION_TIMEOUT_SECONDS, type AssertionExpectation, type UserAssertion } from '../../domain/verification/report-model.ts';
import { isNot, isPlainObject, listOf, members, parseWith, say, shown, unchecked, wholeNumber, type Schema } from '../schema.ts';

const ASSERTION_FIELDS = ['name', 'query', 'expect', 'timeoutSeconds'];
const EXPECT_OPERATORS = ['equals', 'atLeast', 'atMost', 'between'] as const;
const ASSERTION_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const EXPECT_SHAPE = `an object with exactly one of ${EXPECT_OPERATORS.join(', ')}`;

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

const FINITE: Schema<number> = custom<number>(isFiniteNumber, isNot('a finite number'));

/** The schema of each operator's operand. */
const OPERATORS: Readonly<Record<(typeof EXPECT_OPERATORS)[number], Schema<AssertionExpectation>>> = {
  equals: members(
    {
      equals: custom<number | string | boolean | null>(
        (value) => value === null || typeof value === 'string' || typeof value === 'boolean' || isFiniteNumber(value),
        isNot('a finite number, a string, a boolean or null'),
      ),
    },
    say(EXPECT_SHAPE),
  ),
  atLeast: members({ atLeast: FINITE }, say(EXPECT_SHAPE)),
  atMost: members({ atMost: FINITE }, say(EXPECT_SHAPE)),
  between: members(
    {
      between: custom<readonly [number, number]>((value) => {
        if (!Array.isArray(value) || value.length !== 2) return false;
        const [min, max] = value as unknown[];
        return isFiniteNumber(min) && isFiniteNumber(max) && min <= max;
      }, isNot('[min, max] with finite numbers and min <= max')),
    },
    say(EXPECT_SHAPE),
  ),
};

function isOperator(key: string): key is (typeof EXPECT_OPERATORS)[number] {
  return (EXPECT_OPERATORS as readonly string[]).includes(key);
}

/**
 * An expectation: an object with exactly one known operator. Unknown operators are reported (each at
 * its key) before anything else; then the number of operators; then the operand.
 */
const EXPECTATION: Schema<AssertionExpectation> = pipe(
  unchecked<unknown>(),
  rawCheck(({ dataset, addIssue }) => {
    const input = dataset.value;
    if (!isPlainObject(input)) return;
    for (const key of Object.keys(input).filter((name) => !isOperator(name))) {
      addIssue({
        message: `unknown operator (allowed: ${EXPECT_OPERATORS.join(', ')})`,
        path: [{ type: 'object', origin: 'value', input, key, value: input[key] }],
      });
    }
  }),
  rawCheck(({ dataset, addIssue }) => {
    const input = dataset.value;
    if (!isPlainObject(input) || dataset.issues !== undefined) return;
    const keys = Object.keys(input);
    if (keys.length !== 1) addIssue({ message: `has ${keys.length === 0 ? 'no operator' : keys.join(' and ')}, needs exactly one of ${EXPECT_OPERATORS.join(', ')}` });
  }),
  // The one operator's operand (a value that is not an object is worded by any of them).
  lazy((value) => {
    const key = isPlainObject(value) ? Object.keys(value)[0] : undefined;
    return key !== undefined && isOperator(key) ? OPERATORS[key] : OPERATORS.equals;
  }),
);

/** The first earlier item with this name (only a name that is free is accepted), or -1. */
function firstUse(items: readonly unknown[], index: number, name: string): number {
  return items.slice(0, index).findIndex((item) => isPlainObject(item) && item['name'] === name);
}

/** The assertion at `index` of the list at `path`: its name must not be used by an earlier one. */
function assertionAt(path: string, index: number, items: readonly unknown[]): Schema<UserAssertion> {
  return members(
    {
      name: pipe(
        // One check, not text(): an empty name is one problem, not two (length and pattern).
        custom<string>((name) => typeof name === 'string' && ASSERTION_NAME.test(name), say(`a name matching ${ASSERTION_NAME.source}`)),
        rawCheck(({ dataset, addIssue }) => {
          // Only a well-formed name is looked up (a malformed one is reported as such).
          if (!dataset.typed || dataset.issues !== undefined) return;
          const first = firstUse(items, index, dataset.value);
          if (first !== -1) addIssue({ message: `${shown(dataset.value)} is already used by ${path}[${first}]` });
        }),
      ),
      query: pipe(string(say('a non-empty SQL query')), check((query) => query.trim() !== '', say('a non-empty SQL query'))),
      expect: EXPECTATION,
      timeoutSeconds: optional(wholeNumber(1, MAX_ASSERTION_TIMEOUT_SECONDS), DEFAULT_ASSERTION_TIMEOUT_SECONDS),
    },
    isNot('an object with name, query and expect'),
    () => `unknown field (allowed: ${ASSERTION_FIELDS.join(', ')})`,
  );
}

/** The assertions of a list reported at `path` (`restoreTest.assertions`, `ASSERTIONS`). */
export function assertionsSchema(path: string): Schema<UserAssertion[]> {
  return listOf((index, items) => assertionAt(path, index, items), isNot('an array of assertions'));
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
  return parseWith(assertionsSchema(path), value, { label: path, prefix: path });
}
