/**
 * Write overhead of the exact mode's row-count ledger (docs/restore.md, "Exact mode").
 *
 * A pgbench-like writer: `SESSIONS` concurrent sessions, each running back-to-back transactions of
 * one INSERT, one UPDATE and one DELETE by random key (the DELETE finds a row most of the time),
 * for a fixed time, on two identical tables of 100,000 rows in one database: `bench.plain` without
 * the ledger and `bench.ledgered` with it. Rounds alternate plain / ledgered in the same run (so a
 * drift of the machine hits both), and the ratio of the summed throughputs is the result. Then
 * the ledger that built up is compacted and timed, once idle and once under the same writers.
 * On a shared, loaded machine rounds of seconds differ several-fold from each other; the
 * interleaved measurement (every session alternates the tables per transaction and times each)
 * puts both tables in the same moments, and is the number to read there.
 *
 * Run: `npm run bench` (section "ledger"), or alone: `node bench/ledger.ts`.
 * `LEDGER_BENCH_SECONDS` (per round, default 5) and `LEDGER_BENCH_ROUNDS` (default 3) shorten or lengthen it.
 */
import { performance } from 'node:perf_hooks';
import { compactLedger, installLedger } from '../functions/adapters/pg/ledger.ts';
import { createTempDatabase, type TempDatabase } from '../test/support/pg.ts';

const SESSIONS = 4;
const ROWS = 100_000;

/** Runs the writer on `table` for `seconds`; returns committed transactions. */
async function write(db: TempDatabase, table: string, seconds: number, stop?: () => boolean, asyncCommit = false): Promise<number> {
  const clients = await Promise.all(Array.from({ length: SESSIONS }, () => db.connect()));
  if (asyncCommit) await Promise.all(clients.map((client) => client.query('SET synchronous_commit = off')));
  const until = performance.now() + seconds * 1000;
  let committed = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (stop === undefined ? performance.now() < until : !stop()) {
        const key = 1 + Math.floor(Math.random() * ROWS * 1.2);
        await client.query('BEGIN');
        await client.query(`INSERT INTO ${table} (payload) VALUES ($1)`, [key]);
        await client.query(`UPDATE ${table} SET payload = payload + 1 WHERE id = $1`, [key]);
        await client.query(`DELETE FROM ${table} WHERE id = $1`, [key + 7]);
        await client.query('COMMIT');
        committed += 1;
      }
    }),
  );
  await Promise.all(clients.map((client) => client.end()));
  return committed;
}

/**
 * The same writer with every session alternating tables transaction by transaction, timing each:
 * both tables see the same moments of a noisy machine. Returns each table's rate as
 * transactions per second of session time, times the sessions (comparable to tps).
 */
async function interleaved(db: TempDatabase, seconds: number, asyncCommit: boolean): Promise<{ plain: number; ledgered: number }> {
  const clients = await Promise.all(Array.from({ length: SESSIONS }, () => db.connect()));
  if (asyncCommit) await Promise.all(clients.map((client) => client.query('SET synchronous_commit = off')));
  const until = performance.now() + seconds * 1000;
  const spent = { 'bench.plain': 0, 'bench.ledgered': 0 };
  const done = { 'bench.plain': 0, 'bench.ledgered': 0 };
  await Promise.all(
    clients.map(async (client, index) => {
      let turn = index;
      while (performance.now() < until) {
        const table = turn % 2 === 0 ? 'bench.plain' : 'bench.ledgered';
        turn += 1;
        const key = 1 + Math.floor(Math.random() * ROWS * 1.2);
        const start = performance.now();
        await client.query('BEGIN');
        await client.query(`INSERT INTO ${table} (payload) VALUES ($1)`, [key]);
        await client.query(`UPDATE ${table} SET payload = payload + 1 WHERE id = $1`, [key]);
        await client.query(`DELETE FROM ${table} WHERE id = $1`, [key + 7]);
        await client.query('COMMIT');
        spent[table] += performance.now() - start;
        done[table] += 1;
      }
    }),
  );
  await Promise.all(clients.map((client) => client.end()));
  const rate = (table: keyof typeof spent): number => (done[table] / spent[table]) * 1000 * SESSIONS;
  return { plain: rate('bench.plain'), ledgered: rate('bench.ledgered') };
}

