import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier } from 'pg';
import type { QueryResult } from 'pg';
import { describe, expect, it } from 'vitest';
import { HEARTBEAT_TABLE_DDL } from '../../functions/adapters/pg/heartbeat-table.ts';
import { PgDatabaseInspector } from '../../functions/adapters/pg/inspector.ts';
import type { DbEndpoint } from '../../functions/adapters/pg/connect.ts';
import { AMCHECK_SCHEMA, openVerificationProbe, PgVerificationProbe } from '../../functions/adapters/pg/verification-probe.ts';
import type { ProbeSession } from '../../functions/adapters/pg/verification-probe.ts';
import { captureManifest } from '../../functions/domain/verification/manifest.ts';
import type { DatabaseManifest } from '../../functions/domain/verification/manifest.ts';
import { parseAssertions } from '../../functions/contracts/documents/assertions.ts';
import { DEFAULT_HEARTBEAT_TOLERANCE } from '../../functions/domain/verification/report-model.ts';
import { runVerification } from '../../functions/domain/verification/run-verification.ts';
import type { CheckResult, UserAssertion, VerificationReport } from '../../functions/domain/verification/report-model.ts';
import type { VerificationOptions } from '../../functions/domain/verification/run-verification.ts';
import { createTempDatabase, withServerClient } from '../support/pg.ts';
import type { TempDatabase } from '../support/pg.ts';

/**
 * The sample database: an enum, an expression index over an IMMUTABLE function (the way to leave
 * an index inconsistent with its table), a TOASTed value, a GIN index (not B-tree: not checked),
 * a partitioned table, an unlogged table and the heartbeat table.
 */
const SHOP = `
CREATE SCHEMA shop;
CREATE SCHEMA audit;
CREATE TYPE shop.order_status AS ENUM ('open', 'paid', 'shipped', 'cancelled');
CREATE FUNCTION shop.email_key(text) RETURNS text IMMUTABLE LANGUAGE sql AS $$ SELECT lower($1) $$;
CREATE TABLE shop.customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL, bio text);
CREATE UNIQUE INDEX customers_email_key_idx ON shop.customers (shop.email_key(email));
CREATE TABLE shop.orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES shop.customers (id),
  status shop.order_status NOT NULL DEFAULT 'open',
  total numeric(10,2) NOT NULL CHECK (total >= 0),
  note text
);
CREATE INDEX orders_customer_idx ON shop.orders (customer_id);
CREATE INDEX orders_open_idx ON shop.orders (id) WHERE status = 'open';
CREATE TABLE audit.log (id bigserial PRIMARY KEY, payload jsonb NOT NULL);
CREATE INDEX log_payload_idx ON audit.log USING gin (payload);
CREATE TABLE audit.events (at timestamptz NOT NULL, kind text) PARTITION BY RANGE (at);
CREATE TABLE audit.events_2026 PARTITION OF audit.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_at_idx ON audit.events (at);
CREATE TABLE public.settings (key text PRIMARY KEY, value text NOT NULL);
CREATE UNLOGGED TABLE public.sessions (token text PRIMARY KEY);
${HEARTBEAT_TABLE_DDL}
`;

/**
 * Rows: customers 3 (one with a 128 KiB bio, stored out of line in TOAST), orders 5 (4 paid,
 * 1 open), audit.log 4, events 2, settings 2 (23 bytes of values), sessions 1, heartbeats 3.
 */
const SHOP_ROWS = `
INSERT INTO shop.customers (email, bio) VALUES
  ('Ann@Example.com', (SELECT string_agg(md5(n::text), '') FROM generate_series(1, 4096) AS n)),
  ('bob@example.com', NULL),
  ('Cy@example.com', 'likes soup');
INSERT INTO shop.orders (customer_id, status, total, note) VALUES
  (1, 'paid', 10.50, NULL), (1, 'paid', 21.00, 'gift'), (2, 'paid', 3.25, NULL), (2, 'paid', 0.00, NULL), (3, 'open', 7.75, NULL);
INSERT INTO audit.log (payload) SELECT jsonb_build_object('n', n) FROM generate_series(1, 4) AS n;
INSERT INTO audit.events VALUES ('2026-02-01T00:00:00Z', 'login'), ('2026-03-01T00:00:00Z', 'logout');
INSERT INTO public.settings VALUES ('region', 'eu-west-1'), ('tier', 'gold');
INSERT INTO public.sessions VALUES ('t1');
INSERT INTO dr.heartbeat (written_at, writer) VALUES
  ('2026-03-01T12:00:00Z', 'probe'), ('2026-03-01T12:03:00Z', 'probe'), ('2026-03-01T12:04:30.123456Z', 'probe');
`;

const MANIFEST_AT = new Date('2026-03-01T12:04:50.000Z');
const SNAPSHOT_AT = new Date('2026-03-01T12:05:00.000Z');

