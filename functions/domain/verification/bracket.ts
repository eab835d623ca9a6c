/**
 * The bracketed row-count check: sound bounds for a restored table's row count on a database that
 * keeps taking writes while a snapshot is taken.
 *
 * Reading A is taken before the snapshot: the write counters (`pg_stat_user_tables.n_tup_ins`,
 * `n_tup_del`) first, then the exact counts in one repeatable-read transaction, so every write
 * committed after the counts' snapshot shows up in the counters only after A's counters were read.
 * Reading B is taken after the snapshot's point in time, once the statistics of every transaction
 * committed before that point are flushed. For a table with exact count `count_A`, the restored
 * count `C` can only be the result of the inserts and deletes committed between the two readings:
 *
 * ```
 * count_A − (del_B − del_A)  ≤  C  ≤  count_A + (ins_B − ins_A)
 * ```
 *
 * The counters over-count (aborted transactions' rows, rows written after the snapshot point),
 * which only widens the bracket: it stays sound. It is unsound when the counters do not describe
 * the same table over the interval, and then the table is `inconclusive` with the reason, never
 * `passed` nor `failed`: statistics reset, server restarted or failed over (counters lost), TRUNCATE
 * or a rewrite (new storage, and TRUNCATE is not counted), counters that went backwards, an unlogged
 * table (emptied by the crash recovery every restore goes through), or B read while a transaction
 * that began before the snapshot point was still open (its counts are held back until it ends).
 *
 * Pure: no SQL, no clock. The shapes (counters, readings, a table's judgement) are in
 * `bracket-model.ts`.
 */
import type { BracketStatus, CounterReading, SettleOutcome, TableBracket, TableCounters } from './bracket-model.ts';

/** Input of {@link judgeBracket}. */
export interface BracketInput {
  /** Exact counts of reading A, keyed `schema.table`. */
  readonly countsBefore: Readonly<Record<string, number>>;
  /** A's counters (null when A could not read them, e.g. a manifest of format 1). */
  readonly before: CounterReading | null;
  /** B's counters (null when B was not taken). */
  readonly after: CounterReading | null;
  /** How B waited (null when B was not taken). */
  readonly settle: SettleOutcome | null;
  /** Restored counts of the countable tables, keyed `schema.table`; null when the read failed. */
  readonly restored: Readonly<Record<string, number | null>>;
  /** Tables the schema says are unlogged (reported as a finding, never as data loss). */
  readonly unloggedTables: readonly string[];
  /** A bracket wider than this share of the table's rows is flagged (0.05 = 5 %). */
  readonly maxWidthShare: number;
}

/** Output of {@link judgeBracket}. */
export interface BracketJudgement {
  /** `failed` if any table failed, else `inconclusive` if any table is, else `passed` (unlogged tables do not count). */
  readonly status: BracketStatus;
  /** Every table in code-unit order. */
  readonly tables: readonly TableBracket[];
  /** Reasons that made every table inconclusive at once (restart, stats reset, B missing or unsettled). */
  readonly globalReasons: readonly string[];
}

/** Default {@link BracketInput.maxWidthShare}: a bracket over 5 % of a table's rows can hide real loss. */
export const DEFAULT_MAX_BRACKET_SHARE = 0.05;

/** Message for an unlogged table: a schema finding, not a loss. */
export const UNLOGGED_REASON = 'unlogged table: not backed up by RDS snapshots (emptied by crash recovery on every restore)';

function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** The bounds of one table, or null when A's and B's counters are unusable for it (the reason). */
export function tableBounds(countBefore: number, before: TableCounters, after: TableCounters): { low: number; high: number } | string {
  if (before.unlogged || after.unlogged) return UNLOGGED_REASON;
  if (before.storage !== after.storage) {
    return `storage changed between the readings (relfilenode ${before.storage} -> ${after.storage}): a TRUNCATE or a table rewrite, which the counters do not describe`;
  }
  if (after.inserted < before.inserted || after.deleted < before.deleted) {
    return `counters went backwards (inserted ${before.inserted} -> ${after.inserted}, deleted ${before.deleted} -> ${after.deleted}): the table's statistics were reset`;
  }
  return { low: countBefore - (after.deleted - before.deleted), high: countBefore + (after.inserted - before.inserted) };
}