/** Prints the ledger's write overhead and compaction cost. */
export async function benchLedger(): Promise<void> {
  const seconds = Number(process.env['LEDGER_BENCH_SECONDS'] ?? 5);
  const rounds = Number(process.env['LEDGER_BENCH_ROUNDS'] ?? 3);
  const db = await createTempDatabase('bench_ledger');
  try {
    const admin = await db.connect();
    await admin.query(`CREATE SCHEMA bench;
      CREATE TABLE bench.plain (id bigserial PRIMARY KEY, payload bigint NOT NULL);
      CREATE TABLE bench.ledgered (id bigserial PRIMARY KEY, payload bigint NOT NULL);
      INSERT INTO bench.plain (payload) SELECT g FROM generate_series(1, ${ROWS}) g;
      INSERT INTO bench.ledgered (payload) SELECT g FROM generate_series(1, ${ROWS}) g;`);
    await admin.query('VACUUM ANALYZE bench.plain, bench.ledgered');
    await installLedger(admin, ['bench.ledgered'], ['bench.ledgered']);
    console.log(`\n## ledger (exact mode): ${SESSIONS} sessions, INSERT + UPDATE + DELETE per transaction, ${rounds} alternating rounds of ${seconds} s each`);
    // Durable commits (each waits for its WAL flush, as production does), then asynchronous
    // commits, where the flush wait is gone and the triggers' CPU cost shows in full.
    for (const asyncCommit of [false, true]) {
      console.log(asyncCommit ? 'synchronous_commit = off (CPU-bound):' : 'synchronous_commit = on (durable commits):');
      let plain = 0;
      let ledgered = 0;
      for (let round = 1; round <= rounds; round += 1) {
        const a = await write(db, 'bench.plain', seconds, undefined, asyncCommit);
        const b = await write(db, 'bench.ledgered', seconds, undefined, asyncCommit);
        plain += a;
        ledgered += b;
        console.log(`  round ${round}: without ${(a / seconds).toFixed(0).padStart(6)} tps   with ${(b / seconds).toFixed(0).padStart(6)} tps`);
      }
      const total = rounds * seconds;
      console.log(`  total:   without ${(plain / total).toFixed(0).padStart(6)} tps   with ${(ledgered / total).toFixed(0).padStart(6)} tps   ratio ${(ledgered / plain).toFixed(3)} (overhead ${((1 - ledgered / plain) * 100).toFixed(1)} %)`);
      const mixed = await interleaved(db, seconds * 2, asyncCommit);
      console.log(`  interleaved (tables alternate per transaction, ${seconds * 2} s): without ${mixed.plain.toFixed(0).padStart(6)} tps   with ${mixed.ledgered.toFixed(0).padStart(6)} tps   ratio ${(mixed.ledgered / mixed.plain).toFixed(3)} (overhead ${((1 - mixed.ledgered / mixed.plain) * 100).toFixed(1)} %)`);
    }
    const rows = Number((await admin.query<{ n: string }>('SELECT count(*)::text AS n FROM dr_ledger.row_ledger')).rows[0]?.n);
    let start = performance.now();
    await compactLedger(admin);
    const idleMs = performance.now() - start;
    console.log(`compaction idle: ${rows} ledger rows folded into 1 in ${idleMs.toFixed(0)} ms`);
    // Under load: writers run for one round while compaction repeats every second.
    let running = true;
    const writers = write(db, 'bench.ledgered', 0, () => !running);
    const samples: number[] = [];
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      start = performance.now();
      await compactLedger(admin);
      samples.push(performance.now() - start);
    }
    running = false;
    const committed = await writers;
    const check = (await admin.query<{ count: string; ledger: string }>(
      "SELECT (SELECT count(*) FROM bench.ledgered)::text AS count, (SELECT sum(delta) FROM dr_ledger.row_ledger WHERE table_name = 'bench.ledgered')::text AS ledger",
    )).rows[0];
    samples.sort((x, y) => x - y);
    console.log(
      `compaction every 1 s under the writers: median ${samples[Math.floor(samples.length / 2)]?.toFixed(1)} ms, max ${samples.at(-1)?.toFixed(1)} ms over ${samples.length} runs; writers ${(committed / seconds).toFixed(0)} tps; afterwards count ${check?.count} = ledger ${check?.ledger}: ${check?.count === check?.ledger ? 'exact' : 'MISMATCH'}`,
    );
    await admin.end();
  } finally {
    await db.drop();
  }
}

if (import.meta.main) await benchLedger();
