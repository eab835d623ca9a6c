/**
 * Port: the write counters and transaction activity of the production database, what the
 * bracketed manifest is made of (see `domain/verification/bracket.ts`).
 */
import type { TableRef } from '../domain/verification/model.ts';
import type { CounterReading, OpenTransaction } from '../domain/verification/bracket-model.ts';

/** Reads cumulative statistics; never writes. */
export interface WriteStatistics {
  /**
   * The server state (clock, start time, statistics reset time) and, for each table, `n_tup_ins`,
   * `n_tup_del`, storage identity and persistence, read fresh (no cached statistics snapshot).
   * A table without statistics yet reads as 0 inserted, 0 deleted. Keyed by `schema.table`.
   */
  readCounters(tables: readonly TableRef[]): Promise<CounterReading>;

  /**
   * Transactions of other sessions that began before `before` and are still open, plus sessions
   * whose transactions this role cannot see (they are reported as open: not seeing is not knowing).
   */
  openTransactions(before: Date): Promise<OpenTransaction[]>;

  /** The server's clock now: the waits are measured on it, not on the caller's. */
  serverClock(): Promise<Date>;
}
