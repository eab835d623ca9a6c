/**
 * The content checks ('table-content', 'large-objects') against the real server: damage that
 * keeps every row count (a swapped row, a nulled column, lost large objects) is caught, and a
 * faithful copy taken under a steady writer never fails. The copy stands in for a snapshot restore
 * (`test/support/snapshot-copy.ts`, shared with the ledger test: `pg_dump --snapshot` of one instant).
 */
import type { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgContentReader, scanRestoredContent } from '../../functions/adapters/pg/content.ts';
import { PgDatabaseInspector } from '../../functions/adapters/pg/inspector.ts';
import { PgVerificationProbe } from '../../functions/adapters/pg/verification-probe.ts';
import { captureBracketedManifest, type DatabaseManifest } from '../../functions/domain/verification/manifest.ts';
import { DEFAULT_HEARTBEAT_TOLERANCE, type CheckResult } from '../../functions/domain/verification/report-model.ts';
import { runVerification } from '../../functions/domain/verification/run-verification.ts';
import { captureAfterReading, type AfterReading, type SettleOptions } from '../../functions/domain/verification/after-reading.ts';
import { judgeContent, restoredRequests, type ContentInput, type ContentJudgement } from '../../functions/domain/verification/content.ts';
import type { TableContent } from '../../functions/domain/verification/content-model.ts';
import { createTempDatabase, type TempDatabase } from '../support/pg.ts';
import { copyAtSnapshot, seededRandom } from '../support/snapshot-copy.ts';

const SCHEMA = `
  CREATE SCHEMA shop;
  CREATE TABLE shop.orders (id bigserial PRIMARY KEY, total numeric(10,2) NOT NULL, note text, discount int);
  CREATE TABLE shop.customers (id bigserial PRIMARY KEY, name text NOT NULL, email text, credit double precision);
  CREATE TABLE shop.regions (id int PRIMARY KEY, name text NOT NULL, opened timestamptz NOT NULL, ratio real, span interval, code bytea);
  INSERT INTO shop.orders (total, note, discount)
    SELECT g / 7.0, CASE WHEN g % 5 = 0 THEN NULL ELSE 'n' || g END, CASE WHEN g % 4 = 0 THEN 0 ELSE g % 9 END FROM generate_series(1, 2000) g;
  INSERT INTO shop.customers (name, email, credit)
    SELECT 'c' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'c' || g || '@example.com' END, g / 3.0 FROM generate_series(1, 500) g;
  INSERT INTO shop.regions
    SELECT g, 'r' || g, timestamptz '2026-01-01 00:00:00.123456+00' + g * interval '1 day 1.5 s', g / 3.0, g * interval '1 hour 2 minutes', decode(md5(g::text), 'hex')
      FROM generate_series(1, 20) g;
  CREATE SCHEMA dr;
  CREATE TABLE dr.heartbeat (id bigserial PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now(), writer text NOT NULL);
  INSERT INTO dr.heartbeat (writer) VALUES ('seed');`;
const SCHEMAS = ['shop', 'dr'];
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const SETTLE: SettleOptions = { pollSeconds: 1, maxWaitSeconds: 30, flushSeconds: 2 };

const databases: TempDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop().catch(() => undefined)));
}, 60_000);

async function database(label: string, setup = SCHEMA): Promise<TempDatabase> {
  const db = await createTempDatabase(label);
  databases.push(db);
  const client = await db.connect();
  await client.query(setup);
  // The setup's own counts belong before reading A.
  await client.query('SELECT pg_stat_force_next_flush()');
  await client.query('SELECT 1');
  await client.end();
  return db;
}

