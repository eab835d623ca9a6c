/**
 * Structural rules of a restore test: what the restored copy must satisfy on its own, with no
 * manifest to compare with (issue 11 item 5). Every index usable, every owned sequence ahead of its
 * column, every foreign key and CHECK constraint holding on every row, GIN indexes and heap pages
 * passing amcheck where the engine can check them.
 *
 * Pure: the observations come from the `StructureProbe` port; `verification.ts` turns each
 * {@link StructureVerdict} into a check of the report.
 */
import type { SchemaDescription, TableRef } from './model.ts';
import type { IndexRef } from '../../ports/verification-probe.ts';
import type {
  ConstraintCheckOutcome,
  GinCheckRun,
  HeapCheckRun,
  IndexState,
  SequenceObservation,
} from '../../ports/structure-probe.ts';

/** A structural check's outcome, before `verification.ts` gives it its id and timing. */
export interface StructureVerdict {
  /** Same meaning as a report check's status. */
  readonly status: 'passed' | 'failed' | 'skipped' | 'inconclusive';
  /** One line with the numbers that decided it. */
  readonly evidence: string;
  /** One line per object that failed, could not be judged or was left out, with why. */
  readonly details: readonly string[];
}

/**
 * SQLSTATEs that mean "could not look", not "looked and found damage": no privilege (42501) and a
 * statement cancelled by its timeout (57014). Anything else a check statement raises on a restored
 * copy (a corrupt page, a CHECK expression that errors on a row) is a failure.
 */
const CANNOT_JUDGE_SQLSTATES: ReadonlySet<string> = new Set(['42501', '57014']);

/** How many sample messages of one table the heap check keeps. */
export const HEAP_MESSAGES_KEPT = 5;

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

function cannotJudge(sqlState: string | null): boolean {
  return sqlState !== null && CANNOT_JUDGE_SQLSTATES.has(sqlState);
}

function statusOf(failed: number, undecided: number): StructureVerdict['status'] {
  if (failed > 0) return 'failed';
  return undecided > 0 ? 'inconclusive' : 'passed';
}

/**
 * The GIN indexes of a schema, like `btreeIndexes`: a partitioned parent's indexes have no
 * storage and are left out (each partition's own index is checked).
 */
export function ginIndexes(schema: SchemaDescription): IndexRef[] {
  return schema.tables
    .filter((table) => table.kind !== 'partitioned table')
    .flatMap((table) =>
      table.indexes.filter((index) => index.method === 'gin').map((index) => ({ schema: table.schema, table: table.name, name: index.name })),
    )
    .sort((a, b) => compareText(a.schema, b.schema) || compareText(a.name, b.name));
}

// ---------------------------------------------------------------------------------------------
// index-validity

/**
 * Fails when an index is not valid or not ready. On the source such an index is left by an
 * interrupted `CREATE INDEX CONCURRENTLY` / `REINDEX CONCURRENTLY` (queries ignore it, a unique one
 * still blocks writes); a restored copy carries it over, and promoting that copy carries the
 * problem into production unless someone drops or rebuilds it.
 */
export function judgeIndexValidity(states: readonly IndexState[]): StructureVerdict {
  if (states.length === 0) return { status: 'passed', evidence: 'no indexes', details: [] };
  const bad = states
    .filter((state) => !state.valid || !state.ready)
    .sort((a, b) => compareText(a.index.schema, b.index.schema) || compareText(a.index.name, b.index.name));
  const total = plural(states.length, 'index', 'indexes');
  if (bad.length === 0) return { status: 'passed', evidence: `${total} valid and ready`, details: [] };
  const details = bad.map((state) => {
    const flags = [state.valid ? null : 'not valid', state.ready ? null : 'not ready'].filter((flag) => flag !== null).join(', ');
    const why = state.partitioned
      ? 'a partition lacks its attached index'
      : 'left by a failed CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY; drop it or REINDEX it';
    return `index ${state.index.schema}.${state.index.name} (${state.method}) on ${state.index.schema}.${state.index.table}: ${flags} (${why})`;
  });
  const names = bad.map((state) => `${state.index.schema}.${state.index.name}`).join(', ');
  return { status: 'failed', evidence: `${bad.length} of ${total} not valid or not ready: ${names}`, details };
}

