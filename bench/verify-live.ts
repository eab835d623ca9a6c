/**
 * Benchmark: the bracketed row-count check on a live database, against the old exact rule and
 * against `pg_dump` of the same database, in the same run, under the same concurrent writer.
 *
 * 1. Build the food-delivery database of `verify.ts` (5.52 million rows at full size; `BENCH_ROWS`
 *    scales it) and start a steady writer: several sessions of short transactions at a paced total
 *    rate (`BENCH_TPS`, default 300/s) — new orders with two items and a delivery, deletes of the
 *    writer's own oldest orders (items and delivery first), status updates, deletes of order items,
 *    delivery updates, new customers, and rolled-back orders (counted by the statistics anyway) —
 *    plus a heartbeat row in `dr.heartbeat` every 2 s. `shop.restaurants` is never written.
 * 2. `BENCH_ROUNDS` rounds (default 10), each:
 *    a. reading A: `captureBracketedManifest` (counters first, then exact counts);
 *    b. a random wait (`BENCH_WAIT_SECONDS`, default 2-30 s, uniform), the writer running;
 *    c. the copy point: `pg_export_snapshot()` in a repeatable-read transaction. Copying 5.5 million
 *       rows into another database every round would cost minutes, so the restored state is read
 *       inside the snapshot itself: a session that imports it (`SET TRANSACTION SNAPSHOT`) sees
 *       exactly the rows committed at that instant, which is what a copy (or a storage snapshot
 *       after crash recovery) holds. The full check set (`runVerification`, the restore test's real
 *       cost: schema, every row through its output function, amcheck on every B-tree index,
 *       heartbeat, assertions) runs with every one of its repeatable-read transactions imported
 *       into that snapshot, and is timed; its counts are the restored counts C. A `count(*)` per
 *       table in the exporting transaction cross-checks them;
 *    d. reading B: `captureAfterReading`, anchored on the copy point, after the flush wait
 *       (`waitForFlushedStatistics` with the production defaults, 11 s);
 *    e. judge C with the old exact rule (`count_A == C` for every table) and with `judgeBracket`.
 *       Nothing was lost, so every failure of either is a false alarm. Record each table's bracket
 *       width (high − low), and whether a loss of 1 row from each table, or of 1 % of the busiest
 *       table (the most rows written between A and B over the run), would have been detected:
 *       computed from the bounds (`C − k < low`), not simulated;
 *    f. time `pg_dump` of the same database to /dev/null, the writer still running.
 * 3. Print every round, then a summary: false alarms of both rules, median widths, detection
 *    rates, median check set and pg_dump times and their ratio.
 * 4. Stop the writer and drop the database, also on failure and on SIGINT/SIGTERM.
 *
 * Run alone: `npm run bench -- verify-live` (`BENCH_ROWS=20000 BENCH_ROUNDS=2` for a quick look).
 * The timed check set runs while the writer and the snapshot-holding transaction are live, as the
 * pg_dump does: both pay for the same load. The wait for reading B is the backup workflow's cost,
 * not the restore test's, and is not timed.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Client } from 'pg';
import { PgDatabaseInspector } from '../functions/adapters/pg/inspector.ts';
import { PgVerificationProbe } from '../functions/adapters/pg/verification-probe.ts';
import { captureBracketedManifest, countableTables, qualifiedName } from '../functions/domain/verification/manifest.ts';
import { captureAfterReading, DEFAULT_SETTLE, type SettleOptions } from '../functions/domain/verification/after-reading.ts';
import { DEFAULT_MAX_BRACKET_SHARE, judgeBracket } from '../functions/domain/verification/bracket.ts';
import type { BracketStatus } from '../functions/domain/verification/bracket-model.ts';
import { DEFAULT_HEARTBEAT_TOLERANCE, type VerificationReport } from '../functions/domain/verification/report-model.ts';
import { runVerification } from '../functions/domain/verification/run-verification.ts';
import { createTempDatabase, type TempDatabase } from '../test/support/pg.ts';
import { importingSnapshot, seededRandom, startWriter as startSteadyWriter, withExportedSnapshot, type SteadyWriter } from '../test/support/snapshot-copy.ts';
import { ASSERTIONS, buildFoodDeliveryDatabase, FULL_SIZE_ROWS, timePgDump } from './verify.ts';

/** What a run of the benchmark does; {@link liveOptionsFromEnv} reads it from `BENCH_*` variables. */
export interface LiveBenchOptions {
  /** Rows of the database (about; five tables in fixed proportions). @default 5520000 */
  readonly rows: number;
  /** Rounds of A, wait, copy point, B, judge, pg_dump. @default 10 */
  readonly rounds: number;
  /** Wait between reading A and the copy point, drawn uniformly, ms. @default [2000, 30000] */
  readonly waitMs: readonly [number, number];
  /** Writer sessions. @default 4 */
  readonly writerSessions: number;
  /** Total writer transactions per second (paced). @default 300 */
  readonly transactionsPerSecond: number;
  /** Interval of the heartbeat rows, ms. @default 2000 */
  readonly heartbeatMs: number;
  /** Reading B's wait. @default DEFAULT_SETTLE (production: 11 s flush interval) */
  readonly settle: SettleOptions;
  /** Connections of the check set. @default min(cores, 8), as `verify.ts` */
  readonly parallelism: number;
  /** Seed of the waits and the writer's choices. @default 20261203 */
  readonly seed: number;
  /** Where the lines go. @default console.log */
  readonly print: (line: string) => void;
}

