/**
 * The parts the two stored readings of the bracket share (the manifest, reading A, and reading B):
 * write counters, ledger observations, large-object and content tallies; and how a stored document's
 * text is read as JSON. Each part is declared once here against its domain model type.
 */
import { boolean, custom, nullable, optional, picklist, pipe, string } from 'valibot';
import type { CounterReading, ServerState, TableCounters } from '../../domain/verification/bracket-model.ts';
import type { ColumnTally, ContentReading, LargeObjectTally, TableContent } from '../../domain/verification/content-model.ts';
import type { LedgerObservation, TriggerEnabled } from '../../domain/verification/exact-counts-model.ts';
import { ValidationError } from '../../shared/errors.ts';
import { entriesOf, isPlainObject, listOf, members, must, unchecked, type Schema } from '../schema.ts';

/**
 * The JSON value of a stored document's text.
 *
 * @throws ValidationError `<label>: not JSON (…)` (with the parser's error as cause)
 */
export function jsonOf(text: string, label: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError([`${label}: not JSON (${(error as Error).message})`], { cause: error });
  }
}

/** A string field. */
export const aString: Schema<string> = string(must('a string'));

/** A string or null. */
export const aStringOrNull: Schema<string | null> = nullable(string(must('a string or null')));

/** A boolean field. */
export const aBoolean: Schema<boolean> = boolean(must('a boolean'));

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A non-negative safe integer; `what` words the problem. */
export function aCount(what = 'a non-negative integer'): Schema<number> {
  return custom<number>(isCount, must(what));
}

const DECIMAL = /^-?\d+$/;

/** A decimal integer in a string (sums that outgrow a JSON number). */
function decimal(what: string): Schema<string> {
  return custom<string>((value) => typeof value === 'string' && DECIMAL.test(value), must(what));
}

const SERVER_STATE: Schema<ServerState> = members({ clock: aString, startedAt: aString, statsResetAt: aStringOrNull }, must('an object'));

const TABLE_COUNTERS: Schema<TableCounters> = members(
  {
    inserted: aCount(),
    deleted: aCount(),
    updated: optional(aCount('a non-negative integer when present')),
    storage: aString,
    unlogged: aBoolean,
  },
  must('an object'),
);

/** The write counters of a reading (A's `counters`, B's `counters`). */
export const COUNTER_READING: Schema<CounterReading> = members({ server: SERVER_STATE, tables: entriesOf(TABLE_COUNTERS, must('an object')) }, must('an object'));

function isIntegerOrNull(value: unknown): value is number | null {
  return value === null || (typeof value === 'number' && Number.isSafeInteger(value));
}

const INTEGER_OR_NULL = custom<number | null>(isIntegerOrNull, must('an integer or null'));

const LEDGER_OBSERVATION: Schema<LedgerObservation> = pipe(
  custom<Record<string, unknown>>((value) => isPlainObject(value) && typeof value['table'] === 'string', must('an object with a table name')),
  members(
    {
      table: aString,
      // Not checked: the judging reads the table, its count and its ledger.
      tableExists: unchecked<boolean>(),
      ledgerInstalled: unchecked<boolean>(),
      triggers: unchecked<readonly { readonly name: string; readonly enabled: TriggerEnabled | null }[]>(),
      count: INTEGER_OR_NULL,
      ledger: INTEGER_OR_NULL,
    },
    must('an object'),
  ),
);

/** Exact mode: the ledger observations of a reading (what the judging reads of them is checked). */
export const LEDGER_READING: Schema<LedgerObservation[]> = listOf(() => LEDGER_OBSERVATION, must('an array'));

/** The large objects of a reading. */
export const LARGE_OBJECT_TALLY: Schema<LargeObjectTally> = members({ count: aCount(), oidSum: decimal('a decimal integer string') }, must('an object { count, oidSum }'));

const MEASURE: Schema<string> = picklist(['nulls', 'zeros', 'empty'], 'unknown measure (allowed: nulls, zeros, empty)');

const COLUMN_TALLY: Schema<ColumnTally> = entriesOf(aCount(), must('an object'), MEASURE);

const TABLE_CONTENT: Schema<TableContent> = members(
  {
    rows: aCount(),
    digest: nullable(decimal('a decimal integer string or null')),
    columns: entriesOf(COLUMN_TALLY, must('an object')),
  },
  must('an object'),
);

/** Reading A's content tallies (manifest `content`). */
export const CONTENT_READING: Schema<ContentReading> = members(
  {
    seed: custom<number>((value) => typeof value === 'number' && Number.isSafeInteger(value), must('an integer')),
    digest: aBoolean,
    tables: entriesOf(TABLE_CONTENT, must('an object')),
  },
  must('an object { seed, digest, tables }'),
);
