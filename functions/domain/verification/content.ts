/**
 * The content checks of a restore test: damage that leaves every row count intact.
 *
 * Three damages pass the row-count bracket unseen: a row swapped for another (one lost, one
 * invented: same count), a column nulled or zeroed in many rows, large objects lost. Reading A
 * (the manifest) therefore records, in the same repeatable-read transaction as the row counts and
 * by the same scan of each table (`FROM ONLY`, see below):
 *
 * - per column, how many rows hold NULL (nullable columns), 0 (numeric columns) and `''` (text
 *   columns): the *tallies*;
 * - an order-independent digest of every row: `sum(hashtextextended(row::text, seed))`, exact
 *   (`numeric`, no wrap-around), so it does not depend on the physical order a restore or a
 *   VACUUM leaves the rows in;
 * - the number of large objects and the sum of their OIDs.
 *
 * **Column bracket ('table-content').** With the write counters of readings A and B
 * (`n_tup_ins`, `n_tup_upd`, `n_tup_del`; see `bracket.ts` for why every write committed between
 * A's scan and the snapshot point is in the deltas), a column's restored tally `N_C` is sound iff
 *
 * ```
 * |N_C − N_A|  ≤  (ins_B − ins_A) + (upd_B − upd_A) + (del_B − del_A)  =  W
 * ```
 *
 * Proof. Let `s_0` be the table at A's scan and `s_k` the table at the snapshot point, reached by
 * the committed row writes `w_1 … w_k` in commit order. A row write touches one row version: an
 * insert adds one row, a delete removes one, an update replaces one row by one row. A tally counts
 * the rows meeting a per-row predicate (`c IS NULL`, `c = 0`, `c = ''`), so each `w_i` changes it
 * by −1, 0 or +1: `|N(s_i) − N(s_{i−1})| ≤ 1`, and by the triangle inequality
 * `|N(s_k) − N(s_0)| ≤ k`. PostgreSQL counts every such row write in `n_tup_ins`, `n_tup_upd` or
 * `n_tup_del` of the table that holds the row (aborted ones too, which only add to `W`), so
 * `k ≤ W`. The scans use `FROM ONLY`: rows of inheritance children are written under the
 * children's counters, so including them would break `k ≤ W`. What the counters cannot describe
 * (a reset, a restart, a TRUNCATE or rewrite, an unsettled reading B) makes the table inconclusive,
 * exactly as for the row counts. `test/unit/content.test.ts` checks the bound by property.
 *
 * **Digest of a quiet table.** When `W = 0` (no insert, update or delete counted, same storage,
 * readings sound), no row was written between A's scan and the snapshot point, so the restored
 * table must hold exactly the rows A digested: equal digest and count, or the table is `failed` by
 * name. A swapped row changes the sum unless two different rows hash alike (2⁻⁶⁴). `row::text`
 * depends on session settings (dates, time zone, float digits, interval and bytea output, money's
 * locale, and `search_path` for `reg*` columns), so both sides pin them ({@link DIGEST_SETTINGS}).
 * A column added without a rewrite (`ADD COLUMN … DEFAULT`) changes `row::text` without any
 * counter: the digest is then not compared (the schema check reports the change).
 *
 * **Large objects ('large-objects').** No write counters exist for large objects. When A and B
 * saw the same count and OID sum, the restored copy must match exactly; when they differ, nothing
 * bounds the restored values and the check is inconclusive. A large object created and another
 * deleted between A and B with the same OID sum, or contents rewritten in place (`lo_put`), are not
 * seen: the check proves the set of large objects, not their bytes.
 *
 * Pure: no SQL, no clock.
 */
import type { ColumnDescription, SchemaDescription, TableDescription, TableRef } from './model.ts';
import type { CounterReading, SettleOutcome, TableCounters } from './bracket-model.ts';
import { globalReasons, tableBounds } from './bracket.ts';
import type { ColumnPlan, ContentMeasure, ContentReading, ContentRequest, LargeObjectTally, TableContent } from './content-model.ts';

/** `schema.table` (as `manifest.ts` names tables; not imported, so the manifest can import this module). */
function qualifiedName(table: TableRef): string {
  return `${table.schema}.${table.name}`;
}

/** The seed of the digests (any fixed 64-bit value does; stored in the manifest anyway). */
export const DIGEST_SEED = 20261203;

/**
 * Session settings pinned while digesting, on both sides (`SET LOCAL`): each changes the text form
 * of some type. DateStyle and TimeZone: date, timestamp, timestamptz. extra_float_digits 1: the
 * shortest exact form of float4/float8 (the default since PostgreSQL 12, but a parameter group may
 * change it). IntervalStyle: interval. bytea_output: bytea. lc_monetary: money. search_path: the
 * names `regclass`, `regtype`, … print as. https://www.postgresql.org/docs/15/runtime-config-client.html
 */
