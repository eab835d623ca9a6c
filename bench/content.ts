/**
 * Benchmark: the cost of the content checks (docs/restore.md, "The content checks") against a bare
 * `count(*)` of the same table, in the same run, on the local PostgreSQL server.
 *
 * 1. Create a throwaway database with one table of 1,000,000 rows and 7 columns (nullable numbers,
 *    text, a timestamp), VACUUM (FREEZE, ANALYZE) it.
 * 2. Warm up, then alternate five times: the row count as reading A took it before
 *    (`DatabaseInspector.countRows`), reading A's scan with tallies only, with tallies and digest
 *    (`PgContentReader.scanContent`, which also yields the count), and the restored copy's scan of a
 *    quiet table (`scanRestoredContent`, tallies and digest). Print the medians and the ratios.
 * 3. Drop the database, also on failure.
 *
 * Run alone: `node bench/content.ts`; also part of `npm run bench`.
 */
import { performance } from 'node:perf_hooks';
import { PgContentReader, scanRestoredContent } from '../functions/adapters/pg/content.ts';
import { PgDatabaseInspector } from '../functions/adapters/pg/inspector.ts';
import { contentRequests, DIGEST_SEED } from '../functions/domain/verification/content.ts';
import { countableTables } from '../functions/domain/verification/manifest.ts';
import { createTempDatabase } from '../test/support/pg.ts';

const ROWS = 1_000_000;
const ROUNDS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Runs the benchmark and prints one line per contender. */
export async function benchContent(): Promise<void> {
  const db = await createTempDatabase('bench_content');
  try {
    const client = await db.connect();
    await client.query(`
      CREATE TABLE public.orders (id bigserial PRIMARY KEY, customer_id int NOT NULL, total numeric(10,2), discount real,
        note text, status text NOT NULL, created_at timestamptz NOT NULL);
      INSERT INTO public.orders (customer_id, total, discount, note, status, created_at)
        SELECT g % 5000, (g % 1000) / 7.0, CASE WHEN g % 3 = 0 THEN NULL ELSE (g % 10) / 10.0 END,
               CASE WHEN g % 4 = 0 THEN NULL ELSE 'note ' || g END, 'paid', timestamptz '2026-01-01' - g * interval '1 second'
          FROM generate_series(1, ${ROWS}) g;`);
    await client.query('VACUUM (FREEZE, ANALYZE) public.orders');
    // One backend each, as the manifest function and the verify function read: no parallel workers.
    await client.query('SET max_parallel_workers_per_gather = 0');
    const inspector = new PgDatabaseInspector(client);
    const reader = new PgContentReader(client);
    const schema = await inspector.describeSchema();
    const tables = countableTables(schema);
    const contenders: [string, () => Promise<unknown>][] = [
      ['row count (reading A before)', () => inspector.countRows(tables)],
      ['reading A: count + tallies', () => reader.scanContent(tables, contentRequests(schema, tables, false), DIGEST_SEED)],
      ['reading A: count + tallies + digest', () => reader.scanContent(tables, contentRequests(schema, tables, true), DIGEST_SEED)],
      ['restored copy: tallies + digest', () => scanRestoredContent(client, contentRequests(schema, tables, true), DIGEST_SEED, 600_000)],
    ];
    const samples = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
    for (const [, run] of contenders) await run();
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [name, run] of contenders) {
        const start = performance.now();
        await run();
        samples.get(name)?.push(performance.now() - start);
      }
    }
    const base = median(samples.get(contenders[0]![0]) ?? []);
    console.log(`\ncontent checks, one table of ${ROWS.toLocaleString('en')} rows, 7 columns (medians of ${ROUNDS}):`);
    for (const [name] of contenders) {
      const ms = median(samples.get(name) ?? []);
      console.log(`  ${name.padEnd(40)} ${ms.toFixed(0).padStart(6)} ms  x${(ms / base).toFixed(1)}`);
    }
    await client.end();
  } finally {
    await db.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchContent();
