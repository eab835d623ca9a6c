/**
 * Benchmark: the cost of the structural checks of a restore test (issue 11 item 5) on a
 * 1,000,000-row table, against the checks that were already there, on the local PostgreSQL server.
 *
 * 1. Create a throwaway database: `parent` (100,000 rows) and `big` (1,000,000 rows, 135 MB) with
 *    an identity, a foreign key to `parent`, a CHECK, a B-tree and a GIN index; VACUUM ANALYZE.
 * 2. Time each probe method three times over two sessions (the verify function's default) and
 *    print min–max per method: the new structural ones, then `checkBtreeIndexes` and `readTables`.
 * 3. Drop the database, also on failure.
 *
 * Run: `node bench/structure.ts`. Numbers vary by machine and load; compare within one run.
 */
import { performance } from 'node:perf_hooks';
import { PgVerificationProbe } from '../functions/adapters/pg/verification-probe.ts';
import { createTempDatabase } from '../test/support/pg.ts';

const RUNS = 3;

const SETUP = `
CREATE TABLE parent (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
INSERT INTO parent (name) SELECT md5(n::text) FROM generate_series(1, 100000) AS n;
CREATE TABLE big (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  parent_id bigint REFERENCES parent (id),
  qty int CHECK (qty >= 0),
  note text,
  tags text[]
);
INSERT INTO big (parent_id, qty, note, tags)
  SELECT 1 + n % 100000, n % 50, md5(n::text), ARRAY[md5(n::text)] FROM generate_series(1, 1000000) AS n;
CREATE INDEX big_parent_idx ON big (parent_id);
CREATE INDEX big_tags_gin ON big USING gin (tags);
`;

/** Times `work` {@link RUNS} times; returns `min–max ms`. */
async function span(work: () => Promise<unknown>): Promise<string> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const start = performance.now();
    await work();
    samples.push(Math.round(performance.now() - start));
  }
  return `${Math.min(...samples)}–${Math.max(...samples)} ms`;
}

/** Builds the table, times each method, prints one line per method. */
export async function benchStructure(): Promise<void> {
  const database = await createTempDatabase('bench_structure');
  try {
    const admin = await database.connect();
    await admin.query(SETUP);
    await admin.query('VACUUM ANALYZE');
    const size = await admin.query<{ size: string }>("SELECT pg_size_pretty(pg_relation_size('big')) AS size");
    const probe = new PgVerificationProbe([await database.connect(), await database.connect()]);
    const tables = [
      { schema: 'public', name: 'big' },
      { schema: 'public', name: 'parent' },
    ];
    const btree = [
      { schema: 'public', table: 'big', name: 'big_pkey' },
      { schema: 'public', table: 'big', name: 'big_parent_idx' },
      { schema: 'public', table: 'parent', name: 'parent_pkey' },
    ];
    const gin = [{ schema: 'public', table: 'big', name: 'big_tags_gin' }];
    const methods: [string, () => Promise<unknown>][] = [
      ['index-validity (indexStates)', () => probe.indexStates()],
      ['sequences (sequenceStates)', () => probe.sequenceStates()],
      ['foreign-keys (checkForeignKeys)', () => probe.checkForeignKeys()],
      ['check-constraints (checkCheckConstraints)', () => probe.checkCheckConstraints()],
      ['gin-indexes (checkGinIndexes)', () => probe.checkGinIndexes(gin)],
      ['heap-pages (checkHeapPages)', () => probe.checkHeapPages(tables)],
      ['btree-indexes (checkBtreeIndexes), for comparison', () => probe.checkBtreeIndexes(btree)],
      ['tables-readable (readTables), for comparison', () => probe.readTables(tables)],
    ];
    console.log(`structural checks: big = 1,000,000 rows, ${size.rows[0]?.size ?? '?'}; parent = 100,000 rows; 2 sessions; ${RUNS} runs each`);
    for (const [label, work] of methods) console.log(`  ${label}: ${await span(work)}`);
  } finally {
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchStructure();