/** Reading A (with content), the copy at an exported snapshot, reading B (with large objects). */
async function bracketAndCopy(
  source: TempDatabase,
  session: Client,
  snapshotSession: Client,
  copy: TempDatabase,
  options: { readonly largeObjects?: boolean; readonly between?: () => Promise<void> } = {},
): Promise<{ manifest: DatabaseManifest; after: AfterReading; point: Date }> {
  const inspector = new PgDatabaseInspector(session);
  const content = new PgContentReader(session);
  const manifest = await captureBracketedManifest(inspector, inspector, { database: source.name, now: () => new Date(), content });
  await options.between?.();
  await snapshotSession.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  const exported = (await snapshotSession.query<{ id: string; at: Date }>('SELECT pg_export_snapshot() AS id, clock_timestamp() AS at')).rows[0]!;
  await copyAtSnapshot(source.name, copy, exported.id, SCHEMAS, options.largeObjects ?? false);
  await snapshotSession.query('COMMIT');
  const point = new Date(exported.at);
  const after = await captureAfterReading(inspector, inspector, { database: source.name, snapshotId: 'content', snapshotPoint: point, settle: SETTLE, sleep, content });
  return { manifest, after, point };
}

/** Runs every check on the copy and returns the named one. */
async function verifyCopy(copySession: Client, manifest: DatabaseManifest, after: AfterReading, point: Date, id: string): Promise<CheckResult> {
  const report = await runVerification(new PgVerificationProbe([copySession]), {
    database: 'content',
    source: { kind: 'snapshot', snapshotId: 'content', snapshotCreatedAt: point, manifest, after },
    heartbeat: DEFAULT_HEARTBEAT_TOLERANCE.snapshot,
    assertions: [],
    now: () => new Date(),
  });
  const check = report.checks.find((c) => c.id === id);
  if (check === undefined) throw new Error(`no check ${id}`);
  return check;
}

function readings(manifest: DatabaseManifest, after: AfterReading, copySchema: DatabaseManifest['schema']): Omit<ContentInput, 'restored'> {
  return { before: manifest.content!, countersBefore: manifest.counters ?? null, countersAfter: after.counters, settle: after.settle, schemaBefore: manifest.schema, schemaRestored: copySchema };
}