// ---------------------------------------------------------------------------------------------
// sequences

/** The column types whose values a sequence hands out and `bigint` can compare. */
const INTEGER_TYPES: ReadonlySet<string> = new Set(['smallint', 'integer', 'bigint']);

/**
 * Fails when a sequence owned by a column (`serial`, `OWNED BY`, identity) would hand out a value
 * its column already holds or has passed: for an ascending sequence, a next value at or below the
 * column's maximum; for a descending one, at or above its minimum. The next value is `last_value`
 * when `is_called` is false (fresh or `setval(…, false)`), else `last_value + increment`.
 *
 * Not judged, and said so: sequences no column owns (nothing says what they must stay ahead of),
 * CYCLE sequences behind their column (legitimate after a wrap-around), owners of a non-integer
 * type. A sequence or column the role may not read makes the check inconclusive.
 */
export function judgeSequences(observations: readonly SequenceObservation[]): StructureVerdict {
  const details: string[] = [];
  const notes: string[] = [];
  let owned = 0;
  let failed = 0;
  let undecided = 0;
  const unowned: string[] = [];
  const sorted = [...observations].sort(
    (a, b) => compareText(a.sequence.schema, b.sequence.schema) || compareText(a.sequence.name, b.sequence.name),
  );
  for (const observation of sorted) {
    const name = `sequence ${observation.sequence.schema}.${observation.sequence.name}`;
    if (observation.kind === 'unowned') {
      unowned.push(`${observation.sequence.schema}.${observation.sequence.name}`);
      continue;
    }
    owned += 1;
    const owner = `${observation.table.schema}.${observation.table.name}.${observation.column}`;
    if (observation.kind === 'unreadable') {
      if (cannotJudge(observation.sqlState)) {
        undecided += 1;
        details.push(`${name} (owned by ${owner}): not judged, ${observation.error}`);
      } else {
        failed += 1;
        details.push(`${name} (owned by ${owner}): could not be read: ${observation.error}`);
      }
      continue;
    }
    if (!INTEGER_TYPES.has(observation.columnType)) {
      notes.push(`${name} (owned by ${owner}): not judged, the column is ${observation.columnType}`);
      continue;
    }
    if (observation.columnExtreme === null) continue;
    const increment = BigInt(observation.increment);
    const last = BigInt(observation.lastValue);
    const next = observation.isCalled ? last + increment : last;
    const extreme = BigInt(observation.columnExtreme);
    const ascending = increment > 0n;
    const behind = ascending ? next <= extreme : next >= extreme;
    if (!behind) continue;
    const position = `last_value ${observation.lastValue} (is_called ${String(observation.isCalled)}), next value ${next}`;
    const column = ascending ? `${owner} maximum ${observation.columnExtreme}` : `${owner} minimum ${observation.columnExtreme}`;
    if (observation.cycle) {
      notes.push(`${name}: not judged, a CYCLE sequence may legitimately be behind its column after a wrap-around (${position}, ${column})`);
      continue;
    }
    failed += 1;
    details.push(`${name}: ${position} ${ascending ? '<=' : '>='} ${column}: the next insert reuses a value the column holds or has passed`);
  }
  if (unowned.length > 0) {
    notes.push(`${plural(unowned.length, 'sequence')} not owned by a column, not judged (nothing says which values they must stay ahead of): ${unowned.join(', ')}`);
  }
  const status = statusOf(failed, undecided);
  const ownedText = plural(owned, 'sequence owned by a column', 'sequences owned by a column');
  const unownedText = unowned.length > 0 ? `; ${unowned.length} not owned, not judged` : '';
  const evidence =
    status === 'failed'
      ? `${failed} of ${ownedText} behind their column${unownedText}`
      : status === 'inconclusive'
        ? `${undecided} of ${ownedText} could not be read${unownedText}`
        : owned === 0
          ? `no sequences owned by a column${unownedText}`
          : `${ownedText}, each ahead of its column${unownedText}`;
  return { status, evidence, details: [...details, ...notes] };
}

// ---------------------------------------------------------------------------------------------
// foreign-keys, check-constraints

/** What each constraint kind is called in a report. */
const CONSTRAINT_WORDS = {
  'foreign-keys': { one: 'foreign key', many: 'foreign keys', row: 'orphan row', how: 'one anti-join each' },
  'check-constraints': { one: 'CHECK constraint', many: 'CHECK constraints', row: 'violating row', how: 'each re-evaluated on every row' },
} as const;