const ASSERTIONS: UserAssertion[] = parseAssertions([
  { name: 'no-negative-totals', query: 'select count(*) from shop.orders where total < 0', expect: { equals: 0 } },
  { name: 'paid-orders', query: "select count(*) from shop.orders where status = 'paid'", expect: { atLeast: 4 } },
]);

/** The B-tree indexes of the sample, i.e. all but the GIN one and the partitioned parent's. */
const BTREE_INDEX_COUNT = 11;

interface RestoredCopy {
  readonly database: TempDatabase;
  readonly admin: Client;
  readonly manifest: DatabaseManifest;
  readonly probe: PgVerificationProbe;
}

/**
 * Builds the sample (plus `setup`, e.g. grants that exist in production too), captures its manifest
 * (as the backup workflow does next to a snapshot), then applies `damage`, standing in for whatever
 * went wrong between the manifest and the restored copy. The probe's two sessions open afterwards,
 * as they would on a freshly restored instance.
 */
async function restoredCopy(label: string, damage = '', setup = ''): Promise<RestoredCopy> {
  const database = await createTempDatabase(label);
  const admin = await database.connect();
  await admin.query(SHOP + SHOP_ROWS + setup);
  const manifest = await captureManifest(new PgDatabaseInspector(admin), {
    database: 'swifteats',
    now: () => MANIFEST_AT,
  });
  if (damage !== '') await admin.query(damage);
  const probe = new PgVerificationProbe([await database.connect(), await database.connect()]);
  return { database, admin, manifest, probe };
}

/**
 * A restored copy read by a login role of its own, like a least-privilege verify user: it may read
 * the shop's schemas and tables, plus whatever `extraGrants` (SQL, `ROLE` standing for the role)
 * adds or takes away. The role and the database are dropped afterwards whatever `fn` did.
 */
async function asLimitedRole(label: string, extraGrants: string, fn: (copy: RestoredCopy & { limited: Client }) => Promise<void>): Promise<void> {
  const role = `dr_test_verifier_${randomBytes(6).toString('hex')}`;
  await withServerClient((client) => client.query(`CREATE ROLE ${escapeIdentifier(role)} LOGIN`));
  const who = escapeIdentifier(role);
  // Granted before the manifest: the grants are the production database's, restored with it (the
  // object fingerprint compares grants, so granting only on the copy would be a difference).
  const copy = await restoredCopy(
    label,
    '',
    `GRANT USAGE ON SCHEMA shop, audit, dr TO ${who};
     GRANT SELECT ON ALL TABLES IN SCHEMA shop, audit, dr, public TO ${who};
     ${extraGrants.replaceAll('ROLE', who)}`,
  ).catch(async (error: unknown) => {
    await withServerClient((client) => client.query(`DROP ROLE IF EXISTS ${who}`));
    throw error;
  });
  const limited = new Client({ ...copy.database.config, user: role });
  try {
    await limited.connect();
    await fn({ ...copy, limited });
  } finally {
    await limited.end().catch(() => undefined);
    await copy.database.drop();
    await withServerClient((client) => client.query(`DROP ROLE IF EXISTS ${escapeIdentifier(role)}`));
  }
}

function snapshotOptions(manifest: DatabaseManifest, overrides: Partial<VerificationOptions> = {}): VerificationOptions {
  return {
    database: 'swifteats',
    source: { kind: 'snapshot', snapshotId: 'swifteats-daily-202603011205', snapshotCreatedAt: SNAPSHOT_AT, manifest },
    heartbeat: DEFAULT_HEARTBEAT_TOLERANCE.snapshot,
    assertions: ASSERTIONS,
    now: () => new Date(),
    ...overrides,
  };
}

function checkOf(report: VerificationReport, id: string): CheckResult {
  const check = report.checks.find((candidate) => candidate.id === id);
  if (check === undefined) throw new Error(`no check ${id} in the report`);
  return check;
}

function failedIds(report: VerificationReport): string[] {
  return report.checks.filter((check) => check.status === 'failed').map((check) => check.id);
}

async function amcheckVersion(): Promise<string> {
  return withServerClient(async (client) => {
    const result = await client.query<{ v: string }>(
      "SELECT default_version AS v FROM pg_available_extensions WHERE name = 'amcheck'",
    );
    return result.rows[0]?.v ?? 'none';
  });
}

async function schemaCount(client: Client, schema: string): Promise<number> {
  const result = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1', [schema]);
  return result.rows[0]?.n ?? -1;
}

async function installedAmcheck(client: Client): Promise<number> {
  const result = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'amcheck'");
  return result.rows[0]?.n ?? -1;
}