describe.concurrent('table-content and large-objects on a quiet database', () => {
  it('fails a quiet table with a swapped row, naming it, while the row counts pass', async () => {
    const source = await database('content_swap');
    const copy = await createTempDatabase('content_swap_copy');
    databases.push(copy);
    const [session, snapshotSession, copySession] = [await source.connect(), await source.connect(), await copy.connect()];
    const { manifest, after, point } = await bracketAndCopy(source, session, snapshotSession, copy);
    expect(Object.keys(manifest.content?.tables ?? {})).toEqual(['shop.customers', 'shop.orders', 'shop.regions']);
    // id and total are NOT NULL numbers (zeros only); note: every 5th row NULL; discount 0 for every
    // 4th row (500) and for the other multiples of 9 (222 − 55 = 167).
    expect(manifest.content?.tables['shop.orders']?.columns).toEqual({ id: { zeros: 0 }, total: { zeros: 0 }, note: { nulls: 400, empty: 0 }, discount: { nulls: 0, zeros: 667 } });

    // A faithful copy (rows in another physical order after the dump/restore) passes: the digest is order-independent.
    const faithful = await verifyCopy(copySession, manifest, after, point, 'table-content');
    expect([faithful.status, faithful.evidence]).toEqual(['passed', `3 tables: every column tally inside its bracket of the manifest captured at ${manifest.capturedAt}; 3 quiet tables with an equal content digest`]);
    expect(await verifyCopy(copySession, manifest, after, point, 'large-objects')).toMatchObject({ status: 'passed', evidence: '0' });

    // One row swapped for another: same count, same tallies.
    await copySession.query("DELETE FROM shop.regions WHERE id = 5; INSERT INTO shop.regions VALUES (5, 'r5', timestamptz '2026-01-06 00:00:07.623456+00', 5 / 3.0, interval '5 hours 10 minutes', decode(md5('x'), 'hex'))");
    const swapped = await verifyCopy(copySession, manifest, after, point, 'table-content');
    expect(swapped.status).toBe('failed');
    expect(swapped.evidence).toBe('1 of 3 tables changed: shop.regions (content digest differs from reading A\'s (20 rows -> 20): rows were changed, swapped or lost although no write was counted between the readings)');
    expect(await verifyCopy(copySession, manifest, after, point, 'row-counts')).toMatchObject({ status: 'passed' });
  });

  it('fails a column nulled in many rows with the bound it broke', async () => {
    const source = await database('content_null');
    const copy = await createTempDatabase('content_null_copy');
    databases.push(copy);
    const [session, snapshotSession, copySession] = [await source.connect(), await source.connect(), await copy.connect()];
    const { manifest, after, point } = await bracketAndCopy(source, session, snapshotSession, copy);
    await copySession.query('UPDATE shop.customers SET email = NULL WHERE id <= 300');
    const nulled = await verifyCopy(copySession, manifest, after, point, 'table-content');
    expect(nulled.status).toBe('failed');
    // Every 3rd email is NULL (166 of 500); 100 of the first 300 were NULL already: 200 more.
    expect(nulled.details).toContain(
      "shop.customers: FAILED (column bracket ± 0, digest compared): column email: nulls 166 -> 366, outside 166 ± 0 (200 more than the 0 row writes counted); content digest differs from reading A's (500 rows -> 500): rows were changed, swapped or lost although no write was counted between the readings",
    );
  });

  it('fails large objects deleted from the copy, is exact when A and B agree, inconclusive when they do not', async () => {
    const source = await database('content_lo', `${SCHEMA}; SELECT lo_from_bytea(0, convert_to('object ' || g, 'UTF8')) FROM generate_series(1, 3) g;`);
    const copy = await createTempDatabase('content_lo_copy');
    databases.push(copy);
    const [session, snapshotSession, copySession] = [await source.connect(), await source.connect(), await copy.connect()];
    const { manifest, after, point } = await bracketAndCopy(source, session, snapshotSession, copy, { largeObjects: true });
    expect(manifest.largeObjects?.count).toBe(3);
    expect(after.largeObjects).toEqual(manifest.largeObjects);
    const faithful = await verifyCopy(copySession, manifest, after, point, 'large-objects');
    expect(faithful).toMatchObject({ status: 'passed', evidence: `3 large objects, the same set as readings A and B (OID sum ${manifest.largeObjects?.oidSum})` });

    await copySession.query('SELECT lo_unlink(min(oid)) FROM pg_largeobject_metadata');
    const lost = await verifyCopy(copySession, manifest, after, point, 'large-objects');
    expect(lost.status).toBe('failed');
    expect(lost.evidence).toMatch(/^2 large objects restored, readings A and B both had 3 \(OID sum \d+ -> \d+\): 1 missing$/);

    // A large object created between A and the snapshot: nothing bounds the restored set.
    const moving = await bracketAndCopy(source, session, snapshotSession, copy, { largeObjects: true, between: async () => void (await session.query("SELECT lo_from_bytea(0, 'new')")) });
    const open = await verifyCopy(copySession, moving.manifest, moving.after, moving.point, 'large-objects');
    expect(open.status).toBe('inconclusive');
    expect(open.evidence).toMatch(/^large objects changed between the readings \(3 -> 4, OID sum \d+ -> \d+\); no write counters exist for them, so nothing bounds the restored 4$/);
  });
});

/**
 * A steady writer: short transactions on orders (inserts with NULL or zero values, updates that
 * flip `note` between NULL and text and `discount` between 0 and not, deletes), rarely customers,
 * never regions; some roll back (counted by the statistics anyway); a heartbeat every second.
 */