/**
 * Fails when a constraint the source validated does not hold on some row of the copy: an orphan
 * (a foreign key without its referenced row; with MATCH SIMPLE, a key with a NULL column is never
 * an orphan) or a row whose CHECK expression is false (NULL satisfies a CHECK). `NOT VALID`
 * constraints are listed, not re-checked: the source never promised them for older rows; nor are
 * CHECKs calling a function that is not IMMUTABLE (`CHECK (at <= now())` held when each row was
 * written and proves nothing re-evaluated later).
 */
export function judgeConstraints(kind: keyof typeof CONSTRAINT_WORDS, outcomes: readonly ConstraintCheckOutcome[]): StructureVerdict {
  const words = CONSTRAINT_WORDS[kind];
  const details: string[] = [];
  const notes: string[] = [];
  let violated = 0;
  let errored = 0;
  let undecided = 0;
  let notValid = 0;
  let rows = 0;
  const sorted = [...outcomes].sort(
    (a, b) =>
      compareText(a.constraint.schema, b.constraint.schema) ||
      compareText(a.constraint.table, b.constraint.table) ||
      compareText(a.constraint.name, b.constraint.name),
  );
  for (const outcome of sorted) {
    const name = `${words.one} ${outcome.constraint.name} on ${outcome.constraint.schema}.${outcome.constraint.table}`;
    if (outcome.status === 'not-valid') {
      notValid += 1;
      notes.push(`${name}: NOT VALID, not re-checked (the source never validated its older rows)`);
    } else if (outcome.status === 'not-immutable') {
      notValid += 1;
      notes.push(`${name}: calls ${outcome.functions.join(', ')}, not IMMUTABLE, not re-checked (its value today may differ from when the rows were written)`);
    } else if (outcome.status === 'refused') {
      if (cannotJudge(outcome.sqlState)) {
        undecided += 1;
        details.push(`${name}: not judged, ${outcome.error}`);
      } else {
        errored += 1;
        details.push(`${name}: could not be checked: ${outcome.error}`);
      }
    } else if (outcome.violations > 0) {
      violated += 1;
      rows += outcome.violations;
      const sample = outcome.sample === null ? '' : `, e.g. ${outcome.sample}`;
      details.push(`${name}: ${plural(outcome.violations, words.row)}${sample} (${outcome.definition})`);
    }
  }
  const total = plural(outcomes.length - notValid, words.one, words.many);
  const notValidText = notValid > 0 ? `; ${notValid} not re-checked (NOT VALID or not IMMUTABLE)` : '';
  const status = statusOf(violated + errored, undecided);
  if (outcomes.length === 0) return { status: 'passed', evidence: `no ${words.many}`, details: [] };
  // An error other than privilege or timeout is a failure too, but not a proven violation: said apart.
  const erroredText = errored > 0 ? `${errored} of ${total} failed with an error` : '';
  const violatedText = violated > 0 ? `${violated} of ${total} ${outcomes.length - notValid === 1 ? 'does' : 'do'} not hold (${plural(rows, words.row)})` : '';
  const evidence =
    status === 'failed'
      ? `${[violatedText, erroredText].filter((text) => text !== '').join('; ')}${notValidText}`
      : status === 'inconclusive'
        ? `${undecided} of ${total} could not be checked${notValidText}`
        : `${total} ${outcomes.length - notValid === 1 ? 'holds' : 'hold'} (${words.how})${notValidText}`;
  return { status, evidence, details: [...details, ...notes] };
}

// ---------------------------------------------------------------------------------------------
// gin-indexes

/**
 * Passes when every GIN index passes its check: amcheck's `gin_index_check` (PostgreSQL 18+) or,
 * below 18, a full-index scan counting what a sequential scan counts (the operator classes that
 * have such a query). Indexes no check applies to are named as not checked; when none could be
 * checked the verdict is skipped, never passed: their structure is not verified (docs/restore.md),
 * and a restore should not turn inconclusive for what no tool of the engine can look at.
 * amcheck refused: inconclusive.
 */