describe('runVerification over PostgreSQL: a faithful copy', () => {
  it('passes every check except TLS, which the local server (ssl=off) cannot give', async () => {
    // Prepare
    const { database, admin, manifest, probe } = await restoredCopy('faithful');
    const version = await amcheckVersion();
    try {
      // Act
      const report = await runVerification(probe, snapshotOptions(manifest));

      // Assess
      const checksums = (await admin.query<{ data_checksums: string }>('SHOW data_checksums')).rows[0]?.data_checksums === 'on';
      expect(report.dataChecksums).toBe(checksums);
      expect(report.findings.some((f) => f.startsWith('data checksums are off'))).toBe(!checksums);
      expect(report.checks.map((check) => [check.id, check.status])).toEqual([
        ['tls', 'failed'],
        ['schema-fingerprint', 'passed'],
        ['row-counts', 'passed'],
        ['tables-readable', 'passed'],
        ['btree-indexes', 'passed'],
        ['heartbeat', 'passed'],
        ['index-validity', 'passed'],
        ['sequences', 'passed'],
        ['foreign-keys', 'passed'],
        ['check-constraints', 'passed'],
        ['gin-indexes', 'passed'],
        ['heap-pages', 'passed'],
        // A format-1 manifest (captureManifest): no content tallies, no large objects.
        ['table-content', 'skipped'],
        ['large-objects', 'skipped'],
        ['assertion:no-negative-totals', 'passed'],
        ['assertion:paid-orders', 'passed'],
      ]);
      // The structural checks: 11 B-tree + 1 GIN + the partitioned parent's index; two identities,
      // a bigserial and the heartbeat's; one foreign key and one CHECK; 7 tables with storage.
      expect(report.checks.slice(6, 12).map((check) => [check.id, check.evidence, check.details])).toEqual([
        ['index-validity', '13 indexes valid and ready', []],
        ['sequences', '4 sequences owned by a column, each ahead of its column', []],
        ['foreign-keys', '1 foreign key holds (one anti-join each)', []],
        ['check-constraints', '1 CHECK constraint holds (each re-evaluated on every row)', []],
        [
          'gin-indexes',
          `1 of 1 GIN index passed full-index scan compared with a sequential scan (amcheck on PostgreSQL ${Math.floor(Number((await admin.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]?.v) / 10000)} has no gin_index_check)`,
          [],
        ],
        ['heap-pages', `7 of 7 tables passed verify_heapam with TOAST, amcheck ${version} created for this run, then dropped`, []],
      ]);
      expect(report.passed).toBe(false);
      const tls = checkOf(report, 'tls');
      expect(tls.evidence).toBe('2 of 2 connections not encrypted with TLS 1.2 or later');
      expect(tls.details).toHaveLength(2);
      for (const line of tls.details) expect(line).toMatch(/^connection [12] \(pid \d+\): not encrypted$/);
      expect(checkOf(report, 'schema-fingerprint').evidence).toBe(
        `fingerprint ${manifest.schemaFingerprint} equals the manifest's (8 tables)`,
      );
      expect(checkOf(report, 'row-counts').evidence).toBe(
        '5 tables, 16 rows, equal to the manifest captured at 2026-03-01T12:04:50.000Z',
      );
      const readable = checkOf(report, 'tables-readable');
      const bytes = readable.details.reduce((sum, line) => sum + Number(/, (\d+) bytes?$/.exec(line)?.[1]), 0);
      expect(readable.evidence).toBe(`7 tables read in full: 20 rows, ${bytes} bytes of values`);
      expect(readable.details.map((line) => line.replace(/, \d+ bytes$/, ''))).toEqual([
        'table audit.events_2026: 2 rows',
        'table audit.log: 4 rows',
        'table dr.heartbeat: 3 rows',
        'table public.sessions: 1 row',
        'table public.settings: 2 rows',
        'table shop.customers: 3 rows',
        'table shop.orders: 5 rows',
      ]);
      // Every value went through its output function: 'region' + 'eu-west-1' + 'tier' + 'gold',
      // and the whole 128 KiB TOASTed bio was fetched and decompressed.
      expect(readable.details).toContain('table public.settings: 2 rows, 23 bytes');
      expect(readable.details).toContain('table shop.customers: 3 rows, 131129 bytes');
      expect(checkOf(report, 'btree-indexes').evidence).toBe(
        `${BTREE_INDEX_COUNT} of ${BTREE_INDEX_COUNT} B-tree indexes passed bt_index_check with heapallindexed, amcheck ${version} created for this run, then dropped`,
      );
      expect(await installedAmcheck(admin)).toBe(0);
      expect(checkOf(report, 'heartbeat').evidence).toBe(
        'newest heartbeat 2026-03-01T12:04:30.123456Z is 29.876544 s before the expected point 2026-03-01T12:05:00.000Z',
      );
      expect(checkOf(report, 'assertion:no-negative-totals').evidence).toBe('returned 0 (expected equals 0)');
      expect(checkOf(report, 'assertion:paid-orders').evidence).toBe('returned 4 (expected at least 4)');
      expect(report.recoveredPointInTime).toBe('2026-03-01T12:04:30.123456Z');
      expect(report.source).toEqual({
        kind: 'snapshot',
        snapshotId: 'swifteats-daily-202603011205',
        snapshotCreatedAt: '2026-03-01T12:05:00.000Z',
        manifestCapturedAt: '2026-03-01T12:04:50.000Z',
        manifestFingerprint: manifest.schemaFingerprint,
      });
    } finally {
      await database.drop();
    }
  });
});