function startWriter(db: TempDatabase, seed: number): { stop: () => Promise<number> } {
  const random = seededRandom(seed);
  let running = true;
  let transactions = 0;
  const loop = async (): Promise<void> => {
    const client = await db.connect();
    try {
      while (running) {
        const r = random();
        if (r < 0.3) await client.query('INSERT INTO shop.orders (total, note, discount) VALUES ($1, $2, $3)', [random() * 100, random() < 0.5 ? null : 'w', random() < 0.5 ? 0 : 3]);
        else if (r < 0.5) await client.query("UPDATE shop.orders SET note = CASE WHEN note IS NULL THEN 'u' END WHERE id = (SELECT max(id) - 3 FROM shop.orders)");
        else if (r < 0.6) await client.query('UPDATE shop.orders SET discount = CASE WHEN discount = 0 THEN 1 ELSE 0 END WHERE id = (SELECT min(id) + 7 FROM shop.orders)');
        else if (r < 0.8) await client.query('DELETE FROM shop.orders WHERE id = (SELECT min(id) FROM shop.orders)');
        else if (r < 0.9) {
          await client.query('BEGIN');
          await client.query("UPDATE shop.orders SET note = NULL WHERE id = (SELECT max(id) FROM shop.orders)");
          await client.query('ROLLBACK');
        } else if (r < 0.93) await client.query("UPDATE shop.customers SET email = NULL WHERE id = (SELECT min(id) FROM shop.customers WHERE email IS NOT NULL)");
        else await client.query('SELECT pg_sleep(0.02)');
        transactions += 1;
      }
    } finally {
      await client.end();
    }
  };
  const heartbeat = async (): Promise<void> => {
    const client = await db.connect();
    try {
      while (running) {
        await client.query("INSERT INTO dr.heartbeat (writer) VALUES ('probe')");
        await sleep(1000);
      }
    } finally {
      await client.end();
    }
  };
  const done = Promise.all([loop(), heartbeat()]);
  return {
    stop: async () => {
      running = false;
      await done;
      return transactions;
    },
  };
}

/** The detection rule, computed from the raw numbers: failed iff a tally is outside ± W or a compared digest differs. */
function expectedStatus(manifest: DatabaseManifest, scanned: Record<string, TableContent | string>, judged: ContentJudgement, table: string): string {
  const t = judged.tables.find((x) => x.table === table)!;
  const a = manifest.content!.tables[table]!;
  const c = scanned[table] as TableContent;
  const outside = Object.entries(c.columns).some(([column, tally]) => Object.entries(tally).some(([m, n]) => Math.abs(n - (a.columns[column]?.[m as 'nulls'] ?? n)) > t.width!));
  const digest = t.digestCompared && (c.digest !== a.digest || c.rows !== a.rows);
  return outside || digest ? 'failed' : 'passed';
}

