/**
 * Reading B of the bracket (see `bracket.ts`): the write counters, storage identities, heartbeat and
 * schema fingerprint of the production database, read once the snapshot's point in time is surely
 * past and the statistics of every transaction committed before it are surely flushed.
 *
 * When are they flushed? PostgreSQL 15+ keeps each backend's table counts pending in the backend and
 * flushes them to shared memory (where `pg_stat_user_tables` reads) when the backend goes idle after a
 * transaction, at most once per PGSTAT_MIN_INTERVAL (1 s); a flush skipped for that reason is retried
 * by an idle timer after PGSTAT_IDLE_INTERVAL (10 s), or at the next transaction end a second or more
 * after the last flush (src/backend/utils/activity/pgstat.c, `pgstat_report_stat`). A backend that
 * stays inside a transaction never flushes until it ends. So a transaction committed at `e` before
 * the snapshot point `S` is in the counters by `e + 11 s` unless its backend has been inside one
 * transaction since before `e + 10 s` < `S + 11 s`. Hence the rule, with `flushSeconds = 11`:
 *
 * 1. wait until the server clock passes `S + flushSeconds`;
 * 2. poll (every `pollSeconds`) until no other session has a transaction open that began before
 *    `S + flushSeconds` — at most `maxWaitSeconds`; past the bound B is still read, marked unsettled,
 *    and the restore test judges every table `inconclusive` with the open transactions named;
 * 3. wait one more `flushSeconds` for the backends that just ended them, then read.
 *
 * Residual: a flush that loses a lock race is retried and forced after PGSTAT_MAX_INTERVAL (60 s);
 * such a delay narrows the bracket, so it can only cause a false failure, never a false pass.
 */
import type { TableRef } from './model.ts';
import type { LedgerObservation } from './exact-counts-model.ts';
import { countableTables, fingerprint } from './manifest.ts';
import type { DatabaseInspector } from '../../ports/database-inspector.ts';
import type { WriteStatistics } from '../../ports/write-statistics.ts';
import type { CounterReading, SettleOutcome } from './bracket-model.ts';
import type { ContentReader } from '../../ports/content-reader.ts';
import type { LargeObjectTally } from './content-model.ts';

/** The stored reading B. */
export interface AfterReading {
  /** Document format; bump when the shape changes. */
  readonly formatVersion: 1;
  readonly database: string;
  readonly snapshotId: string;
  /** The snapshot's point in time the wait was anchored on (ISO 8601). */
  readonly snapshotPoint: string;
  /** When the counters were read (server clock, ISO 8601). */
  readonly readAt: string;
  /** Fingerprint of the schema at B: differs from A's when DDL ran in between. */
  readonly schemaFingerprint: string;
  /** Newest heartbeat at B: no restored heartbeat can be newer. */
  readonly heartbeat: { readonly latestAt: string | null };
  readonly counters: CounterReading;
  readonly settle: SettleOutcome;
  /** Optional: the large objects at B (read with a content reader); see `content.ts`. */
  readonly largeObjects?: LargeObjectTally;
  /** Exact mode: the configured tables' count and ledger on the source, in one snapshot (absent when none). */
  readonly ledger?: readonly LedgerObservation[];
}

/** The wait of reading B. */
export interface SettleOptions {
  /** Seconds between two looks at `pg_stat_activity`. */
  readonly pollSeconds: number;
  /** Longest wait for open transactions before B is read unsettled. */
  readonly maxWaitSeconds: number;
  /** One flush interval: PGSTAT_IDLE_INTERVAL (10 s) + PGSTAT_MIN_INTERVAL (1 s). */
  readonly flushSeconds: number;
}

/**
 * Defaults: poll every 2 s; wait at most 300 s (a nightly batch holding a transaction longer than
 * that makes the test inconclusive rather than the backup slow; the manifest function's timeout is
 * 900 s); flush interval 11 s as derived in the module comment.
 */