describe('runVerification over PostgreSQL: each corruption is caught and named', () => {
  it('rows deleted from one table: row-counts fails with both numbers', async () => {
    // Prepare
    const { database, manifest, probe } = await restoredCopy('deleted', "DELETE FROM shop.orders WHERE status = 'open';");
    try {
      // Act
      const report = await runVerification(probe, snapshotOptions(manifest));

      // Assess
      expect(failedIds(report)).toEqual(['tls', 'row-counts']);
      const counts = checkOf(report, 'row-counts');
      expect(counts.evidence).toBe('1 of 5 tables differ from the manifest captured at 2026-03-01T12:04:50.000Z');
      expect(counts.details).toEqual(['table shop.orders: rows 5 -> 4']);
    } finally {
      await database.drop();
    }
  });

  it('a dropped table: the schema and the row counts both name it', async () => {
    // Prepare
    const { database, manifest, probe } = await restoredCopy('droptable', 'DROP TABLE audit.log;');
    try {
      // Act
      const report = await runVerification(probe, snapshotOptions(manifest));

      // Assess
      expect(failedIds(report)).toEqual(['tls', 'schema-fingerprint', 'row-counts']);
      const schema = checkOf(report, 'schema-fingerprint');
      expect(schema.evidence).toMatch(
        new RegExp(`^fingerprint [0-9a-f]{64} differs from the manifest's ${manifest.schemaFingerprint}: 1 difference$`),
      );
      expect(schema.details).toEqual(['table audit.log missing']);
      expect(checkOf(report, 'row-counts').details).toEqual(['table audit.log: row count missing']);
    } finally {
      await database.drop();
    }
  });

  it('a dropped index: the schema names it', async () => {
    // Prepare
    const { database, manifest, probe } = await restoredCopy('dropindex', 'DROP INDEX shop.orders_customer_idx;');
    try {
      // Act
      const report = await runVerification(probe, snapshotOptions(manifest));

      // Assess
      expect(failedIds(report)).toEqual(['tls', 'schema-fingerprint']);
      expect(checkOf(report, 'schema-fingerprint').details).toEqual(['index shop.orders_customer_idx missing']);
      expect(checkOf(report, 'btree-indexes').evidence).toMatch(
        new RegExp(`^${BTREE_INDEX_COUNT - 1} of ${BTREE_INDEX_COUNT - 1} B-tree indexes passed`),
      );
    } finally {
      await database.drop();
    }
  });

  it('a changed column type: the schema names the column and both types', async () => {
    // Prepare
    const { database, manifest, probe } = await restoredCopy(
      'coltype',
      'ALTER TABLE shop.orders ALTER COLUMN note TYPE varchar(200);',
    );
    try {
      // Act
      const report = await runVerification(probe, snapshotOptions(manifest));

      // Assess
      expect(failedIds(report)).toEqual(['tls', 'schema-fingerprint']);
      expect(checkOf(report, 'schema-fingerprint').details).toEqual([
        'table shop.orders: column note type text -> character varying(200)',
      ]);
    } finally {
      await database.drop();
    }
  });

  it('an index inconsistent with its table: amcheck (heapallindexed) names the index and the heap tuple', async () => {
    // Prepare: the "IMMUTABLE" function behind an expression index changes behaviour, as a
    // collation or extension upgrade does in real life. The index keeps lower(email) keys while
    // the table now implies upper(email) ones; schema, counts and reads cannot see it.
    const { database, manifest, probe } = await restoredCopy(
      'inconsistent',
      'CREATE OR REPLACE FUNCTION shop.email_key(text) RETURNS text IMMUTABLE LANGUAGE sql AS $$ SELECT upper($1) $$;',
    );
    const version = await amcheckVersion();
    try {
      // Act
      const report = await runVerification(probe, snapshotOptions(manifest));

      // Assess
      // The replaced function is itself a schema difference the object fingerprint names.
      expect(failedIds(report)).toEqual(['tls', 'schema-fingerprint', 'btree-indexes']);
      expect(checkOf(report, 'schema-fingerprint').details).toEqual(['function shop.email_key(text): body changed']);
      const indexes = checkOf(report, 'btree-indexes');
      expect(indexes.evidence).toBe(
        `1 of ${BTREE_INDEX_COUNT} B-tree indexes failed bt_index_check with heapallindexed, amcheck ${version} created for this run, then dropped`,
      );
      expect(indexes.details).toEqual([
        'index shop.customers_email_key_idx: heap tuple (0,1) from table "customers" lacks matching index tuple within index "customers_email_key_idx" (SQLSTATE XX001)',
      ]);
    } finally {
      await database.drop();
    }
  });

  it('a heartbeat older than expected: the heartbeat check gives the lag and the allowance', async () => {
    // Prepare: the snapshot claims 12:10, but the newest heartbeat in it is from 12:04:30.
    const { database, manifest, probe } = await restoredCopy('oldhb');
    const options = snapshotOptions(manifest, {
      source: {
        kind: 'snapshot',
        snapshotId: 'swifteats-daily-202603011210',
        snapshotCreatedAt: new Date('2026-03-01T12:10:00.000Z'),
        manifest,
      },
    });
    try {
      // Act
      const report = await runVerification(probe, options);

      // Assess
      expect(failedIds(report)).toEqual(['tls', 'heartbeat']);
      expect(checkOf(report, 'heartbeat').evidence).toBe(
        'newest heartbeat 2026-03-01T12:04:30.123456Z is 329.876544 s before the expected point 2026-03-01T12:10:00.000Z (allowed 120 s)',
      );
      expect(report.recoveredPointInTime).toBe('2026-03-01T12:04:30.123456Z');
    } finally {
      await database.drop();
    }
  });

  it('heartbeats missing from the copy: older than the manifest saw, so data is missing', async () => {
    // Prepare
    const { database, manifest, probe } = await restoredCopy(
      'lostHb',
      "DELETE FROM dr.heartbeat WHERE written_at > '2026-03-01T12:00:00Z';",
    );
    try {
      // Act
      const report = await runVerification(probe, snapshotOptions(manifest));

      // Assess: the heartbeat table is never counted, so only the heartbeat check sees it.
      expect(failedIds(report)).toEqual(['tls', 'heartbeat']);
      expect(checkOf(report, 'heartbeat').evidence).toBe(
        'newest heartbeat 2026-03-01T12:00:00.000000Z is 300 s before the expected point 2026-03-01T12:05:00.000Z (allowed 120 s); ' +
          "newest heartbeat 2026-03-01T12:00:00.000000Z is older than the manifest's 2026-03-01T12:04:30.123456Z: data the manifest saw is missing",
      );
    } finally {
      await database.drop();
    }
  });

  it('a failing user assertion: its check names the value and the expectation', async () => {
    // Prepare: two paid orders cancelled; schema and counts are unchanged.
    const { database, manifest, probe } = await restoredCopy(
      'assertion',
      "UPDATE shop.orders SET status = 'cancelled' WHERE id IN (1, 2);",
    );
    try {
      // Act
      const report = await runVerification(probe, snapshotOptions(manifest));

      // Assess
      expect(failedIds(report)).toEqual(['tls', 'assertion:paid-orders']);
      const check = checkOf(report, 'assertion:paid-orders');
      expect(check.evidence).toBe('returned 2 (expected at least 4)');
      expect(check.details).toEqual([
        "query: select count(*) from shop.orders where status = 'paid'",
        'expected: at least 4',
      ]);
    } finally {
      await database.drop();
    }
  });

  it('a value its type cannot print: the full read fails for that table only, count(*) alone would not notice', async () => {
    // Prepare: an enum label removed from the catalog behind the data's back (catalog damage);
    // rows still count, but 'cancelled' can no longer be printed, so pg_dump would fail too.
    const database = await createTempDatabase('unreadable');
    try {
      const admin = await database.connect();
      await admin.query(SHOP + SHOP_ROWS);
      const manifest = await captureManifest(new PgDatabaseInspector(admin), { database: 'swifteats', now: () => MANIFEST_AT });
      await admin.query("UPDATE shop.orders SET status = 'cancelled' WHERE id = 5");
      const label = await admin.query<{ oid: number }>(
        "SELECT oid::int AS oid FROM pg_enum WHERE enumtypid = 'shop.order_status'::regtype AND enumlabel = 'cancelled'",
      );
      await admin.query('SET allow_system_table_mods = on');
      await admin.query('DELETE FROM pg_enum WHERE oid = $1', [label.rows[0]?.oid]);
      const probe = new PgVerificationProbe([await database.connect(), await database.connect()]);

      // Act
      const report = await runVerification(probe, snapshotOptions(manifest, { assertions: [] }));

      // Assess
      // The label is gone from the catalog, so the enum's fingerprint names it too.
      expect(failedIds(report)).toEqual(['tls', 'schema-fingerprint', 'row-counts', 'tables-readable']);
      expect(checkOf(report, 'schema-fingerprint').details).toEqual([
        'enum shop.order_status: labels open,paid,shipped,cancelled -> open,paid,shipped',
      ]);
      const readable = checkOf(report, 'tables-readable');
      expect(readable.evidence).toBe('1 of 7 tables could not be read in full');
      expect(readable.details.filter((line) => line.startsWith('table shop.orders'))).toEqual([
        `table shop.orders: invalid internal value for enum: ${label.rows[0]?.oid} (SQLSTATE 22P03)`,
      ]);
      expect(readable.details).toContain('table shop.customers: 3 rows, 131129 bytes');
      expect(checkOf(report, 'row-counts').details).toEqual(['table shop.orders: rows 5 -> not counted (the read failed)']);
    } finally {
      await database.drop();
    }
  });
});

