/**
 * The bracketed row-count check against the real server, on a live database: a writer inserts,
 * updates and deletes over several tables (and writes a heartbeat every second) while reading A is
 * captured; a consistent copy is taken at a random point (`pg_export_snapshot()` in a
 * repeatable-read transaction, `pg_dump --snapshot | psql` into another database: the committed
 * state at one instant, like a storage snapshot after crash recovery); reading B follows.
 * Fixed seed; runs pipelined over a few lanes so the file stays short. The writer and the copy are
 * the shared ones (test/support/snapshot-copy.ts).
 */
import type { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgDatabaseInspector } from '../../functions/adapters/pg/inspector.ts';
import { captureBracketedManifest, type DatabaseManifest } from '../../functions/domain/verification/manifest.ts';
import { captureAfterReading, DEFAULT_SETTLE, type AfterReading, type SettleOptions } from '../../functions/domain/verification/after-reading.ts';
import { judgeBracket, UNLOGGED_REASON, type BracketJudgement } from '../../functions/domain/verification/bracket.ts';
import { createTempDatabase, type TempDatabase } from '../support/pg.ts';
import { copyAtSnapshot, seededRandom, startWriter as startSteadyWriter, withExportedSnapshot, type SteadyWriter } from '../support/snapshot-copy.ts';

const SCHEMA = `
  CREATE SCHEMA shop;
  CREATE TABLE shop.orders (id bigserial PRIMARY KEY, total int NOT NULL);
  CREATE TABLE shop.events (id bigserial PRIMARY KEY, kind text NOT NULL);
  CREATE TABLE shop.customers (id bigserial PRIMARY KEY, name text NOT NULL);
  CREATE TABLE shop.regions (id bigserial PRIMARY KEY, name text NOT NULL);
  INSERT INTO shop.orders (total) SELECT g FROM generate_series(1, 400) g;
  INSERT INTO shop.events (kind) SELECT 'seed' FROM generate_series(1, 300) g;
  INSERT INTO shop.customers (name) SELECT 'c' || g FROM generate_series(1, 200) g;
  INSERT INTO shop.regions (name) SELECT 'r' || g FROM generate_series(1, 10) g;
  CREATE SCHEMA dr;
  CREATE TABLE dr.heartbeat (id bigserial PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now(), writer text NOT NULL);
  INSERT INTO dr.heartbeat (writer) VALUES ('seed');`;
/** Busy (orders), append-only (events), rarely written (customers), never written (regions). */
const TABLES = ['shop.customers', 'shop.events', 'shop.orders', 'shop.regions'];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const noSleep = async (): Promise<void> => undefined;

/**
 * A steady writer: back-to-back short transactions — orders get inserts, updates and deletes,
 * events are append-only, customers are written rarely (so some brackets are narrow and a lost row
 * is outside them), some transactions roll back (counted by the statistics anyway) — and a
 * heartbeat every second from a second session.
 */
function startWriter(db: TempDatabase, seed: number): SteadyWriter {
  const random = seededRandom(seed);
  const transaction = async (client: Client): Promise<void> => {
    const r = random();
    if (r < 0.35) await client.query('INSERT INTO shop.orders (total) VALUES ($1)', [Math.floor(random() * 1000)]);
    else if (r < 0.5) await client.query('UPDATE shop.orders SET total = total + 1 WHERE id = (SELECT max(id) FROM shop.orders)');
    else if (r < 0.7) await client.query('DELETE FROM shop.orders WHERE id = (SELECT min(id) FROM shop.orders)');
    else if (r < 0.93) await client.query("INSERT INTO shop.events (kind) VALUES ('e')");
    else if (r < 0.96) {
      await client.query('BEGIN');
      await client.query("INSERT INTO shop.events (kind) VALUES ('aborted')");
      await client.query('DELETE FROM shop.orders WHERE id = (SELECT max(id) FROM shop.orders)');
      await client.query('ROLLBACK');
    } else if (r < 0.975) await client.query("INSERT INTO shop.customers (name) VALUES ('new')");
    else if (r < 0.98) await client.query('DELETE FROM shop.customers WHERE id = (SELECT max(id) FROM shop.customers)');
    else await client.query('SELECT pg_sleep(0.05)');
  };
  return startSteadyWriter(db, { transaction, heartbeatMs: 1000 });
}

async function countAll(client: Client): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) counts[table] = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
  return counts;
}

function judge(manifest: DatabaseManifest, after: AfterReading | null, restored: Record<string, number>, unloggedTables: string[] = []): BracketJudgement {
  return judgeBracket({ countsBefore: manifest.rowCounts, before: manifest.counters ?? null, after: after?.counters ?? null, settle: after?.settle ?? null, restored, unloggedTables, maxWidthShare: 0.05 });
}