export function judgeGinIndexes(indexes: readonly IndexRef[], run: GinCheckRun): StructureVerdict {
  if (indexes.length === 0) return { status: 'skipped', evidence: 'no GIN indexes', details: [] };
  const names = indexes.map((index) => `index ${index.schema}.${index.name}: not checked`);
  if (!run.available) {
    if ('unsupported' in run) {
      return { status: 'skipped', evidence: `${plural(indexes.length, 'GIN index', 'GIN indexes')} not checked: ${run.reason}`, details: names };
    }
    return { status: 'inconclusive', evidence: `amcheck unavailable, no GIN index was checked: ${run.reason}`, details: names };
  }
  const details: string[] = [];
  let failed = 0;
  let skipped = 0;
  let undecided = 0;
  for (const outcome of run.outcomes) {
    const name = `index ${outcome.index.schema}.${outcome.index.name}`;
    if (outcome.status === 'failed') {
      failed += 1;
      details.push(`${name}: ${outcome.message}`);
    } else if (outcome.status === 'inconclusive') {
      undecided += 1;
      details.push(`${name}: not judged, ${outcome.message}`);
    } else if (outcome.status === 'skipped') {
      skipped += 1;
      details.push(`${name}: skipped (${outcome.message})`);
    }
  }
  const total = plural(run.outcomes.length, 'GIN index', 'GIN indexes');
  if (failed > 0) return { status: 'failed', evidence: `${failed} of ${total} failed ${run.detail}`, details };
  if (undecided > 0) return { status: 'inconclusive', evidence: `${undecided} of ${total} could not be checked by ${run.detail}`, details };
  const skippedNote = skipped > 0 ? `, ${skipped} not checked` : '';
  // Nothing checked is never a pass.
  const status = skipped === run.outcomes.length ? 'skipped' : 'passed';
  return { status, evidence: `${run.outcomes.length - skipped} of ${total} passed ${run.detail}${skippedNote}`, details };
}

// ---------------------------------------------------------------------------------------------
// heap-pages

/**
 * Passes when `verify_heapam` reports nothing for any table: page headers, line pointers, tuple
 * headers (xmin/xmax against the commit log, the visibility hint bits) and TOAST pointers. It sees
 * what a full read does not: a tuple whose damaged header makes it invisible is skipped by a read
 * without an error. amcheck refused: inconclusive; an amcheck older than 1.3 (PostgreSQL 13): skipped.
 */
export function judgeHeapPages(run: HeapCheckRun): StructureVerdict {
  // An engine without the tool is not a gap a later run could close (see judgeGinIndexes).
  if (!run.available && run.unsupported === true) return { status: 'skipped', evidence: `no table was checked: ${run.reason}`, details: [] };
  if (!run.available) return { status: 'inconclusive', evidence: `amcheck unavailable, no table was checked: ${run.reason}`, details: [] };
  if (run.outcomes.length === 0) return { status: 'passed', evidence: 'no tables to check', details: [] };
  const details: string[] = [];
  let failed = 0;
  let undecided = 0;
  let problems = 0;
  for (const outcome of run.outcomes) {
    const name = `table ${qualified(outcome.table)}`;
    if (outcome.status === 'refused') {
      if (cannotJudge(outcome.sqlState)) {
        undecided += 1;
        details.push(`${name}: not judged, ${outcome.error}`);
      } else {
        failed += 1;
        details.push(`${name}: could not be checked: ${outcome.error}`);
      }
    } else if (outcome.problems > 0) {
      failed += 1;
      problems += outcome.problems;
      const more = outcome.problems > outcome.messages.length ? ` (first ${outcome.messages.length} shown)` : '';
      details.push(`${name}: ${plural(outcome.problems, 'corruption report')}${more}`, ...outcome.messages.map((message) => `  ${message}`));
    }
  }
  const total = plural(run.outcomes.length, 'table');
  const how = `verify_heapam with TOAST, ${run.detail}`;
  const status = statusOf(failed, undecided);
  const evidence =
    status === 'failed'
      ? `${failed} of ${total} failed ${how} (${plural(problems, 'corruption report')})`
      : status === 'inconclusive'
        ? `${undecided} of ${total} could not be checked by ${how}`
        : `${run.outcomes.length} of ${total} passed ${how}`;
  return { status, evidence, details };
}

function qualified(table: TableRef): string {
  return `${table.schema}.${table.name}`;
}