export const DIGEST_SETTINGS: Readonly<Record<string, string>> = {
  DateStyle: 'ISO, YMD',
  TimeZone: 'UTC',
  extra_float_digits: '1',
  IntervalStyle: 'iso_8601',
  bytea_output: 'hex',
  lc_monetary: 'C',
  search_path: 'pg_catalog, pg_temp',
};

const NUMERIC_TYPE = /^(smallint|integer|bigint|real|double precision|numeric(\(\d+(,\s*-?\d+)?\))?)$/;
const TEXT_TYPE = /^(text|character varying(\(\d+\))?|character(\(\d+\))?)$/;

/** The measures of a column, from its description: nulls if nullable, zeros if numeric, empty if text. */
export function columnMeasures(column: ColumnDescription): ContentMeasure[] {
  const measures: ContentMeasure[] = [];
  if (column.nullable) measures.push('nulls');
  if (NUMERIC_TYPE.test(column.type)) measures.push('zeros');
  if (TEXT_TYPE.test(column.type)) measures.push('empty');
  return measures;
}

/** The column plan of a table: every column with at least one measure, in ordinal order. */
export function columnPlan(table: TableDescription): ColumnPlan[] {
  return table.columns.map((column) => ({ column: column.name, measures: columnMeasures(column) })).filter((plan) => plan.measures.length > 0);
}

/** Reading A's requests: every counted table, with its plan and the digest when enabled. */
export function contentRequests(schema: SchemaDescription, tables: readonly TableRef[], digest: boolean): ContentRequest[] {
  const byName = new Map(schema.tables.map((table) => [qualifiedName(table), table]));
  return tables.map((table) => {
    const description = byName.get(qualifiedName(table));
    return { table, columns: description === undefined ? [] : columnPlan(description), digest };
  });
}

// ---------------------------------------------------------------------------------------------
// Judging

/** Per-table outcome of 'table-content'. */
export interface TableContentJudgement {
  readonly table: string;
  readonly status: 'passed' | 'failed' | 'inconclusive';
  /** `W = Δins + Δupd + Δdel`; null when the counters cannot bound the table. */
  readonly width: number | null;
  /** True when the digest was compared (a quiet table). */
  readonly digestCompared: boolean;
  /** One line per column tally outside its bracket, or the digest difference. */
  readonly problems: readonly string[];
  /** Why the table is inconclusive, or why its digest was not compared. */
  readonly note?: string;
}

/** The width `W` of a table's column bracket, or the reason the counters cannot bound it. */
export function contentWidth(before: TableCounters, after: TableCounters): number | string {
  if (before.updated === undefined || after.updated === undefined) {
    return `no update counter in reading ${before.updated === undefined ? 'A' : 'B'} (captured before n_tup_upd was recorded)`;
  }
  const bounds = tableBounds(0, before, after);
  if (typeof bounds === 'string') return bounds;
  if (after.updated < before.updated) return `counters went backwards (updated ${before.updated} -> ${after.updated}): the table's statistics were reset`;
  return after.inserted - before.inserted + (after.updated - before.updated) + (after.deleted - before.deleted);
}

/** True iff a restored tally is inside its bracket: `|restored − before| ≤ width`. */
export function tallyInBracket(before: number, restored: number, width: number): boolean {
  return Math.abs(restored - before) <= width;
}

/** Input of {@link judgeContent}. */
export interface ContentInput {
  /** Reading A's content. */
  readonly before: ContentReading;
  /** A's counters, B's counters and wait (null when missing). */
  readonly countersBefore: CounterReading | null;
  readonly countersAfter: CounterReading | null;
  readonly settle: SettleOutcome | null;
  /** A's schema and the restored schema: the digest is compared only where a table's columns are unchanged. */
  readonly schemaBefore: SchemaDescription;
  readonly schemaRestored: SchemaDescription;
  /** The restored scan per table (a string: why it could not be scanned); absent: table missing. */
  readonly restored: Readonly<Record<string, TableContent | string>>;
}

/** Output of {@link judgeContent}. */
export interface ContentJudgement {
  readonly status: 'passed' | 'failed' | 'inconclusive';
  readonly tables: readonly TableContentJudgement[];
  readonly globalReasons: readonly string[];
}

function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

function columnsKey(table: TableDescription | undefined): string | null {
  return table === undefined ? null : JSON.stringify(table.columns.map((c) => [c.name, c.type]));
}

/**
 * What to scan in the restored copy, given the readings: every table of A's content with the
 * columns A tallied that the restored table still has with the same type, and the digest only for
 * the tables {@link judgeContent} will compare it for (quiet, columns unchanged, digested in A).
 */
