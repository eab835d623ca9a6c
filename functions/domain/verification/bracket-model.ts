/**
 * The model of the bracketed row-count check (`bracket.ts`): the write counters a reading takes,
 * how reading B waited for them, and each table's judgement as the report carries it. Types only,
 * importing nothing: the write-statistics port, the manifest, the content check and the report
 * model depend on it, never the other way round.
 */

/** Cumulative write counters and storage identity of one table, as one reading saw them. */
export interface TableCounters {
  /** `n_tup_ins`: rows inserted, committed or not, since the statistics were last reset. */
  readonly inserted: number;
  /** `n_tup_del`: rows deleted, committed or not. */
  readonly deleted: number;
  /**
   * `n_tup_upd`: rows updated, committed or not (HOT or not). Absent in readings taken before it
   * was recorded; the column bracket of `content.ts` needs it, the row-count bracket does not.
   */
  readonly updated?: number;
  /** Storage identity (`pg_relation_filenode`): changes on TRUNCATE, VACUUM FULL, CLUSTER, a rewriting ALTER. */
  readonly storage: string;
  /** True when the table is unlogged (emptied by crash recovery, so by every snapshot restore). */
  readonly unlogged: boolean;
}

/** What identifies the server's statistics epoch at a reading. */
export interface ServerState {
  /** The server's clock (`clock_timestamp()`, ISO 8601). */
  readonly clock: string;
  /** `pg_postmaster_start_time()`: changes on a restart, a crash or a failover, which lose counters. */
  readonly startedAt: string;
  /** `pg_stat_database.stats_reset` of the database (null when never reset). */
  readonly statsResetAt: string | null;
}

/** One reading of the counters: the server state and each counted table's counters (keyed `schema.table`). */
export interface CounterReading {
  readonly server: ServerState;
  readonly tables: Readonly<Record<string, TableCounters>>;
}

/** A transaction still open when reading B gave up waiting. */
export interface OpenTransaction {
  readonly pid: number;
  /** `pg_stat_activity.xact_start` (ISO 8601). */
  readonly since: string;
  /** `state`: `active`, `idle in transaction`, … */
  readonly state: string;
  readonly applicationName: string;
}

/** How reading B waited for the statistics to be complete. */
export interface SettleOutcome {
  /** True when no transaction that began before the snapshot point was open and one flush interval passed. */
  readonly settled: boolean;
  /** Seconds spent waiting. */
  readonly waitedSeconds: number;
  /** Transactions begun before the snapshot point still open at the bound (empty when settled). */
  readonly openTransactions: readonly OpenTransaction[];
}

/** Per-table outcome of the bracket. */
export type BracketStatus = 'passed' | 'failed' | 'inconclusive';

/** One table's judgement, with the numbers that decided it. */
export interface TableBracket {
  /** `schema.table`. */
  readonly table: string;
  readonly status: BracketStatus;
  /** Restored count (null when it could not be counted). */
  readonly count: number | null;
  /** Exact count in reading A (null when A has none). */
  readonly countBefore: number | null;
  /** `count_A − (del_B − del_A)` (null when inconclusive). */
  readonly low: number | null;
  /** `count_A + (ins_B − ins_A)` (null when inconclusive). */
  readonly high: number | null;
  /** `high − low`: how many rows could be lost (or invented) without the check seeing it. */
  readonly width: number | null;
  /** True when `width` is more than the configured share of `countBefore`. */
  readonly wide: boolean;
  /** Why it failed or is inconclusive; absent when it passed. */
  readonly reason?: string;
}