/** Reasons the whole bracket is unsound, from the two readings and the wait; empty when it is sound. */
export function globalReasons(before: CounterReading | null, after: CounterReading | null, settle: SettleOutcome | null): string[] {
  if (before === null) return ['reading A has no write counters (a manifest captured before the bracketed format)'];
  if (after === null || settle === null) return ['reading B was not taken after the snapshot: nothing bounds the writes in between'];
  const reasons: string[] = [];
  if (before.server.startedAt !== after.server.startedAt) {
    reasons.push(`the server restarted or failed over between the readings (started ${before.server.startedAt} -> ${after.server.startedAt}): counters were lost`);
  }
  if (before.server.statsResetAt !== after.server.statsResetAt) {
    reasons.push(`statistics were reset between the readings (stats_reset ${before.server.statsResetAt ?? 'never'} -> ${after.server.statsResetAt ?? 'never'})`);
  }
  if (!settle.settled) {
    const open = settle.openTransactions.map((t) => `pid ${t.pid} (${t.applicationName || 'no application name'}, ${t.state} since ${t.since})`);
    reasons.push(
      `statistics possibly unflushed: ${open.length === 0 ? 'the wait was cut short' : `${open.length === 1 ? 'a transaction' : `${open.length} transactions`} begun before the snapshot point still open after ${settle.waitedSeconds} s: ${open.join(', ')}`}`,
    );
  }
  return reasons;
}

/**
 * Judges every counted table against its bracket.
 *
 * 1. Reasons that void every bound at once (B missing or unsettled, restart, statistics reset).
 * 2. Per table: unlogged, unreadable, counters missing, storage changed, counters backwards → inconclusive.
 * 3. Otherwise `low ≤ C ≤ high` passes, anything else fails with the bound it broke.
 * 4. Flag brackets wider than `maxWidthShare` of the table's rows.
 */
export function judgeBracket(input: BracketInput): BracketJudgement {
  const global = globalReasons(input.before, input.after, input.settle);
  const unlogged = new Set(input.unloggedTables);
  const names = [...new Set([...Object.keys(input.countsBefore), ...Object.keys(input.restored), ...unlogged])].sort(compareText);
  const tables = names.map((table): TableBracket => {
    const count = input.restored[table] ?? null;
    const countBefore = input.countsBefore[table] ?? null;
    const base = { table, count, countBefore, low: null, high: null, width: null, wide: false };
    if (unlogged.has(table)) return { ...base, status: 'inconclusive', reason: UNLOGGED_REASON };
    if (countBefore === null) return { ...base, status: 'inconclusive', reason: 'not in reading A (created after it?)' };
    if (!(table in input.restored)) return { ...base, status: 'failed', reason: `missing from the restored database (reading A counted ${countBefore} rows)` };
    if (count === null) return { ...base, status: 'inconclusive', reason: 'the restored table could not be counted (see tables-readable)' };
    if (global.length > 0) return { ...base, status: 'inconclusive', reason: global.join('; ') };
    const before = input.before?.tables[table];
    const after = input.after?.tables[table];
    if (before === undefined || after === undefined) {
      return { ...base, status: 'inconclusive', reason: `no write counters in reading ${before === undefined ? 'A' : 'B'}` };
    }
    const bounds = tableBounds(countBefore, before, after);
    if (typeof bounds === 'string') return { ...base, status: 'inconclusive', reason: bounds };
    const width = bounds.high - bounds.low;
    const wide = width > input.maxWidthShare * countBefore;
    const judged = { ...base, low: bounds.low, high: bounds.high, width, wide };
    if (count < bounds.low) {
      return { ...judged, status: 'failed', reason: `${bounds.low - count} rows lost: ${count} is below the bound ${bounds.low}` };
    }
    if (count > bounds.high) {
      return { ...judged, status: 'failed', reason: `${count - bounds.high} rows invented: ${count} is above the bound ${bounds.high}` };
    }
    return { ...judged, status: 'passed' };
  });
  // Unlogged tables are listed (inconclusive, with why) but do not decide the status: they are a
  // finding about the schema, reported once, and no restore of any snapshot could ever hold them.
  const judged = tables.filter((t) => !unlogged.has(t.table));
  const status: BracketStatus = judged.some((t) => t.status === 'failed') ? 'failed' : judged.some((t) => t.status === 'inconclusive') ? 'inconclusive' : 'passed';
  return { status, tables, globalReasons: global };
}

/** One line per table for a report: `shop.orders: 998 in [995, 1004] (width 9)`. */
export function describeTable(t: TableBracket): string {
  const range = t.low === null || t.high === null ? '' : ` in [${t.low}, ${t.high}] (width ${t.width ?? 0}${t.wide ? ', WIDE: more than the configured share of its rows' : ''})`;
  const count = t.count === null ? 'not counted' : String(t.count);
  if (t.status === 'passed') return `${t.table}: ${count}${range}`;
  const where = t.status === 'failed' && t.low !== null ? range.replace(' in ', ' not in ') : range;
  return `${t.table}: ${t.status.toUpperCase()} ${count}${where}: ${t.reason ?? ''}`;
}
