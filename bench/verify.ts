/**
 * Benchmark: the restore test's full SQL check set against `pg_dump` of the same database to
 * /dev/null, in the same run, on the local PostgreSQL server.
 *
 * `pg_dump` is the usual "can every row still be read?" test; the check set must do at least that
 * (it reads every value through its output function, as COPY does) and more (exact counts in one
 * snapshot, schema fingerprint, amcheck with heapallindexed on every B-tree index, heartbeat,
 * assertions), in less time.
 *
 * 1. Create a throwaway database of a food-delivery schema, 5.5 million rows over six tables,
 *    with generate_series; constraints and indexes after loading; VACUUM (FREEZE, ANALYZE) so
 *    neither contender pays for hint bits the other one set; CHECKPOINT so no background write-out
 *    competes with the timed runs.
 * 2. Capture the manifest (not timed: that is the backup workflow's work).
 * 3. Warm up both, then alternate them five times; print the medians (and every sample: the
 *    check set uses every core, so it feels a noisy neighbour more than single-threaded pg_dump)
 *    and the ratio.
 * 4. Drop the database, also on failure.
 */
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { Client } from 'pg';
import { PgDatabaseInspector } from '../functions/adapters/pg/inspector.ts';
import { HEARTBEAT_TABLE_DDL } from '../functions/adapters/pg/heartbeat-table.ts';
import { PgVerificationProbe } from '../functions/adapters/pg/verification-probe.ts';
import { captureManifest } from '../functions/domain/verification/manifest.ts';
import type { DatabaseManifest } from '../functions/domain/verification/manifest.ts';
import { parseAssertions } from '../functions/contracts/documents/assertions.ts';
import { DEFAULT_HEARTBEAT_TOLERANCE, type VerificationReport } from '../functions/domain/verification/report-model.ts';
import { runVerification } from '../functions/domain/verification/run-verification.ts';
import { createTempDatabase } from '../test/support/pg.ts';
import type { TempDatabase } from '../test/support/pg.ts';

const run = promisify(execFile);

const PG_DUMP = process.env['PG_DUMP'] ?? '/usr/bin/pg_dump';
const ROUNDS = 5;

/** Rows of the full-size database: what `npm run bench` measures (5.52 million). */
export const FULL_SIZE_ROWS = 5_520_000;

/**
 * The food-delivery schema loaded with about `rows` rows in the full-size proportions (customers
 * 500,000, restaurants 20,000, orders 1,500,000, order items 2,500,000, deliveries 1,000,000 at
 * {@link FULL_SIZE_ROWS}); at least one row per table. Tables without constraints first: bulk
 * loading is faster when indexes are built once, afterwards.
 */