describe('PgVerificationProbe', () => {
  it('reads every table in one exported snapshot while another session commits between reads', async () => {
    // Prepare: a and b hold 10 rows each. Right after the first connection exports its snapshot,
    // before the second one starts its transaction, a writer moves 3 rows from a to b, adds 4 to b
    // and commits. The second connection reads one of the tables; only an imported snapshot makes
    // it see the state before the write.
    const database = await createTempDatabase('snapshot');
    try {
      const admin = await database.connect();
      await admin.query(
        'CREATE TABLE a (v int); CREATE TABLE b (v int); INSERT INTO a SELECT generate_series(1, 10); INSERT INTO b SELECT generate_series(1, 10);',
      );
      const writer = await database.connect();
      let fired = false;
      const interleave = async (): Promise<void> => {
        fired = true;
        await writer.query('BEGIN; DELETE FROM a WHERE v <= 3; INSERT INTO b SELECT generate_series(11, 17); COMMIT;');
      };
      const interleaving = (client: Client): ProbeSession =>
        new Proxy(client, {
          get(target, property, receiver) {
            if (property !== 'query') return Reflect.get(target, property, receiver) as unknown;
            return async (...args: Parameters<Client['query']>) => {
              const result = await (target.query as (...a: unknown[]) => Promise<QueryResult>).apply(target, args);
              const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
              if (!fired && text.startsWith('SELECT pg_export_snapshot()')) await interleave();
              return result;
            };
          },
        });
      const probe = new PgVerificationProbe([interleaving(await database.connect()), interleaving(await database.connect())]);

      // Act
      const reads = await probe.readTables([
        { schema: 'public', name: 'a' },
        { schema: 'public', name: 'b' },
      ]);

      // Assess
      expect(fired).toBe(true);
      expect(reads.map((read) => (read.ok ? `${read.table.name}: ${read.rows}` : read.error))).toEqual(['a: 10', 'b: 10']);
      const after = await admin.query<{ a: number; b: number }>(
        'SELECT (SELECT count(*) FROM a)::int AS a, (SELECT count(*) FROM b)::int AS b',
      );
      expect(after.rows[0]).toEqual({ a: 7, b: 17 });
    } finally {
      await database.drop();
    }
  });

  it('skips amcheck with evidence when the role may not create it, and reports tables it may not read', async () => {
    // Prepare: a role that can read everything but audit.log and may create a schema, but not
    // amcheck (not a trusted extension).
    await asLimitedRole('noamcheck', 'REVOKE SELECT ON audit.log FROM ROLE; DO $do$ BEGIN EXECUTE format(\'GRANT CREATE ON DATABASE %I TO %s\', current_database(), \'ROLE\'); END $do$;', async ({ admin, manifest, limited }) => {
      // Act
      const report = await runVerification(new PgVerificationProbe([limited]), snapshotOptions(manifest));

      // Assess
      expect(report.checks.map((check) => [check.id, check.status])).toEqual([
        ['tls', 'failed'],
        ['schema-fingerprint', 'passed'],
        ['row-counts', 'failed'],
        ['tables-readable', 'failed'],
        ['btree-indexes', 'inconclusive'],
        ['heartbeat', 'passed'],
        ['index-validity', 'passed'],
        ['sequences', 'inconclusive'],
        ['foreign-keys', 'passed'],
        ['check-constraints', 'passed'],
        // The GIN index is on audit.log, which this role may not read.
        ['gin-indexes', 'inconclusive'],
        ['heap-pages', 'inconclusive'],
        // A format-1 manifest (captureManifest): no content tallies, no large objects.
        ['table-content', 'skipped'],
        ['large-objects', 'skipped'],
        ['assertion:no-negative-totals', 'passed'],
        ['assertion:paid-orders', 'passed'],
      ]);
      const indexes = checkOf(report, 'btree-indexes');
      expect(indexes.evidence).toBe(
        'amcheck unavailable, no index was checked: CREATE EXTENSION amcheck SCHEMA dr_amcheck: permission denied to create extension "amcheck" (SQLSTATE 42501)',
      );
      expect(indexes.passed).toBe(false);
      expect(await schemaCount(admin, AMCHECK_SCHEMA)).toBe(0);
      expect(checkOf(report, 'tables-readable').details).toContain(
        'table audit.log: permission denied for table log (SQLSTATE 42501)',
      );
      expect(checkOf(report, 'row-counts').details).toEqual(['table audit.log: rows 4 -> not counted (the read failed)']);
      expect(checkOf(report, 'tls').evidence).toBe('1 of 1 connection not encrypted with TLS 1.2 or later');
    });
  });

  it('names the statement refused when the role may not even create the probe schema', async () => {
    // Prepare: no CREATE on the database (the default for a new role).
    await asLimitedRole('noschema', '', async ({ database, manifest, limited }) => {
      // Act
      const report = await runVerification(new PgVerificationProbe([limited]), snapshotOptions(manifest));

      // Assess
      expect(checkOf(report, 'btree-indexes').evidence).toBe(
        `amcheck unavailable, no index was checked: CREATE SCHEMA dr_amcheck: permission denied for database ${database.name} (SQLSTATE 42501)`,
      );
    });
  });

  it('checks indexes on a hardened database whose search_path names no existing schema (issue 13)', async () => {
    // Prepare: `search_path = "$user"` for the database (the CVE-2018-1058 hardening; RDS restores
    // per-database settings with the snapshot), and an index inconsistent with its table. Without an
    // explicit schema, CREATE EXTENSION fails with 3F000 and the corrupt index would go unchecked.
    const { database, admin, manifest } = await restoredCopy(
      'hardened',
      `DO $do$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = "$user"', current_database()); END $do$;
       CREATE OR REPLACE FUNCTION shop.email_key(text) RETURNS text IMMUTABLE LANGUAGE sql AS $$ SELECT upper($1) $$;`,
    );
    const probe = new PgVerificationProbe([await database.connect(), await database.connect()]);
    try {
      const path = await (await database.connect()).query<{ search_path: string }>('SHOW search_path');
      expect(path.rows[0]?.search_path).toBe('"$user"');

      // Act
      const report = await runVerification(probe, snapshotOptions(manifest));

      // Assess
      const indexes = checkOf(report, 'btree-indexes');
      expect(indexes.status).toBe('failed');
      expect(indexes.details).toEqual([
        'index shop.customers_email_key_idx: heap tuple (0,1) from table "customers" lacks matching index tuple within index "customers_email_key_idx" (SQLSTATE XX001)',
      ]);
      expect(await installedAmcheck(admin)).toBe(0);
      expect(await schemaCount(admin, AMCHECK_SCHEMA)).toBe(0);
    } finally {
      await database.drop();
    }
  });

  it('uses an amcheck that is already installed and leaves it installed', async () => {
    // Prepare
    const { database, admin, manifest, probe } = await restoredCopy('hasamcheck', 'CREATE EXTENSION amcheck;');
    const version = await amcheckVersion();
    try {
      // Act
      const report = await runVerification(probe, snapshotOptions(manifest));

      // Assess
      expect(checkOf(report, 'btree-indexes').evidence).toBe(
        `${BTREE_INDEX_COUNT} of ${BTREE_INDEX_COUNT} B-tree indexes passed bt_index_check with heapallindexed, amcheck ${version} already installed`,
      );
      expect(await installedAmcheck(admin)).toBe(1);
    } finally {
      await database.drop();
    }
  });
});