/** A per-test source database with the schema. */
async function sourceDatabase(label: string, databases: TempDatabase[]): Promise<{ db: TempDatabase; inspector: PgDatabaseInspector; client: Client }> {
  const db = await createTempDatabase(label);
  databases.push(db);
  const client = await db.connect();
  await client.query(SCHEMA);
  return { db, client, inspector: new PgDatabaseInspector(client) };
}

const databases: TempDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop().catch(() => undefined)));
}, 60_000);

describe('bracketed manifest on a live database', () => {
  let source: TempDatabase;
  const LANES = 5;
  const RUNS_PER_LANE = 6;
  let outcomes: { run: number; judged: BracketJudgement; lossOne: Record<string, { count: number; status: string; low: number | null }>; lossPercent: Record<string, { count: number; status: string; low: number | null }>; heartbeatInside: boolean; exactRuleFailed: boolean }[] = [];
  let transactions = 0;
  let writerErrors: string[] = [];

  beforeAll(async () => {
    const { db, client } = await sourceDatabase('bracket_live', databases);
    source = db;
    await client.end();
    const copies = await Promise.all(Array.from({ length: LANES }, () => createTempDatabase('bracket_copy')));
    databases.push(...copies);
    const writer = startWriter(source, 20261202);
    // The live suite's writer never idles, so its counts flush within a second of each commit
    // (PGSTAT_MIN_INTERVAL); the 11 s default covers idle backends and is proven by its own test below.
    const settle: SettleOptions = { pollSeconds: 1, maxWaitSeconds: 30, flushSeconds: 2 };
    try {
      const lane = async (index: number): Promise<void> => {
        const random = seededRandom(1000 + index);
        const session = await source.connect();
        const snapshotSession = await source.connect();
        const copySession = await copies[index]!.connect();
        const inspector = new PgDatabaseInspector(session);
        try {
          for (let i = 0; i < RUNS_PER_LANE; i += 1) {
            const manifest = await captureBracketedManifest(inspector, inspector, { database: source.name, now: () => new Date() });
            await sleep(Math.floor(random() * 400));
            const snapshotPoint = await withExportedSnapshot(snapshotSession, async (exported) => {
              await copyAtSnapshot(source.name, copies[index]!, exported.id, ['shop', 'dr']);
              return new Date(Math.floor(exported.ms));
            });
            const after = await captureAfterReading(inspector, inspector, { database: source.name, snapshotId: `run-${index}-${i}`, snapshotPoint, settle, sleep });
            const restored = await countAll(copySession);
            const heartbeat = (await copySession.query<{ latest: string }>(`SELECT to_char(max(written_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS latest FROM dr.heartbeat`)).rows[0]!.latest;
            const judged = judge(manifest, after, restored);
            // Lose rows from the copy: 1 row, then 1 % of each table, and judge again.
            const lossOne: (typeof outcomes)[number]['lossOne'] = {};
            const lossPercent: (typeof outcomes)[number]['lossPercent'] = {};
            for (const [losses, target] of [[() => 1, lossOne], [(n: number) => Math.max(1, Math.ceil(n / 100)), lossPercent]] as const) {
              await copySession.query('BEGIN');
              for (const table of TABLES) await copySession.query(`DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} LIMIT ${losses(restored[table]!)})`);
              const damaged = await countAll(copySession);
              await copySession.query('ROLLBACK');
              for (const t of judge(manifest, after, damaged).tables) target[t.table] = { count: damaged[t.table]!, status: t.status, low: t.low };
            }
            const a = manifest.heartbeat.latestAt ?? '';
            const b = after.heartbeat.latestAt ?? '';
            outcomes.push({ run: index * RUNS_PER_LANE + i, judged, lossOne, lossPercent, heartbeatInside: a <= heartbeat && heartbeat <= b, exactRuleFailed: TABLES.some((t) => restored[t] !== manifest.rowCounts[t]) });
          }
        } finally {
          await Promise.all([session.end(), snapshotSession.end(), copySession.end()]);
        }
      };
      await Promise.all(Array.from({ length: LANES }, (_, index) => lane(index)));
    } finally {
      const activity = await writer.stop();
      transactions = activity.transactions;
      writerErrors = activity.errors;
    }
    // The writer keeps going past a failed transaction; this suite's workload has none.
    if (writerErrors.length > 0) throw new Error(`the writer failed: ${writerErrors.join('; ')}`);
    outcomes = outcomes.sort((x, y) => x.run - y.run);
  }, 150_000);

  it('judges 30 randomized runs under a steady writer with zero failed verdicts', () => {
    expect(outcomes).toHaveLength(LANES * RUNS_PER_LANE);
    expect(transactions).toBeGreaterThan(1000);
    expect(outcomes.filter((o) => o.judged.status !== 'passed').map((o) => [o.run, o.judged.tables.filter((t) => t.status !== 'passed')])).toEqual([]);
    expect(outcomes.every((o) => o.heartbeatInside)).toBe(true);
    // The old exact rule (restored count = manifest count) fails these same faithful copies.
    expect(outcomes.filter((o) => o.exactRuleFailed).length).toBeGreaterThan(LANES * RUNS_PER_LANE / 2);
    // The writer did move the counts: most runs have a non-zero bracket on the busy table.
    expect(outcomes.filter((o) => (o.judged.tables.find((t) => t.table === 'shop.orders')?.width ?? 0) > 0).length).toBeGreaterThan(LANES * RUNS_PER_LANE / 2);
  });

  it('catches rows lost from the copy exactly when they fall outside the bracket (1 row and 1 %)', () => {
    let caught = 0;
    let hidden = 0;
    for (const outcome of outcomes) {
      for (const loss of [outcome.lossOne, outcome.lossPercent]) {
        for (const table of TABLES) {
          const { count, status, low } = loss[table]!;
          // The detection rule: failed iff the damaged count is below the lower bound.
          expect([outcome.run, table, status]).toEqual([outcome.run, table, low !== null && count < low ? 'failed' : 'passed']);
          if (status === 'failed') caught += 1;
          else hidden += 1;
        }
      }
    }
    // Both sides of the rule happen in these runs: the never-written table is caught every time
    // (zero-width bracket), and rows lost from the busy table hide inside its bracket.
    expect(outcomes.every((o) => o.lossOne['shop.regions']?.status === 'failed' && o.lossPercent['shop.regions']?.status === 'failed')).toBe(true);
    expect(caught).toBeGreaterThanOrEqual(2 * LANES * RUNS_PER_LANE);
    expect(hidden).toBeGreaterThan(0);
  });
});