function loadSql(rows: number): string {
  const part = (full: number): number => Math.max(1, Math.round((full * rows) / FULL_SIZE_ROWS));
  const [customers, restaurants, orders, items, deliveries] = [part(500_000), part(20_000), part(1_500_000), part(2_500_000), part(1_000_000)];
  return `
CREATE SCHEMA shop;
CREATE TABLE shop.customers (id bigint NOT NULL, email text NOT NULL, name text NOT NULL, phone text,
  address text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE shop.restaurants (id bigint NOT NULL, name text NOT NULL, city text NOT NULL, cuisine text NOT NULL);
CREATE TABLE shop.orders (id bigint NOT NULL, customer_id bigint NOT NULL, restaurant_id bigint NOT NULL,
  status text NOT NULL, total numeric(10,2) NOT NULL, placed_at timestamptz NOT NULL, note text);
CREATE TABLE shop.order_items (order_id bigint NOT NULL, line integer NOT NULL, sku text NOT NULL,
  qty integer NOT NULL, price numeric(10,2) NOT NULL);
CREATE TABLE shop.deliveries (id bigint NOT NULL, order_id bigint NOT NULL, courier text NOT NULL,
  picked_at timestamptz NOT NULL, delivered_at timestamptz, route jsonb NOT NULL);
INSERT INTO shop.customers
  SELECT n, 'customer' || n || '@example.com', 'Customer ' || n, CASE WHEN n % 4 = 0 THEN NULL ELSE '+44 20 7946 ' || lpad((n % 10000)::text, 4, '0') END,
         n || ' High Street, Flat ' || (n % 97) || ', London', '2024-01-01'::timestamptz + n * interval '37 seconds'
    FROM generate_series(1, ${customers}) AS n;
INSERT INTO shop.restaurants
  SELECT n, 'Restaurant ' || n, (ARRAY['London', 'Leeds', 'Bristol', 'Glasgow'])[1 + n % 4], (ARRAY['thai', 'pizza', 'curry', 'sushi', 'burger'])[1 + n % 5]
    FROM generate_series(1, ${restaurants}) AS n;
INSERT INTO shop.orders
  SELECT n, 1 + (n::bigint * 7919) % ${customers}, 1 + n % ${restaurants}, (ARRAY['open', 'paid', 'delivered', 'cancelled'])[1 + n % 4],
         ((n * 31) % 10000) / 100.0, '2025-01-01'::timestamptz + n * interval '13 seconds',
         CASE WHEN n % 10 = 0 THEN 'leave at the door, ring twice' END
    FROM generate_series(1, ${orders}) AS n;
INSERT INTO shop.order_items
  SELECT 1 + n / 2, n % 2, 'SKU-' || lpad((n % 5000)::text, 5, '0'), 1 + n % 3, ((n * 17) % 3000) / 100.0
    FROM generate_series(0, ${Math.min(items, 2 * orders) - 1}) AS n;
INSERT INTO shop.deliveries
  SELECT n, n, 'courier-' || (n % 800), '2025-01-01'::timestamptz + n * interval '13 seconds',
         CASE WHEN n % 50 = 0 THEN NULL ELSE '2025-01-01'::timestamptz + n * interval '13 seconds' + interval '25 minutes' END,
         jsonb_build_object('km', (n % 90) / 10.0, 'stops', n % 3, 'zone', 'z' || (n % 40))
    FROM generate_series(1, ${Math.min(deliveries, orders)}) AS n;
`;
}

const CONSTRAINTS = `
ALTER TABLE shop.customers ADD PRIMARY KEY (id), ADD UNIQUE (email);
ALTER TABLE shop.restaurants ADD PRIMARY KEY (id);
ALTER TABLE shop.orders ADD PRIMARY KEY (id), ADD CHECK (total >= 0),
  ADD FOREIGN KEY (customer_id) REFERENCES shop.customers (id), ADD FOREIGN KEY (restaurant_id) REFERENCES shop.restaurants (id);
CREATE INDEX orders_customer_idx ON shop.orders (customer_id);
CREATE INDEX orders_placed_idx ON shop.orders (placed_at);
ALTER TABLE shop.order_items ADD PRIMARY KEY (order_id, line), ADD FOREIGN KEY (order_id) REFERENCES shop.orders (id);
ALTER TABLE shop.deliveries ADD PRIMARY KEY (id), ADD UNIQUE (order_id), ADD FOREIGN KEY (order_id) REFERENCES shop.orders (id);
${HEARTBEAT_TABLE_DDL}
INSERT INTO dr.heartbeat (written_at, writer)
  SELECT now() - interval '30 seconds' - n * interval '1 minute', 'probe' FROM generate_series(0, 1439) AS n;
`;

/** The assertions the timed check sets run (shared with `verify-live.ts`). */
export const ASSERTIONS = parseAssertions([
  { name: 'no-negative-totals', query: 'select count(*) from shop.orders where total < 0', expect: { equals: 0 } },
  {
    name: 'no-more-deliveries-than-orders',
    query: 'select (select count(*) from shop.deliveries) - (select count(*) from shop.orders)',
    expect: { atMost: 0 },
  },
]);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * Loads the food-delivery database into `database` (about `rows` rows over five tables, plus a day
 * of heartbeats in `dr.heartbeat`), then VACUUM (FREEZE, ANALYZE) and CHECKPOINT, and returns its
 * size in bytes. Shared with `verify-live.ts`.
 */