describe('openVerificationProbe', () => {
  it('opens one session per degree of parallelism and closes them all', async () => {
    // Prepare
    const database = await createTempDatabase('open');
    const endpoint: DbEndpoint = {
      host: String(database.config.host),
      port: Number(database.config.port),
      database: database.name,
      user: String(database.config.user),
      password: '',
      tls: 'disable',
      applicationName: 'dr-verify-test',
    };
    try {
      // Act
      const opened = await openVerificationProbe(endpoint, { parallelism: 3 });
      const security = await opened.probe.connectionSecurity();
      const whileOpen = await backends(database.name, 'dr-verify-test');
      await opened.close();

      // Assess
      expect(security.map((connection) => connection.ssl)).toEqual([false, false, false]);
      expect(new Set(security.map((connection) => connection.pid)).size).toBe(3);
      expect(whileOpen).toBe(3);
      await expect(openVerificationProbe(endpoint, { parallelism: 0 })).rejects.toThrow(
        'parallelism must be a positive integer, got 0',
      );
    } finally {
      await database.drop();
    }
  });
});

/** Backends of `application` connected to `database`, counted from the maintenance database. */
async function backends(database: string, application: string): Promise<number> {
  return withServerClient(async (client) => {
    const result = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2',
      [database, application],
    );
    return result.rows[0]?.n ?? -1;
  });
}