/** One round's numbers. */
export interface LiveRound {
  readonly round: number;
  readonly waitMs: number;
  /** Exact counts of reading A. */
  readonly countsA: Readonly<Record<string, number>>;
  /** Counts the check set read at the copy point (the restored counts C). */
  readonly restored: Readonly<Record<string, number>>;
  /** `count(*)` per table in the exporting transaction: must equal `restored`. */
  readonly direct: Readonly<Record<string, number>>;
  readonly bracket: readonly { readonly table: string; readonly status: BracketStatus; readonly low: number | null; readonly high: number | null; readonly width: number | null; readonly written: number }[];
  readonly bracketStatus: BracketStatus;
  /** True when the old exact rule (`count_A == C` for every table) failed this faithful copy. */
  readonly exactRuleFailed: boolean;
  readonly settledAfterSeconds: number;
  readonly checkMs: number;
  readonly dumpMs: number;
  /** The timed check set's report (its row-count check is inconclusive: B is read afterwards). */
  readonly report: VerificationReport;
}

/** The outcome of a run, with the printed summary lines. */
export interface LiveBenchResult {
  readonly database: string;
  readonly bytes: number;
  readonly rounds: readonly LiveRound[];
  readonly exactRuleFalseAlarms: number;
  readonly bracketFalseAlarms: number;
  readonly medianWidth: { readonly overall: number; readonly perTable: Readonly<Record<string, number>> };
  /** Per table: rounds in which losing 1 row from it would fall outside the bracket. */
  readonly detectedOneRow: Readonly<Record<string, number>>;
  readonly busiestTable: string;
  /** Rounds in which losing 1 % of the busiest table would fall outside the bracket. */
  readonly detectedOnePercent: number;
  readonly writer: { readonly transactions: number; readonly perSecond: number; readonly errors: readonly string[] };
  readonly checkMs: number;
  readonly dumpMs: number;
  readonly summary: readonly string[];
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name}: ${raw} is not a positive integer`);
  return value;
}

/** Options from `BENCH_ROWS`, `BENCH_ROUNDS`, `BENCH_WAIT_SECONDS` (`min-max`), `BENCH_TPS`; the rest default. */
export function liveOptionsFromEnv(env: NodeJS.ProcessEnv): LiveBenchOptions {
  const wait = env['BENCH_WAIT_SECONDS'] ?? '2-30';
  const match = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(wait);
  if (match === null || Number(match[1]) > Number(match[2])) throw new RangeError(`BENCH_WAIT_SECONDS: ${wait} is not min-max in seconds, e.g. 2-30`);
  return {
    rows: positiveInteger(env, 'BENCH_ROWS', FULL_SIZE_ROWS),
    rounds: positiveInteger(env, 'BENCH_ROUNDS', 10),
    waitMs: [Number(match[1]) * 1000, Number(match[2]) * 1000],
    writerSessions: 4,
    transactionsPerSecond: positiveInteger(env, 'BENCH_TPS', 300),
    heartbeatMs: 2000,
    settle: DEFAULT_SETTLE,
    parallelism: Math.min(availableParallelism(), 8),
    seed: 20261203,
    print: (line) => console.log(line),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const group = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * The steady writer (module comment, step 1), on the shared one (test/support/snapshot-copy.ts):
 * each session paces itself to its share of the rate. New orders and customers take ids above the
 * loaded ones from counters shared by the sessions.
 */
async function startWriter(database: TempDatabase, options: LiveBenchOptions): Promise<SteadyWriter> {
  const setup = await database.connect();
  const max = async (sql: string): Promise<number> => Number((await setup.query<{ n: string | null }>(sql)).rows[0]?.n ?? 0);
  const [orders, customers, restaurants, deliveries, itemOrders] = [
    await max('SELECT max(id)::text AS n FROM shop.orders'),
    await max('SELECT max(id)::text AS n FROM shop.customers'),
    await max('SELECT max(id)::text AS n FROM shop.restaurants'),
    await max('SELECT max(id)::text AS n FROM shop.deliveries'),
    await max('SELECT max(order_id)::text AS n FROM shop.order_items'),
  ];
  await setup.end();
  let nextOrder = orders + 1;
  let nextCustomer = customers + 1;
  const random = seededRandom(options.seed);
  const pick = (n: number): number => 1 + Math.floor(random() * n);
  const newOrder = `WITH o AS (
      INSERT INTO shop.orders (id, customer_id, restaurant_id, status, total, placed_at)
      VALUES ($1, $2, $3, 'open', $4, now()) RETURNING id),
    i AS (INSERT INTO shop.order_items SELECT o.id, l, 'SKU-LIVE', 1, 9.50 FROM o, generate_series(0, 1) AS l)
    INSERT INTO shop.deliveries SELECT o.id, o.id, 'courier-live', now(), NULL, '{"km": 1.0}'::jsonb FROM o`;
  const orderParams = (): unknown[] => [nextOrder++, pick(customers), pick(restaurants), (pick(10000) / 100).toFixed(2)];

  const transaction = async (client: Client): Promise<void> => {
    const r = random();
    if (r < 0.3) await client.query(newOrder, orderParams());
    else if (r < 0.48) {
      // The writer's own oldest order, with its items and delivery: the loaded rows stay referenced.
      await client.query('BEGIN');
      const oldest = await client.query<{ id: string }>('SELECT id::text FROM shop.orders WHERE id > $1 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED', [orders]);
      const id = oldest.rows[0]?.id;
      if (id !== undefined) {
        await client.query('DELETE FROM shop.deliveries WHERE order_id = $1', [id]);
        await client.query('DELETE FROM shop.order_items WHERE order_id = $1', [id]);
        await client.query('DELETE FROM shop.orders WHERE id = $1', [id]);
      }
      await client.query('COMMIT');
    } else if (r < 0.7) await client.query("UPDATE shop.orders SET status = 'paid' WHERE id = $1", [pick(orders)]);
    else if (r < 0.8) await client.query('DELETE FROM shop.order_items WHERE order_id = $1 AND line = $2', [pick(itemOrders), pick(2) - 1]);
    else if (r < 0.9) await client.query('UPDATE shop.deliveries SET delivered_at = now() WHERE id = $1', [pick(deliveries)]);
    else if (r < 0.94) {
      const id = nextCustomer++;
      await client.query("INSERT INTO shop.customers VALUES ($1, $2, 'Live customer', NULL, 'Live Street', now())", [id, `live${id}@example.com`]);
    } else if (r < 0.96) await client.query("UPDATE shop.customers SET phone = '+44 20 7946 0000' WHERE id = $1", [pick(customers)]);
    else {
      await client.query('BEGIN');
      await client.query(newOrder, orderParams());
      await client.query('ROLLBACK');
    }
  };

  return startSteadyWriter(database, { transaction, sessions: options.writerSessions, transactionsPerSecond: options.transactionsPerSecond, heartbeatMs: options.heartbeatMs });
}

/** Runs the benchmark (module comment); prints as it goes and returns the numbers. */
export async function benchVerifyLive(options: LiveBenchOptions = liveOptionsFromEnv(process.env)): Promise<LiveBenchResult> {
  const print = options.print;
  const database = await createTempDatabase('bench_live');
  let writer: SteadyWriter | null = null;
  let cleaned: Promise<void> | null = null;
  const cleanup = (): Promise<void> => {
    cleaned ??= (async () => {
      // Drop first: WITH (FORCE) ends the writer's sessions, so stopping it cannot hang on them.
      await database.drop();
      await writer?.stop().catch(() => undefined);
    })();
    return cleaned;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    print(`\n${signal}: dropping ${database.name}`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const loadStart = performance.now();
    const bytes = await buildFoodDeliveryDatabase(database, options.rows);
    const loadMs = performance.now() - loadStart;
    const random = seededRandom(options.seed + 1);
    writer = await startWriter(database, options);
    const session = await database.connect();
    const copy = await database.connect();
    const inspector = new PgDatabaseInspector(session);
    const rounds: LiveRound[] = [];
    print(
      `\n## verify under a live writer (${database.name}: ${group(options.rows)} rows, ${(bytes / 2 ** 20).toFixed(0)} MiB, loaded in ${(loadMs / 1000).toFixed(1)} s; ` +
        `${options.writerSessions} writer sessions at ${options.transactionsPerSecond} tx/s; ${options.rounds} rounds, waits ${options.waitMs[0] / 1000}-${options.waitMs[1] / 1000} s)`,
    );
    for (let round = 1; round <= options.rounds; round += 1) {
      const manifest = await captureBracketedManifest(inspector, inspector, { database: database.name, now: () => new Date() });
      const waitMs = Math.round(options.waitMs[0] + random() * (options.waitMs[1] - options.waitMs[0]));
      await sleep(waitMs);

      const direct: Record<string, number> = {};
      const { report, checkMs, point } = await withExportedSnapshot(copy, async (exported) => {
        // Rounded up: reading B may anchor later than the snapshot, never earlier.
        const snapshotPoint = new Date(Math.ceil(exported.ms));
        const start = performance.now();
        const clients = await Promise.all(Array.from({ length: options.parallelism }, () => database.connect()));
        let checked: { report: VerificationReport; checkMs: number; point: Date };
        try {
          const verified = await runVerification(new PgVerificationProbe(clients.map((client) => importingSnapshot(client, exported.id))), {
            database: database.name,
            source: { kind: 'snapshot', snapshotId: `round-${round}`, snapshotCreatedAt: snapshotPoint, manifest, after: null },
            heartbeat: DEFAULT_HEARTBEAT_TOLERANCE.snapshot,
            assertions: ASSERTIONS,
            now: () => new Date(),
          });
          checked = { report: verified, checkMs: performance.now() - start, point: snapshotPoint };
        } finally {
          await Promise.all(clients.map((client) => client.end()));
        }
        for (const table of countableTables(manifest.schema)) {
          const name = qualifiedName(table);
          direct[name] = Number((await copy.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${name}`)).rows[0]?.n);
        }
        return checked;
      });

      const after = await captureAfterReading(inspector, inspector, { database: database.name, snapshotId: `round-${round}`, snapshotPoint: point, settle: options.settle, sleep });
      const restored: Record<string, number> = {};
      for (const table of report.bracket) if (table.count !== null) restored[table.table] = table.count;
      const judged = judgeBracket({
        countsBefore: manifest.rowCounts,
        before: manifest.counters ?? null,
        after: after.counters,
        settle: after.settle,
        restored,
        unloggedTables: [],
        maxWidthShare: DEFAULT_MAX_BRACKET_SHARE,
      });
      const written = (table: string): number => {
        const a = manifest.counters?.tables[table];
        const b = after.counters.tables[table];
        return a === undefined || b === undefined ? 0 : b.inserted - a.inserted + (b.deleted - a.deleted);
      };
      const exactRuleFailed = Object.keys(manifest.rowCounts).some((table) => restored[table] !== manifest.rowCounts[table]);
      const dumpMs = await timePgDump(database);
      const outcome: LiveRound = {
        round,
        waitMs,
        countsA: manifest.rowCounts,
        restored,
        direct,
        bracket: judged.tables.map((t) => ({ table: t.table, status: t.status, low: t.low, high: t.high, width: t.width, written: written(t.table) })),
        bracketStatus: judged.status,
        exactRuleFailed,
        settledAfterSeconds: after.settle.waitedSeconds,
        checkMs,
        dumpMs,
        report,
      };
      rounds.push(outcome);
      print(
        `round ${String(round).padStart(2)}: wait ${(waitMs / 1000).toFixed(1).padStart(4)} s  exact rule ${exactRuleFailed ? 'FALSE ALARM' : 'passed     '}  bracket ${judged.status.padEnd(12)} ` +
          `widths ${judged.tables.map((t) => `${t.table.replace('shop.', '')} ${t.width ?? '-'}`).join(', ')}  checks ${checkMs.toFixed(0)} ms  pg_dump ${dumpMs.toFixed(0)} ms`,
      );
    }
    await Promise.all([session.end(), copy.end()]);
    const activity = await writer.stop();
    writer = null;
    const result = summarize(database.name, bytes, rounds, activity, options);
    for (const line of result.summary) print(line);
    return result;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await cleanup();
  }
}

/** The numbers of the summary block, and its lines. */
function summarize(
  name: string,
  bytes: number,
  rounds: readonly LiveRound[],
  writer: { transactions: number; perSecond: number; errors: string[] },
  options: LiveBenchOptions,
): LiveBenchResult {
  const n = rounds.length;
  const tables = [...new Set(rounds.flatMap((r) => r.bracket.map((t) => t.table)))].sort();
  const widths = (table: string): number[] => rounds.map((r) => r.bracket.find((t) => t.table === table)?.width).filter((w): w is number => w !== null && w !== undefined);
  const perTable: Record<string, number> = {};
  for (const table of tables) perTable[table] = median(widths(table));
  const overall = median(tables.flatMap(widths));
  const detects = (round: LiveRound, table: string, lost: number): boolean => {
    const t = round.bracket.find((b) => b.table === table);
    const count = round.restored[table];
    return t?.low !== null && t?.low !== undefined && count !== undefined && count - lost < t.low;
  };
  const detectedOneRow: Record<string, number> = {};
  for (const table of tables) detectedOneRow[table] = rounds.filter((r) => detects(r, table, 1)).length;
  const totalWritten = (table: string): number => rounds.reduce((sum, r) => sum + (r.bracket.find((t) => t.table === table)?.written ?? 0), 0);
  const busiestTable = [...tables].sort((a, b) => totalWritten(b) - totalWritten(a) || a.localeCompare(b))[0] ?? '';
  const onePercent = (r: LiveRound): number => Math.max(1, Math.ceil((r.restored[busiestTable] ?? 0) / 100));
  const detectedOnePercent = rounds.filter((r) => detects(r, busiestTable, onePercent(r))).length;
  const exactRuleFalseAlarms = rounds.filter((r) => r.exactRuleFailed).length;
  const bracketFalseAlarms = rounds.filter((r) => r.bracketStatus !== 'passed').length;
  const checkMs = median(rounds.map((r) => r.checkMs));
  const dumpMs = median(rounds.map((r) => r.dumpMs));
  const typical = rounds.find((r) => r.checkMs === checkMs) ?? rounds[0];
  const share = (table: string): string => {
    const rows = median(rounds.map((r) => r.countsA[table] ?? 0));
    return rows === 0 ? '' : ` (${((100 * perTable[table]!) / rows).toFixed(3)} % of ${group(rows)})`;
  };
  const summary = [
    `\n## verify under a live writer: summary (${name})`,
    `database:     ${group(median(rounds.map((r) => Object.values(r.countsA).reduce((s, c) => s + c, 0))))} counted rows in ${tables.length} tables, ${(bytes / 2 ** 20).toFixed(0)} MiB`,
    `writer:       ${group(writer.transactions)} transactions, ${writer.perSecond.toFixed(0)}/s measured (target ${options.transactionsPerSecond}/s, ${options.writerSessions} sessions), heartbeat every ${options.heartbeatMs / 1000} s, ${writer.errors.length} errors`,
    `rounds:       ${n} (wait between reading A and the copy point ${options.waitMs[0] / 1000}-${options.waitMs[1] / 1000} s; reading B flush interval ${options.settle.flushSeconds} s)`,
    `copy point:   the check set's counts equal count(*) in the exported snapshot in ${rounds.filter((r) => tables.every((t) => r.restored[t] === r.direct[t])).length}/${n} rounds`,
    `false alarms: old exact rule: ${exactRuleFalseAlarms}/${n}; bracket: ${bracketFalseAlarms}/${n}`,
    `median bracket width: ${group(overall)} rows over all tables and rounds; ${tables.map((t) => `${t} ${group(perTable[t] ?? 0)}${share(t)}`).join('; ')}`,
    `detected, 1 row lost: ${tables.map((t) => `${t} ${detectedOneRow[t]}/${n}`).join('; ')}`,
    `detected, 1 % of the busiest table (${busiestTable}, ${group(onePercent(rounds[0]!))} rows in round 1) lost: ${detectedOnePercent}/${n}`,
    `timing (median of ${n}, under the writer): check set ${checkMs.toFixed(0)} ms (${options.parallelism} connections) vs pg_dump -f /dev/null ${dumpMs.toFixed(0)} ms: ratio ${(checkMs / dumpMs).toFixed(2)}x pg_dump`,
    ...(typical?.report.checks ?? []).map((check) => `  ${check.id.padEnd(34)} ${String(check.durationMs).padStart(6)} ms  ${check.status.padEnd(12)} ${check.evidence.slice(0, 140)}`),
  ];
  return {
    database: name,
    bytes,
    rounds,
    exactRuleFalseAlarms,
    bracketFalseAlarms,
    medianWidth: { overall, perTable },
    detectedOneRow,
    busiestTable,
    detectedOnePercent,
    writer,
    checkMs,
    dumpMs,
    summary,
  };
}