export async function buildFoodDeliveryDatabase(database: TempDatabase, rows = FULL_SIZE_ROWS): Promise<number> {
  const admin = await database.connect();
  try {
    await admin.query(loadSql(rows));
    await admin.query(CONSTRAINTS);
    await admin.query('VACUUM (FREEZE, ANALYZE)');
    // The load and the freeze dirtied the whole database; without an explicit checkpoint the
    // checkpointer would write it out during the timed runs, slowing whichever runs then.
    await admin.query('CHECKPOINT');
    const size = await admin.query<{ bytes: string }>('SELECT pg_database_size(current_database())::text AS bytes');
    return Number(size.rows[0]?.bytes);
  } finally {
    await admin.end();
  }
}

/** `pg_dump` of the whole database to /dev/null; milliseconds. Shared with `verify-live.ts`. */
export async function timePgDump(database: TempDatabase): Promise<number> {
  const { host, port, user } = database.config;
  const start = performance.now();
  await run(PG_DUMP, ['-h', String(host), '-p', String(port), '-U', String(user), '-d', database.name, '-f', '/dev/null']);
  return performance.now() - start;
}

/** One full verification, connections included (pg_dump opens its own too). */
async function timeVerify(
  database: TempDatabase,
  manifest: DatabaseManifest,
  parallelism: number,
): Promise<{ ms: number; report: VerificationReport }> {
  const start = performance.now();
  const clients: Client[] = await Promise.all(Array.from({ length: parallelism }, () => database.connect()));
  try {
    const report = await runVerification(new PgVerificationProbe(clients), {
      database: database.name,
      source: { kind: 'snapshot', snapshotId: 'bench', snapshotCreatedAt: new Date(manifest.capturedAt), manifest },
      heartbeat: DEFAULT_HEARTBEAT_TOLERANCE.snapshot,
      assertions: ASSERTIONS,
      now: () => new Date(),
    });
    return { ms: performance.now() - start, report };
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
}

/** Prints the verify-versus-pg_dump section of the benchmark report. */
export async function benchVerify(): Promise<void> {
  const parallelism = Math.min(availableParallelism(), 8);
  const database = await createTempDatabase('bench_verify');
  try {
    const loadStart = performance.now();
    const bytes = await buildFoodDeliveryDatabase(database);
    const admin = await database.connect();
    const manifest = await captureManifest(new PgDatabaseInspector(admin), { database: database.name, now: () => new Date() });
    await admin.end();
    const loadMs = performance.now() - loadStart;
    const rows = Object.values(manifest.rowCounts).reduce((sum, count) => sum + count, 0);

    await timePgDump(database);
    await timeVerify(database, manifest, parallelism);
    const dumps: number[] = [];
    const verifies: { ms: number; report: VerificationReport }[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      verifies.push(await timeVerify(database, manifest, parallelism));
      dumps.push(await timePgDump(database));
    }
    const dumpMs = median(dumps);
    const verifyMs = median(verifies.map((sample) => sample.ms));
    const typical = verifies.find((sample) => sample.ms === verifyMs) ?? verifies[0];

    console.log(
      `\n## verify vs pg_dump (${rows} counted rows in ${Object.keys(manifest.rowCounts).length} tables, ` +
        `${(bytes / 2 ** 20).toFixed(0)} MiB; loaded in ${(loadMs / 1000).toFixed(1)} s; median of ${ROUNDS})`,
    );
    console.log(`pg_dump -f /dev/null (plain, 1 connection)   ${dumpMs.toFixed(0).padStart(6)} ms  ${dumps.map((ms) => ms.toFixed(0)).join(' / ')}`);
    console.log(
      `full check set (${parallelism} connection${parallelism === 1 ? '' : 's'})             ${verifyMs.toFixed(0).padStart(6)} ms  ` +
        `${verifies.map((sample) => sample.ms.toFixed(0)).join(' / ')}  ratio ${(verifyMs / dumpMs).toFixed(2)}x pg_dump`,
    );
    for (const check of typical?.report.checks ?? []) {
      console.log(`  ${check.id.padEnd(34)} ${String(check.durationMs).padStart(6)} ms  ${check.status.padEnd(7)} ${check.evidence}`);
    }
  } finally {
    await database.drop();
  }
}