describe('runVerification over PostgreSQL: point-in-time restore and user assertions', () => {
  it('runs assertions read-only, one statement, with their timeout, and skips the manifest checks', async () => {
    // Prepare
    const { database, admin, probe } = await restoredCopy('pitr');
    const assertions = parseAssertions([
      { name: 'write-refused', query: "insert into public.settings values ('x', 'y') returning 0", expect: { equals: 0 } },
      { name: 'no-second-statement', query: 'select 0; delete from public.settings', expect: { equals: 0 } },
      { name: 'times-out', query: 'select count(*) from pg_sleep(2)', expect: { equals: 1 }, timeoutSeconds: 1 },
      { name: 'two-columns', query: 'select 1, 2', expect: { equals: 1 } },
      { name: 'no-row', query: 'select 1 where false', expect: { equals: 1 } },
      { name: 'boolean', query: 'select bool_and(total >= 0) from shop.orders', expect: { equals: true } },
      { name: 'numeric-range', query: 'select sum(total) from shop.orders', expect: { between: [42.5, 42.5] } },
      { name: 'text', query: "select value from public.settings where key = 'tier'", expect: { equals: 'gold' } },
      { name: 'null', query: "select max(value) from public.settings where key = 'none'", expect: { equals: null } },
      { name: 'not-a-number', query: "select 'gold'", expect: { atMost: 3 } },
    ]);
    try {
      // Act
      const report = await runVerification(probe, {
        database: 'swifteats',
        source: { kind: 'point-in-time', targetTime: new Date('2026-03-01T12:04:31.000Z') },
        heartbeat: DEFAULT_HEARTBEAT_TOLERANCE['point-in-time'],
        assertions,
        now: () => new Date(),
      });

      // Assess
      expect(report.checks.map((check) => [check.id, check.status, check.evidence])).toEqual([
        ['tls', 'failed', '2 of 2 connections not encrypted with TLS 1.2 or later'],
        ['schema-fingerprint', 'skipped', 'not applicable: a point-in-time restore has no manifest to compare with'],
        ['row-counts', 'skipped', 'not applicable: a point-in-time restore has no manifest to compare with'],
        ['tables-readable', 'passed', checkOf(report, 'tables-readable').evidence],
        ['btree-indexes', 'passed', checkOf(report, 'btree-indexes').evidence],
        ['heartbeat', 'passed', 'newest heartbeat 2026-03-01T12:04:30.123456Z is 0.876544 s before the expected point 2026-03-01T12:04:31.000Z'],
        ...['index-validity', 'sequences', 'foreign-keys', 'check-constraints'].map((id) => [id, 'passed', checkOf(report, id).evidence]),
        ['gin-indexes', 'passed', checkOf(report, 'gin-indexes').evidence],
        ['heap-pages', 'passed', checkOf(report, 'heap-pages').evidence],
        ['table-content', 'skipped', 'not applicable: a point-in-time restore has no manifest to compare with'],
        ['large-objects', 'skipped', 'not applicable: a point-in-time restore has no manifest to compare with'],
        ['assertion:write-refused', 'failed', 'query failed: cannot execute INSERT in a read-only transaction (SQLSTATE 25006)'],
        ['assertion:no-second-statement', 'failed', 'query failed: cannot insert multiple commands into a prepared statement (SQLSTATE 42601)'],
        ['assertion:times-out', 'failed', 'query failed: canceling statement due to statement timeout (SQLSTATE 57014)'],
        ['assertion:two-columns', 'failed', 'returned 1 row of 2 columns; an assertion must return exactly one value'],
        ['assertion:no-row', 'failed', 'returned 0 rows of 1 column; an assertion must return exactly one value'],
        ['assertion:boolean', 'passed', 'returned true (expected equals true)'],
        ['assertion:numeric-range', 'passed', 'returned 42.50 (expected between 42.5 and 42.5)'],
        ['assertion:text', 'passed', 'returned "gold" (expected equals "gold")'],
        ['assertion:null', 'passed', 'returned NULL (expected equals NULL)'],
        ['assertion:not-a-number', 'failed', 'returned "gold" is not a number (expected at most 3)'],
      ]);
      expect(report.source).toEqual({ kind: 'point-in-time', targetTime: '2026-03-01T12:04:31.000Z' });
      expect(report.recoveredPointInTime).toBe('2026-03-01T12:04:30.123456Z');
      const settings = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM public.settings');
      expect(settings.rows[0]?.n).toBe(2);
      const state = await admin.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
      );
      expect(state.rows[0]?.n).toBe(0);
    } finally {
      await database.drop();
    }
  });
});