export function restoredRequests(input: Omit<ContentInput, 'restored'>): ContentRequest[] {
  const restoredTables = new Map(input.schemaRestored.tables.map((t) => [qualifiedName(t), t]));
  const global = globalReasons(input.countersBefore, input.countersAfter, input.settle);
  return Object.keys(input.before.tables)
    .sort(compareText)
    .flatMap((name) => {
      const table = restoredTables.get(name);
      if (table === undefined || table.kind !== 'table') return [];
      return [{ table: { schema: table.schema, name: table.name }, columns: sharedPlan(input, name, table), digest: global.length === 0 && digestComparable(input, name) === null }];
    });
}

/** The plan of the columns A tallied that the restored table has with the same type. */
function sharedPlan(input: Omit<ContentInput, 'restored'>, name: string, restored: TableDescription): ColumnPlan[] {
  const beforeTable = input.schemaBefore.tables.find((t) => qualifiedName(t) === name);
  const tallied = input.before.tables[name]?.columns ?? {};
  return columnPlan(restored).flatMap((plan) => {
    const was = beforeTable?.columns.find((c) => c.name === plan.column);
    const measures = plan.measures.filter((m) => tallied[plan.column]?.[m] !== undefined);
    return was !== undefined && was.type === restored.columns.find((c) => c.name === plan.column)?.type && measures.length > 0 ? [{ column: plan.column, measures }] : [];
  });
}

/** Null when the digest of `name` is to be compared; otherwise why not. */
function digestComparable(input: Omit<ContentInput, 'restored'>, name: string): string | null {
  const content = input.before.tables[name];
  if (content === undefined || content.digest === null) return 'digest not computed in reading A (restoreTest.contentDigest off)';
  const before = input.countersBefore?.tables[name];
  const after = input.countersAfter?.tables[name];
  if (before === undefined || after === undefined) return `no write counters in reading ${before === undefined ? 'A' : 'B'}`;
  const width = contentWidth(before, after);
  if (typeof width === 'string') return width;
  if (width > 0) return `digest not compared: ${width} row writes counted between the readings`;
  const a = columnsKey(input.schemaBefore.tables.find((t) => qualifiedName(t) === name));
  const r = columnsKey(input.schemaRestored.tables.find((t) => qualifiedName(t) === name));
  if (a !== r) return 'digest not compared: the columns changed since reading A (see schema-fingerprint)';
  return null;
}

/**
 * Judges every table of A's content.
 *
 * 1. Reasons that void every bound (B missing or unsettled, restart, statistics reset): inconclusive.
 * 2. Per table: missing from the copy → failed; not scannable → inconclusive; counters unusable
 *    (no update counter, storage changed, backwards) → inconclusive.
 * 3. Each tally A took of a column the copy still has: failed when `|N_C − N_A| > W`.
 * 4. A quiet table (`W = 0`) with a digest from A and unchanged columns: failed when the digest or
 *    the row count differs.
 */
export function judgeContent(input: ContentInput): ContentJudgement {
  const global = globalReasons(input.countersBefore, input.countersAfter, input.settle);
  const requests = new Map(restoredRequests(input).map((r) => [qualifiedName(r.table), r]));
  const tables = Object.keys(input.before.tables)
    .sort(compareText)
    .map((table): TableContentJudgement => {
      const a = input.before.tables[table] as TableContent;
      const base = { table, width: null, digestCompared: false, problems: [] as string[] };
      const scanned = input.restored[table];
      if (scanned === undefined) return { ...base, status: 'failed', problems: [`missing from the restored database (reading A scanned ${a.rows} rows)`] };
      if (typeof scanned === 'string') return { ...base, status: 'inconclusive', note: `could not be scanned: ${scanned}` };
      if (global.length > 0) return { ...base, status: 'inconclusive', note: global.join('; ') };
      const before = input.countersBefore?.tables[table];
      const after = input.countersAfter?.tables[table];
      if (before === undefined || after === undefined) return { ...base, status: 'inconclusive', note: `no write counters in reading ${before === undefined ? 'A' : 'B'}` };
      const width = contentWidth(before, after);
      if (typeof width === 'string') return { ...base, status: 'inconclusive', note: width };
      const problems: string[] = [];
      for (const plan of requests.get(table)?.columns ?? []) {
        for (const measure of plan.measures) {
          const was = a.columns[plan.column]?.[measure];
          const now = scanned.columns[plan.column]?.[measure];
          if (was === undefined || now === undefined) continue;
          if (!tallyInBracket(was, now, width)) {
            problems.push(`column ${plan.column}: ${measure} ${was} -> ${now}, outside ${was} ± ${width} (${Math.abs(now - was) - width} more than the ${width} row writes counted)`);
          }
        }
      }
      const why = digestComparable(input, table);
      let digestCompared = false;
      if (why === null) {
        digestCompared = true;
        if (scanned.digest !== a.digest || scanned.rows !== a.rows) {
          problems.push(`content digest differs from reading A's (${a.rows} rows -> ${scanned.rows}): rows were changed, swapped or lost although no write was counted between the readings`);
        }
      }
      const note = why === null || width > 0 ? undefined : why;
      return { table, width, digestCompared, problems, status: problems.length > 0 ? 'failed' : 'passed', ...(note === undefined ? {} : { note }) };
    });
  const status = tables.some((t) => t.status === 'failed') ? 'failed' : tables.some((t) => t.status === 'inconclusive') ? 'inconclusive' : 'passed';
  return { status, tables, globalReasons: global };
}