export const DEFAULT_SETTLE: SettleOptions = { pollSeconds: 2, maxWaitSeconds: 300, flushSeconds: 11 };

/** Bounds the wait options accept. */
export function validateSettle(options: SettleOptions, path = 'settle'): string[] {
  const problems: string[] = [];
  const check = (key: keyof SettleOptions, min: number, max: number): void => {
    const value = options[key];
    if (!Number.isInteger(value) || value < min || value > max) problems.push(`${path}.${key}: ${String(value)} is not an integer from ${min} to ${max}`);
  };
  check('pollSeconds', 1, 60);
  check('maxWaitSeconds', 0, 780);
  check('flushSeconds', 1, 120);
  return problems;
}

/**
 * Waits until the statistics of every transaction committed before `snapshotPoint` are flushed,
 * or the bound passes. Times are the server's clock.
 */
export async function waitForFlushedStatistics(
  statistics: WriteStatistics,
  snapshotPoint: Date,
  options: SettleOptions,
  sleep: (ms: number) => Promise<void>,
): Promise<SettleOutcome> {
  const horizon = new Date(snapshotPoint.getTime() + options.flushSeconds * 1000);
  const started = await statistics.serverClock();
  const deadline = started.getTime() + options.maxWaitSeconds * 1000;
  const waited = async (): Promise<number> => Math.max(0, Math.round(((await statistics.serverClock()).getTime() - started.getTime()) / 1000));
  for (;;) {
    const now = (await statistics.serverClock()).getTime();
    if (now < horizon.getTime()) {
      await sleep(Math.min(horizon.getTime() - now, options.pollSeconds * 1000));
      continue;
    }
    const open = await statistics.openTransactions(horizon);
    if (open.length === 0) {
      await sleep(options.flushSeconds * 1000);
      return { settled: true, waitedSeconds: await waited(), openTransactions: [] };
    }
    if (now + options.pollSeconds * 1000 > deadline) return { settled: false, waitedSeconds: await waited(), openTransactions: open };
    await sleep(options.pollSeconds * 1000);
  }
}

/**
 * Captures reading B.
 *
 * 1. Wait for flushed statistics (see the module comment).
 * 2. Describe the schema (its fingerprint; the tables to read).
 * 3. Read counters, storage identities and server state; then the newest heartbeat.
 */
export async function captureAfterReading(
  inspector: DatabaseInspector,
  statistics: WriteStatistics,
  request: {
    readonly database: string;
    readonly snapshotId: string;
    readonly snapshotPoint: Date;
    readonly settle: SettleOptions;
    readonly sleep: (ms: number) => Promise<void>;
    /** Reads the large objects too when given. */
    readonly content?: ContentReader;
    /** Exact mode: observes the configured tables' ledgers after the other reads. */
    readonly ledger?: { readonly tables: readonly string[]; readonly observe: (tables: readonly string[]) => Promise<readonly LedgerObservation[]> };
  },
): Promise<AfterReading> {
  const settle = await waitForFlushedStatistics(statistics, request.snapshotPoint, request.settle, request.sleep);
  const schema = await inspector.describeSchema();
  const tables: TableRef[] = countableTables(schema);
  const counters = await statistics.readCounters(tables);
  const largeObjects = request.content === undefined ? null : await request.content.largeObjects();
  const latestAt = await inspector.latestHeartbeat();
  const ledger = request.ledger === undefined || request.ledger.tables.length === 0 ? [] : await request.ledger.observe(request.ledger.tables);
  return {
    formatVersion: 1,
    database: request.database,
    snapshotId: request.snapshotId,
    snapshotPoint: request.snapshotPoint.toISOString(),
    readAt: counters.server.clock,
    schemaFingerprint: fingerprint(schema),
    heartbeat: { latestAt },
    counters,
    settle,
    ...(largeObjects === null ? {} : { largeObjects }),
    ...(ledger.length === 0 ? {} : { ledger }),
  };
}