describe('table-content under a steady writer', () => {
  const LANES = 2;
  const RUNS_PER_LANE = 5;
  type Outcome = { run: number; faithful: ContentJudgement; hidden: ContentJudgement | null; caught: ContentJudgement; rule: [string, string][]; widthOrders: number; nulledHidden: number; nulledCaught: number; catchable: boolean };
  const outcomes: Outcome[] = [];
  let transactions = 0;

  beforeAll(async () => {
    // 18,000 more orders: the bracket of an unthrottled writer (about 2,000 rows on an idle machine)
    // must stay narrower than the notes left to null, or no nulling could ever leave it.
    const source = await database('content_live', `${SCHEMA}; INSERT INTO shop.orders (total, note, discount) SELECT g / 7.0, 'm' || g, g % 9 FROM generate_series(1, 18000) g;`);
    const copies = await Promise.all(Array.from({ length: LANES }, () => createTempDatabase('content_live_copy')));
    databases.push(...copies);
    const writer = startWriter(source, 20261203);
    try {
      await Promise.all(
        copies.map(async (copy, lane) => {
          const random = seededRandom(300 + lane);
          const [session, snapshotSession, copySession] = [await source.connect(), await source.connect(), await copy.connect()];
          try {
            for (let i = 0; i < RUNS_PER_LANE; i += 1) {
              const { manifest, after } = await bracketAndCopy(source, session, snapshotSession, copy, { between: () => sleep(Math.floor(random() * 400)) });
              const copySchema = await new PgDatabaseInspector(copySession).describeSchema();
              const input = readings(manifest, after, copySchema);
              const scan = async (): Promise<Record<string, TableContent | string>> => scanRestoredContent(copySession, restoredRequests(input), manifest.content!.seed, 60_000);
              const faithfulScan = await scan();
              const faithful = judgeContent({ ...input, restored: faithfulScan });
              // Null `note` in non-NULL rows: first as many as still fit the bracket (hidden), then one more (caught).
              const orders = faithful.tables.find((t) => t.table === 'shop.orders')!;
              const width = orders.width ?? 0;
              const drift = (faithfulScan['shop.orders'] as TableContent).columns['note']!.nulls! - manifest.content!.tables['shop.orders']!.columns['note']!.nulls!;
              const nullMore = (n: number): Promise<unknown> => copySession.query('UPDATE shop.orders SET note = NULL WHERE id IN (SELECT id FROM shop.orders WHERE note IS NOT NULL ORDER BY id LIMIT $1)', [n]);
              const fits = width - drift;
              // Rows that can still be nulled: when the bracket is wider than that, no nulling can leave it.
              const available = Number((await copySession.query<{ n: string }>('SELECT count(*) AS n FROM shop.orders WHERE note IS NOT NULL')).rows[0]!.n);
              let hidden: ContentJudgement | null = null;
              const rule: [string, string][] = [];
              if (fits > 0) {
                await nullMore(fits);
                const hiddenScan = await scan();
                hidden = judgeContent({ ...input, restored: hiddenScan });
                rule.push([hidden.tables.find((t) => t.table === 'shop.orders')!.status, expectedStatus(manifest, hiddenScan, hidden, 'shop.orders')]);
              }
              await nullMore(1);
              const caughtScan = await scan();
              const caught = judgeContent({ ...input, restored: caughtScan });
              for (const table of ['shop.customers', 'shop.orders', 'shop.regions']) rule.push([caught.tables.find((t) => t.table === table)!.status, expectedStatus(manifest, caughtScan, caught, table)]);
              outcomes.push({ run: lane * RUNS_PER_LANE + i, faithful, hidden, caught, rule, widthOrders: width, nulledHidden: Math.max(0, fits), nulledCaught: Math.max(0, fits) + 1, catchable: Math.max(0, fits) + 1 <= available });
            }
          } finally {
            await Promise.all([session.end(), snapshotSession.end(), copySession.end()]);
          }
        }),
      );
    } finally {
      transactions = await writer.stop();
    }
    outcomes.sort((x, y) => x.run - y.run);
  }, 180_000);

  it('never fails a faithful copy over 10 runs, and compares the never-written table by digest', () => {
    expect(outcomes).toHaveLength(LANES * RUNS_PER_LANE);
    expect(transactions).toBeGreaterThan(500);
    expect(outcomes.filter((o) => o.faithful.status !== 'passed').map((o) => [o.run, o.faithful.tables.filter((t) => t.status !== 'passed')])).toEqual([]);
    expect(outcomes.every((o) => o.faithful.tables.find((t) => t.table === 'shop.regions')?.digestCompared === true)).toBe(true);
    // The writer did move the busy table between the readings in most runs.
    expect(outcomes.filter((o) => o.widthOrders > 0).length).toBeGreaterThan(LANES * RUNS_PER_LANE / 2);
  });

  it('catches a column nulled in more rows than the bracket width, exactly by the rule |N_C − N_A| > W', () => {
    for (const outcome of outcomes) {
      for (const [status, expected] of outcome.rule) expect([outcome.run, status]).toEqual([outcome.run, expected]);
      if (outcome.catchable) expect([outcome.run, outcome.caught.tables.find((t) => t.table === 'shop.orders')?.status]).toEqual([outcome.run, 'failed']);
      if (outcome.hidden !== null) expect([outcome.run, outcome.hidden.tables.find((t) => t.table === 'shop.orders')?.status]).toEqual([outcome.run, 'passed']);
    }
    // Both sides of the rule happened: nulls hidden inside a non-zero bracket, and caught one past it.
    expect(outcomes.filter((o) => o.hidden !== null).length).toBeGreaterThan(0);
    // A run whose bracket is wider than the rows left to null cannot be caught by nulling; most can.
    expect(outcomes.filter((o) => o.catchable).length, JSON.stringify(outcomes.map((o) => [o.run, o.widthOrders, o.catchable]))).toBeGreaterThan(outcomes.length / 2);
  });
});