/** One line per table for a report. */
export function describeContent(t: TableContentJudgement): string {
  const width = t.width === null ? '' : ` (column bracket ± ${t.width}${t.digestCompared ? ', digest compared' : ''})`;
  if (t.status === 'passed') return `${t.table}: passed${width}${t.note === undefined ? '' : `; ${t.note}`}`;
  if (t.status === 'inconclusive') return `${t.table}: INCONCLUSIVE: ${t.note ?? ''}`;
  return `${t.table}: FAILED${width}: ${t.problems.join('; ')}`;
}

/** Outcome of 'large-objects'. */
export interface LargeObjectJudgement {
  readonly status: 'passed' | 'failed' | 'inconclusive' | 'skipped';
  readonly evidence: string;
}

function largeObjectsText(count: number): string {
  return `${count} large object${count === 1 ? '' : 's'}`;
}

/**
 * Judges the restored large objects against A and B.
 *
 * - A has no tally (an older manifest): skipped.
 * - B missing or without a tally: inconclusive (nothing says nothing changed after A).
 * - A ≠ B: inconclusive (no write counters exist for large objects).
 * - A = B: the copy must have the same count and OID sum; `0` everywhere passes as `0`.
 */
export function judgeLargeObjects(before: LargeObjectTally | undefined, after: LargeObjectTally | null | undefined, restored: LargeObjectTally | string): LargeObjectJudgement {
  if (before === undefined) return { status: 'skipped', evidence: 'not applicable: the manifest was captured before large objects were recorded' };
  if (after === null || after === undefined) return { status: 'inconclusive', evidence: `reading B has no large-object tally: nothing bounds the large objects written after reading A (${before.count})` };
  if (typeof restored === 'string') return { status: 'inconclusive', evidence: `could not read pg_largeobject_metadata: ${restored}` };
  if (before.count !== after.count || before.oidSum !== after.oidSum) {
    return {
      status: 'inconclusive',
      evidence: `large objects changed between the readings (${before.count} -> ${after.count}, OID sum ${before.oidSum} -> ${after.oidSum}); no write counters exist for them, so nothing bounds the restored ${restored.count}`,
    };
  }
  if (restored.count === before.count && restored.oidSum === before.oidSum) {
    return { status: 'passed', evidence: before.count === 0 ? '0' : `${largeObjectsText(before.count)}, the same set as readings A and B (OID sum ${before.oidSum})` };
  }
  const lost = before.count - restored.count;
  const what = lost > 0 ? `${lost} missing` : lost < 0 ? `${-lost} unexpected` : 'a different set of the same size';
  return { status: 'failed', evidence: `${largeObjectsText(restored.count)} restored, readings A and B both had ${before.count} (OID sum ${before.oidSum} -> ${restored.oidSum}): ${what}` };
}

// ---------------------------------------------------------------------------------------------
// Report lines

/** Status, one line of evidence and the details of 'table-content', from a judgement. */
export function contentEvidence(judged: ContentJudgement, capturedAt: string): { status: ContentJudgement['status']; evidence: string; details: string[] } {
  const details = judged.tables.map(describeContent);
  const total = judged.tables.length;
  const tables = `${total} ${total === 1 ? 'table' : 'tables'}`;
  if (judged.status === 'failed') {
    const failed = judged.tables.filter((t) => t.status === 'failed');
    return { status: 'failed', evidence: `${failed.length} of ${tables} changed: ${failed.map((t) => `${t.table} (${t.problems.join('; ')})`).join(', ')}`, details };
  }
  if (judged.status === 'inconclusive') {
    const open = judged.tables.filter((t) => t.status === 'inconclusive');
    const why = judged.globalReasons.length > 0 ? judged.globalReasons.join('; ') : [...new Set(open.map((t) => t.note ?? ''))].join('; ');
    return { status: 'inconclusive', evidence: `${open.length} of ${tables} could not be judged: ${why}`, details };
  }
  const digested = judged.tables.filter((t) => t.digestCompared).length;
  return { status: 'passed', evidence: `${tables}: every column tally inside its bracket of the manifest captured at ${capturedAt}; ${digested} quiet ${digested === 1 ? 'table' : 'tables'} with an equal content digest`, details };
}