describe.concurrent('bracketed manifest: unsound cases and the quiet database', () => {
  const SETTLE: SettleOptions = { pollSeconds: 1, maxWaitSeconds: 2, flushSeconds: 1 };

  /** A, then `between` (in another session), then B anchored at the end of `between`. */
  async function bracketAround(label: string, between: (client: Client) => Promise<void>, setup = ''): Promise<{ manifest: DatabaseManifest; after: AfterReading; source: TempDatabase }> {
    const { db, client, inspector } = await sourceDatabase(label, databases);
    if (setup !== '') await client.query(setup);
    // Let the setup's own counts reach shared memory before A (they belong before A).
    await client.query('SELECT pg_stat_force_next_flush()');
    await client.query('SELECT 1');
    const manifest = await captureBracketedManifest(inspector, inspector, { database: db.name, now: () => new Date() });
    const other = await db.connect();
    await between(other);
    await other.query('SELECT pg_stat_force_next_flush()').catch(() => undefined);
    await other.query('SELECT 1').catch(() => undefined);
    const point = new Date((await client.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]!.now);
    const after = await captureAfterReading(inspector, inspector, { database: db.name, snapshotId: 'case', snapshotPoint: point, settle: SETTLE, sleep });
    await other.end().catch(() => undefined);
    await client.end();
    return { manifest, after, source: db };
  }

  it('is exact on a quiet database: zero-width bracket, one lost row fails', async () => {
    const { manifest, after } = await bracketAround('bracket_quiet', async () => undefined);
    const faithful = judge(manifest, after, { 'shop.customers': 200, 'shop.events': 300, 'shop.orders': 400, 'shop.regions': 10 });
    expect(faithful.tables.map((t) => [t.table, t.status, t.low, t.high, t.width])).toEqual([
      ['shop.customers', 'passed', 200, 200, 0],
      ['shop.events', 'passed', 300, 300, 0],
      ['shop.orders', 'passed', 400, 400, 0],
      ['shop.regions', 'passed', 10, 10, 0],
    ]);
    const lost = judge(manifest, after, { 'shop.customers': 200, 'shop.events': 300, 'shop.orders': 399, 'shop.regions': 10 });
    expect(lost.status).toBe('failed');
    expect(lost.tables[2]).toMatchObject({ status: 'failed', reason: '1 rows lost: 399 is below the bound 400' });
  });

  it('is inconclusive after a TRUNCATE (storage changed), never failed', async () => {
    const { manifest, after } = await bracketAround('bracket_truncate', async (c) => void (await c.query('TRUNCATE shop.orders')));
    const judged = judge(manifest, after, { 'shop.customers': 200, 'shop.events': 300, 'shop.orders': 0, 'shop.regions': 10 });
    expect(judged.status).toBe('inconclusive');
    expect(judged.tables[2]?.reason).toMatch(/^storage changed between the readings \(relfilenode \d+ -> \d+\): a TRUNCATE or a table rewrite/);
  });

  it('is inconclusive after pg_stat_reset_single_table_counters', async () => {
    const { manifest, after } = await bracketAround('bracket_reset1', async (c) => {
      await c.query("DELETE FROM shop.orders WHERE id <= 10");
      await c.query("SELECT pg_stat_reset_single_table_counters('shop.orders'::regclass)");
    });
    const judged = judge(manifest, after, { 'shop.customers': 200, 'shop.events': 300, 'shop.orders': 390, 'shop.regions': 10 });
    expect(judged.status).toBe('inconclusive');
    // PostgreSQL 15 moves the database's stats_reset on a single-table reset too: every table is inconclusive.
    expect(judged.globalReasons).toEqual([expect.stringMatching(/^statistics were reset between the readings \(stats_reset /)]);
  });

  it('is inconclusive after pg_stat_reset', async () => {
    const { manifest, after } = await bracketAround('bracket_reset', async (c) => void (await c.query('SELECT pg_stat_reset()')));
    const judged = judge(manifest, after, { 'shop.customers': 200, 'shop.events': 300, 'shop.orders': 400, 'shop.regions': 10 });
    expect(judged.status).toBe('inconclusive');
    expect(judged.globalReasons).toEqual([expect.stringMatching(/^statistics were reset between the readings/)]);
  });

  it('reports an unlogged table as not backed up, not as a loss', async () => {
    const { manifest, after } = await bracketAround('bracket_unlogged', async () => undefined, "CREATE UNLOGGED TABLE public.sessions (id int); INSERT INTO public.sessions SELECT generate_series(1, 50);");
    expect(manifest.schema.tables.find((t) => t.name === 'sessions')?.kind).toBe('unlogged table');
    const judged = judge(manifest, after, { 'shop.customers': 200, 'shop.events': 300, 'shop.orders': 400, 'shop.regions': 10 }, ['public.sessions']);
    expect(judged.status).toBe('passed');
    expect(judged.tables.find((t) => t.table === 'public.sessions')).toMatchObject({ status: 'inconclusive', reason: UNLOGGED_REASON });
  });

  it('is inconclusive when a transaction stays open across the snapshot point, naming it', async () => {
    let holder: Client | null = null;
    const { manifest, after } = await bracketAround('bracket_open', async (c) => {
      holder = c;
      await c.query("SET application_name = 'nightly-batch'");
      await c.query('BEGIN');
      await c.query('DELETE FROM shop.orders WHERE id <= 5');
    });
    await (holder as Client | null)?.query('ROLLBACK').catch(() => undefined);
    expect(after.settle).toMatchObject({ settled: false, openTransactions: [expect.objectContaining({ applicationName: 'nightly-batch', state: 'idle in transaction' })] });
    const judged = judge(manifest, after, { 'shop.customers': 200, 'shop.events': 300, 'shop.orders': 400, 'shop.regions': 10 });
    expect(judged.status).toBe('inconclusive');
    expect(judged.globalReasons).toEqual([expect.stringMatching(/^statistics possibly unflushed: a transaction begun before the snapshot point still open after \d+ s: pid \d+ \(nightly-batch, idle in transaction since /)]);
  });
});

describe('the flush wait', () => {
  it(`sees a committed transaction's counts within one flush interval (${DEFAULT_SETTLE.flushSeconds} s), even when its flush was rate-limited and the backend went idle`, async () => {
    const { db, client } = await sourceDatabase('bracket_flush', databases);
    const writer = await db.connect();
    const reader = await db.connect();
    await reader.query("SET stats_fetch_consistency = 'none'");
    const inserted = async (): Promise<number> => Number((await reader.query<{ n: string }>("SELECT n_tup_ins AS n FROM pg_stat_user_tables WHERE relid = 'shop.events'::regclass")).rows[0]?.n ?? 0);
    // Prepare: a flush just happened (the first commit), so the next commit's flush is rate-limited.
    await writer.query("INSERT INTO shop.events (kind) VALUES ('first')");
    await writer.query("INSERT INTO shop.events (kind) SELECT 'second' FROM generate_series(1, 7)");
    const committedAt = Date.now();
    const base = 300 + 1;
    // Act: poll until the 7 rows of the rate-limited commit are visible, at most twice the interval.
    let seenAfterMs = -1;
    while (Date.now() - committedAt < 2 * DEFAULT_SETTLE.flushSeconds * 1000) {
      if ((await inserted()) >= base + 7) {
        seenAfterMs = Date.now() - committedAt;
        break;
      }
      await sleep(200);
    }
    // Assess
    expect(seenAfterMs).toBeGreaterThanOrEqual(0);
    expect(seenAfterMs).toBeLessThanOrEqual(DEFAULT_SETTLE.flushSeconds * 1000);
    await Promise.all([writer.end(), reader.end(), client.end()]);
  }, 40_000);
});
