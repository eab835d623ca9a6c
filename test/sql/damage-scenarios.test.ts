/**
 * The damage-scenario catalogue: every kind of restore damage the restore test must catch, each
 * with the check that catches it and a piece of that check's finding.
 *
 * Each scenario builds the sample database, captures its manifest (as the backup does next to a
 * snapshot), applies its damage to the same database (standing in for a restore that went wrong;
 * there is no real restore here) and runs the restore test's checks. A scenario whose check does not
 * exist yet (other work in progress adds it) is skipped, and one test lists which ids are missing.
 */
import { randomBytes } from 'node:crypto';
import { escapeIdentifier } from 'pg';
import { describe, expect, it } from 'vitest';
import { HEARTBEAT_TABLE_DDL } from '../../functions/adapters/pg/heartbeat-table.ts';
import { PgDatabaseInspector } from '../../functions/adapters/pg/inspector.ts';
import { PROBE_OWN_SCHEMA } from '../../functions/adapters/pg/schema-objects.ts';
import { AMCHECK_SCHEMA, PgVerificationProbe } from '../../functions/adapters/pg/verification-probe.ts';
import { captureBracketedManifest } from '../../functions/domain/verification/manifest.ts';
import { PgContentReader } from '../../functions/adapters/pg/content.ts';
import { captureAfterReading, type AfterReading } from '../../functions/domain/verification/after-reading.ts';
import type { DatabaseManifest } from '../../functions/domain/verification/manifest.ts';
import { parseAssertions } from '../../functions/contracts/documents/assertions.ts';
import { CHECK_IDS, DEFAULT_HEARTBEAT_TOLERANCE } from '../../functions/domain/verification/report-model.ts';
import { runVerification } from '../../functions/domain/verification/run-verification.ts';
import type { VerificationReport } from '../../functions/domain/verification/report-model.ts';
import type { VerificationOptions } from '../../functions/domain/verification/run-verification.ts';
import { createTempDatabase, withServerClient } from '../support/pg.ts';

/**
 * Richer than the SHOP sample of verification.test.ts: extensions (citext at an old version,
 * pgcrypto), an enum, functions, a procedure, a trigger, a view, a materialized view, a partitioned
 * table, row level security with policies, a role with grants, an owned
 * table and settings (`@role`, random per run), `ALTER DATABASE … SET`, large objects, a plain sequence, identity columns,
 * foreign keys, CHECK constraints, a GIN index and the heartbeat table.
 */
const SAMPLE = `
CREATE SCHEMA shop;
CREATE SCHEMA audit;
CREATE EXTENSION citext WITH SCHEMA public VERSION '1.5';
CREATE EXTENSION pgcrypto WITH SCHEMA public;
CREATE TYPE shop.order_status AS ENUM ('open', 'paid', 'shipped', 'cancelled');
CREATE FUNCTION shop.email_key(text) RETURNS text IMMUTABLE LANGUAGE sql AS $$ SELECT lower($1) $$;
CREATE TABLE shop.customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email public.citext NOT NULL, bio text);
CREATE UNIQUE INDEX customers_email_key_idx ON shop.customers (shop.email_key(email::text));
CREATE TABLE shop.orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL CONSTRAINT orders_customer_id_fkey REFERENCES shop.customers (id),
  status shop.order_status NOT NULL DEFAULT 'open',
  total numeric(10,2) NOT NULL CONSTRAINT orders_total_check CHECK (total >= 0),
  tags jsonb NOT NULL DEFAULT '[]',
  note text
);
CREATE INDEX orders_customer_idx ON shop.orders (customer_id);
CREATE INDEX orders_tags_idx ON shop.orders USING gin (tags);
CREATE FUNCTION shop.order_total(bigint) RETURNS numeric STABLE LANGUAGE sql AS $$ SELECT total FROM shop.orders WHERE id = $1 $$;
CREATE PROCEDURE shop.close_order(bigint) LANGUAGE sql AS $$ UPDATE shop.orders SET status = 'shipped' WHERE id = $1 $$;
CREATE TABLE audit.log (id bigserial PRIMARY KEY, payload jsonb NOT NULL);
CREATE FUNCTION audit.record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit.log (payload) VALUES (jsonb_build_object('table', TG_TABLE_NAME, 'op', TG_OP));
  RETURN NEW;
END $$;
CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE ON shop.orders FOR EACH ROW EXECUTE FUNCTION audit.record();
CREATE VIEW shop.open_orders AS SELECT id, customer_id, total FROM shop.orders WHERE status = 'open';
CREATE TABLE audit.events (at timestamptz NOT NULL, kind text) PARTITION BY RANGE (at);
CREATE TABLE audit.events_2026 PARTITION OF audit.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE shop.accounts (tenant text NOT NULL, id integer PRIMARY KEY, balance numeric NOT NULL);
ALTER TABLE shop.accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE shop.accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON shop.accounts USING (tenant = current_setting('app.tenant', true));
CREATE POLICY reader_sees_all ON shop.accounts FOR SELECT TO @role USING (true);
CREATE TABLE shop.documents (id integer PRIMARY KEY, body oid NOT NULL);
CREATE SEQUENCE shop.invoice_seq;
CREATE TABLE shop.invoices (no bigint PRIMARY KEY DEFAULT nextval('shop.invoice_seq'), order_id bigint REFERENCES shop.orders (id));
ALTER TABLE shop.invoices OWNER TO @role;
GRANT USAGE ON SCHEMA shop TO @role;
GRANT SELECT ON shop.orders, shop.open_orders TO @role;
GRANT SELECT, INSERT ON shop.accounts TO @role;
REVOKE EXECUTE ON FUNCTION shop.order_total(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION shop.order_total(bigint) TO @role;
DO $do$ BEGIN
  EXECUTE format('ALTER DATABASE %I SET work_mem = %L', current_database(), '8MB');
  EXECUTE format('ALTER ROLE %s IN DATABASE %I SET statement_timeout = %L', '@role', current_database(), '5s');
END $do$;
${HEARTBEAT_TABLE_DDL}
`;

/**
 * Rows: customers 3 (one with a TOASTed bio), orders 5 (4 paid, 1 open; the trigger writes 5
 * audit.log rows), events 2, accounts 2, documents 3 (each a large object), invoices 3,
 * heartbeats 3. The materialized view is created after the rows, populated.
 */
const SAMPLE_ROWS = `
INSERT INTO shop.customers (email, bio) VALUES
  ('Ann@Example.com', (SELECT string_agg(md5(n::text), '') FROM generate_series(1, 4096) AS n)),
  ('bob@example.com', NULL),
  ('Cy@example.com', 'likes soup');
INSERT INTO shop.orders (customer_id, status, total, tags, note) VALUES
  (1, 'paid', 10.50, '["gift"]', 'n1'), (1, 'paid', 21.00, '[]', 'n2'), (2, 'paid', 3.25, '["eu"]', 'n3'),
  (2, 'paid', 0.00, '[]', 'n4'), (3, 'open', 7.75, '["new"]', 'n5');
INSERT INTO audit.events VALUES ('2026-02-01T00:00:00Z', 'login'), ('2026-03-01T00:00:00Z', 'logout');
INSERT INTO shop.accounts VALUES ('t1', 1, 100), ('t2', 2, 50);
INSERT INTO shop.documents SELECT n, lo_from_bytea(0, convert_to('document ' || n, 'UTF8')) FROM generate_series(1, 3) AS n;
INSERT INTO shop.invoices (order_id) VALUES (1), (2), (3);
CREATE MATERIALIZED VIEW shop.customer_totals AS SELECT customer_id, sum(total) AS total FROM shop.orders GROUP BY customer_id;
INSERT INTO dr.heartbeat (written_at, writer) VALUES
  ('2026-03-01T12:00:00Z', 'probe'), ('2026-03-01T12:03:00Z', 'probe'), ('2026-03-01T12:04:30.123456Z', 'probe');
`;

const MANIFEST_AT = new Date('2026-03-01T12:04:50.000Z');
const SNAPSHOT_AT = new Date('2026-03-01T12:05:00.000Z');

const ASSERTIONS = parseAssertions([
  { name: 'no-negative-totals', query: 'select count(*) from shop.orders where total < 0', expect: { equals: 0 } },
  { name: 'paid-orders', query: "select count(*) from shop.orders where status = 'paid'", expect: { atLeast: 4 } },
]);

/**
 * One scenario. In `damage` and `finding`, `@role` stands for the sample's role (quoted in SQL,
 * bare in findings) and `@tablespace` for a scratch tablespace dropped afterwards. Each damage
 * statement runs on its own (some, such as `CREATE TABLESPACE`, refuse a transaction block).
 */
interface Scenario {
  readonly name: string;
  readonly damage: readonly string[];
  /** The check that must fail. */
  readonly check: string;
  /** A substring of that check's evidence or of one of its details. */
  readonly finding: string;
}

const SET_DATABASE = (name: string, value: string): string =>
  `DO $do$ BEGIN EXECUTE format('ALTER DATABASE %I SET ${name} = %L', current_database(), '${value}'); END $do$`;

/** Deletes an enum label from the catalog behind the data's back (only a superuser can). */
const DELETE_LABEL = (label: string): readonly string[] => [
  'SET allow_system_table_mods = on',
  `DELETE FROM pg_enum WHERE enumtypid = 'shop.order_status'::regtype AND enumlabel = '${label}'`,
  'RESET allow_system_table_mods',
];

/**
 * Zeroes block 1 of the GIN index on disk. The index is first moved to a fresh in-place tablespace:
 * that copy is written straight to the file, past shared buffers, so the zeroed page is what the
 * next read loads. The file is rewritten with `lo_export` (server side, superuser).
 */
const ZERO_GIN_PAGE: readonly string[] = [
  'SET allow_in_place_tablespaces = on',
  "CREATE TABLESPACE @tablespace LOCATION ''",
  'ALTER INDEX shop.orders_tags_idx SET TABLESPACE @tablespace',
  `DO $do$
   DECLARE
     path text := current_setting('data_directory') || '/' || pg_relation_filepath('shop.orders_tags_idx');
     bytes bytea := pg_read_binary_file(path);
     lo oid;
   BEGIN
     lo := lo_from_bytea(0, overlay(bytes PLACING decode(repeat('00', 8192), 'hex') FROM 8193 FOR 8192));
     PERFORM lo_export(lo, path);
     PERFORM lo_unlink(lo);
   END $do$`,
];

/** The catalogue: 41 scenarios. */
const SCENARIOS: readonly Scenario[] = [
  // What the object fingerprint (routines, triggers, views, enums, extensions, roles, access, RLS, settings, partitions) catches.
  { name: 'trigger dropped', damage: ['DROP TRIGGER orders_audit ON shop.orders'], check: 'schema-fingerprint', finding: 'trigger shop.orders.orders_audit: missing' },
  { name: 'trigger disabled', damage: ['ALTER TABLE shop.orders DISABLE TRIGGER orders_audit'], check: 'schema-fingerprint', finding: 'trigger shop.orders.orders_audit: enabled origin -> disabled' },
  {
    name: 'trigger changed (no longer fires on UPDATE)',
    damage: ['DROP TRIGGER orders_audit ON shop.orders', 'CREATE TRIGGER orders_audit AFTER INSERT ON shop.orders FOR EACH ROW EXECUTE FUNCTION audit.record()'],
    check: 'schema-fingerprint',
    finding: 'trigger shop.orders.orders_audit: definition changed',
  },
  { name: 'function dropped', damage: ['DROP FUNCTION shop.order_total(bigint)'], check: 'schema-fingerprint', finding: 'function shop.order_total(bigint): missing' },
  {
    name: 'function body changed',
    damage: ['CREATE OR REPLACE FUNCTION shop.order_total(bigint) RETURNS numeric STABLE LANGUAGE sql AS $$ SELECT total * 2 FROM shop.orders WHERE id = $1 $$'],
    check: 'schema-fingerprint',
    finding: 'function shop.order_total(bigint): body changed',
  },
  { name: 'function volatility changed', damage: ['ALTER FUNCTION shop.order_total(bigint) VOLATILE'], check: 'schema-fingerprint', finding: 'function shop.order_total(bigint): definition changed' },
  { name: 'view dropped', damage: ['DROP VIEW shop.open_orders'], check: 'schema-fingerprint', finding: 'view shop.open_orders: missing' },
  {
    name: 'view definition changed',
    damage: ["CREATE OR REPLACE VIEW shop.open_orders AS SELECT id, customer_id, total FROM shop.orders WHERE status IN ('open', 'paid')"],
    check: 'schema-fingerprint',
    finding: 'view shop.open_orders: definition changed',
  },
  { name: 'materialized view dropped', damage: ['DROP MATERIALIZED VIEW shop.customer_totals'], check: 'schema-fingerprint', finding: 'materialized view shop.customer_totals: missing' },
  {
    name: 'materialized view left unpopulated',
    damage: ['REFRESH MATERIALIZED VIEW shop.customer_totals WITH NO DATA'],
    check: 'schema-fingerprint',
    finding: 'materialized view shop.customer_totals: populated true -> false',
  },
  { name: 'enum label dropped', damage: DELETE_LABEL('shipped'), check: 'schema-fingerprint', finding: 'enum shop.order_status: labels open,paid,shipped,cancelled -> open,paid,cancelled' },
  {
    name: 'enum label renamed',
    damage: ["ALTER TYPE shop.order_status RENAME VALUE 'cancelled' TO 'canceled'"],
    check: 'schema-fingerprint',
    finding: 'enum shop.order_status: labels open,paid,shipped,cancelled -> open,paid,shipped,canceled',
  },
  { name: 'extension missing', damage: ['DROP EXTENSION pgcrypto'], check: 'schema-fingerprint', finding: 'extension pgcrypto: missing' },
  { name: 'extension version changed', damage: ["ALTER EXTENSION citext UPDATE TO '1.6'"], check: 'schema-fingerprint', finding: 'extension citext: version 1.5 -> 1.6' },
  { name: 'grant revoked', damage: ['REVOKE SELECT ON shop.orders FROM @role'], check: 'schema-fingerprint', finding: 'table shop.orders: grant @role SELECT missing' },
  { name: 'grant added to PUBLIC', damage: ['GRANT DELETE ON shop.accounts TO PUBLIC'], check: 'schema-fingerprint', finding: 'table shop.accounts: grant PUBLIC DELETE unexpected' },
  {
    name: 'role dropped (after reassigning what it owned)',
    damage: ['REASSIGN OWNED BY @role TO CURRENT_USER', 'DROP OWNED BY @role', 'DROP ROLE @role'],
    check: 'schema-fingerprint',
    finding: 'role @role: missing',
  },
  { name: 'role attribute changed', damage: ['ALTER ROLE @role LOGIN'], check: 'schema-fingerprint', finding: 'role @role: login false -> true' },
  { name: 'owner changed', damage: ['ALTER TABLE shop.invoices OWNER TO CURRENT_USER'], check: 'schema-fingerprint', finding: 'table shop.invoices: owner @role -> ' },
  { name: 'row level security disabled', damage: ['ALTER TABLE shop.accounts DISABLE ROW LEVEL SECURITY'], check: 'schema-fingerprint', finding: 'row level security of shop.accounts: enabled true -> false' },
  { name: 'row level security policy dropped', damage: ['DROP POLICY tenant_isolation ON shop.accounts'], check: 'schema-fingerprint', finding: 'policy shop.accounts.tenant_isolation: missing' },
  { name: 'row level security policy changed', damage: ['ALTER POLICY tenant_isolation ON shop.accounts USING (true)'], check: 'schema-fingerprint', finding: 'policy shop.accounts.tenant_isolation: using ' },
  { name: 'database setting changed', damage: [SET_DATABASE('work_mem', '64MB')], check: 'schema-fingerprint', finding: 'setting work_mem of the database: value 8MB -> 64MB' },
  { name: 'partition detached', damage: ['ALTER TABLE audit.events DETACH PARTITION audit.events_2026'], check: 'schema-fingerprint', finding: 'partition audit.events_2026: missing (detached from audit.events)' },

  // What the checks that existed before catch.
  { name: 'rows deleted', damage: ["DELETE FROM shop.orders WHERE status = 'open'"], check: 'row-counts', finding: 'shop.orders 4 not in [5, 5]' },
  { name: 'table dropped', damage: ['DROP TABLE audit.log'], check: 'schema-fingerprint', finding: 'table audit.log missing' },
  { name: 'index dropped', damage: ['DROP INDEX shop.orders_customer_idx'], check: 'schema-fingerprint', finding: 'index shop.orders_customer_idx missing' },
  { name: 'column type changed', damage: ['ALTER TABLE shop.orders ALTER COLUMN note TYPE varchar(200)'], check: 'schema-fingerprint', finding: 'table shop.orders: column note type text -> character varying(200)' },
  {
    name: 'index inconsistent with its table',
    damage: ['CREATE OR REPLACE FUNCTION shop.email_key(text) RETURNS text IMMUTABLE LANGUAGE sql AS $$ SELECT upper($1) $$'],
    check: 'btree-indexes',
    finding: 'index shop.customers_email_key_idx: heap tuple (0,1) from table "customers" lacks matching index tuple',
  },
  { name: 'heartbeat too old', damage: ["DELETE FROM dr.heartbeat WHERE written_at > '2026-03-01T12:00:00Z'"], check: 'heartbeat', finding: "is older than the manifest's 2026-03-01T12:04:30.123456Z" },
  { name: 'user assertion failing', damage: ["UPDATE shop.orders SET status = 'cancelled' WHERE id IN (1, 2)"], check: 'assertion:paid-orders', finding: 'returned 2 (expected at least 4)' },
  {
    name: 'value its type cannot print',
    damage: ["UPDATE shop.orders SET status = 'cancelled' WHERE id = 5", ...DELETE_LABEL('cancelled')],
    check: 'tables-readable',
    finding: 'invalid internal value for enum',
  },

  // What the checks being added in parallel catch (skipped until CHECK_IDS has them).
  { name: 'invalid index', damage: ["UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'shop.orders_customer_idx'::regclass"], check: 'index-validity', finding: 'shop.orders_customer_idx' },
  { name: 'sequence reset behind its column', damage: ["SELECT setval(pg_get_serial_sequence('audit.log', 'id'), 1)"], check: 'sequences', finding: 'audit.log_id_seq' },
  { name: 'identity reset behind its column', damage: ['ALTER TABLE shop.orders ALTER COLUMN id RESTART WITH 1'], check: 'sequences', finding: 'shop.orders' },
  {
    name: 'foreign key orphans',
    damage: ['SET session_replication_role = replica', 'UPDATE shop.orders SET customer_id = 999 WHERE id = 5', 'RESET session_replication_role'],
    check: 'foreign-keys',
    finding: 'orders_customer_id_fkey',
  },
  {
    // The constraint ends up exactly as it was (validated, same definition), so only a row check can see the violation.
    name: 'rows violating a CHECK constraint',
    damage: [
      'ALTER TABLE shop.orders DROP CONSTRAINT orders_total_check',
      'SET session_replication_role = replica',
      'UPDATE shop.orders SET total = -1 WHERE id = 4',
      'RESET session_replication_role',
      'ALTER TABLE shop.orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID',
      'SET allow_system_table_mods = on',
      "UPDATE pg_constraint SET convalidated = true WHERE conname = 'orders_total_check' AND conrelid = 'shop.orders'::regclass",
      'RESET allow_system_table_mods',
    ],
    check: 'check-constraints',
    finding: 'orders_total_check',
  },
  { name: 'zeroed GIN index page', damage: ZERO_GIN_PAGE, check: 'gin-indexes', finding: 'shop.orders_tags_idx' },
  { name: 'large objects missing', damage: ['SELECT lo_unlink(body) FROM shop.documents WHERE id = 2'], check: 'large-objects', finding: 'large object' },
  {
    name: 'rows swapped (one deleted, one inserted, same count)',
    damage: ["DELETE FROM audit.events WHERE kind = 'logout'", "INSERT INTO audit.events VALUES ('2026-04-01T00:00:00Z', 'login')"],
    check: 'table-content',
    finding: 'audit.events',
  },
  { name: 'a column nulled in many rows', damage: ['UPDATE shop.orders SET note = NULL'], check: 'table-content', finding: 'shop.orders' },
];

/** The built-in ids as the merged code has them (a string list, so ids not yet there compare). */
const IMPLEMENTED: readonly string[] = CHECK_IDS;

function implemented(check: string): boolean {
  return check.startsWith('assertion:') || IMPLEMENTED.includes(check);
}

interface Copy {
  readonly manifest: DatabaseManifest;
  readonly after: AfterReading;
  readonly probe: PgVerificationProbe;
  readonly role: string;
  readonly cleanup: () => Promise<void>;
}

/**
 * Builds the sample with a fresh role, captures the manifest, applies `damage` statement by
 * statement and opens the probe's sessions. `cleanup` drops the database, the role and the
 * tablespace whatever happened.
 */
async function damagedCopy(label: string, damage: readonly string[]): Promise<Copy> {
  const suffix = randomBytes(6).toString('hex');
  const role = `dr_test_scenario_${suffix}`;
  const tablespace = `dr_test_ts_${suffix}`;
  const fill = (sql: string): string => sql.replaceAll('@tablespace', tablespace).replaceAll('@role', escapeIdentifier(role));
  await withServerClient((client) => client.query(`CREATE ROLE ${escapeIdentifier(role)} NOLOGIN CONNECTION LIMIT 5`));
  const database = await createTempDatabase(label);
  const cleanup = async (): Promise<void> => {
    await database.drop();
    await withServerClient(async (client) => {
      await client.query(`DROP TABLESPACE IF EXISTS ${tablespace}`);
      await client.query(`DROP ROLE IF EXISTS ${escapeIdentifier(role)}`);
    });
  };
  try {
    // Loaded by a session that then ends: a backend flushes its table statistics when it exits, so
    // reading A sees the load's counters and nothing moves them between A and B (a quiet source).
    const loader = await database.connect();
    await loader.query(fill(SAMPLE) + SAMPLE_ROWS);
    await loader.end();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const admin = await database.connect();
    const inspector = new PgDatabaseInspector(admin);
    const content = new PgContentReader(admin);
    // Readings A and B as the backup workflow takes them around the snapshot point, then the damage.
    const manifest = await captureBracketedManifest(inspector, inspector, { database: 'swifteats', now: () => MANIFEST_AT, content });
    const after = await captureAfterReading(inspector, inspector, {
      database: 'swifteats',
      snapshotId: SNAPSHOT_ID,
      snapshotPoint: await inspector.serverClock(),
      settle: { pollSeconds: 1, maxWaitSeconds: 5, flushSeconds: 1 },
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      content,
    });
    for (const statement of damage) await admin.query(fill(statement));
    const probe = new PgVerificationProbe([await database.connect(), await database.connect()]);
    return { manifest, after, probe, role, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

const SNAPSHOT_ID = 'swifteats-daily-202603011205';

function options(manifest: DatabaseManifest, after: AfterReading): VerificationOptions {
  return {
    database: 'swifteats',
    source: { kind: 'snapshot', snapshotId: SNAPSHOT_ID, snapshotCreatedAt: SNAPSHOT_AT, manifest, after },
    heartbeat: DEFAULT_HEARTBEAT_TOLERANCE.snapshot,
    assertions: ASSERTIONS,
    now: () => new Date(),
  };
}

function statuses(report: VerificationReport): [string, string][] {
  return report.checks.map((check) => [check.id, check.status]);
}

describe('the damage-scenario catalogue', () => {
  it('holds 41 scenarios with distinct names, each naming a check and a finding', () => {
    expect(SCENARIOS).toHaveLength(41);
    expect(new Set(SCENARIOS.map((scenario) => scenario.name)).size).toBe(41);
    for (const scenario of SCENARIOS) {
      expect(scenario.damage.length, scenario.name).toBeGreaterThan(0);
      expect(scenario.finding.length, scenario.name).toBeGreaterThan(0);
    }
  });

  it('every scenario names a built-in check (or a user assertion): none is skipped', () => {
    expect(SCENARIOS.filter((scenario) => !implemented(scenario.check)).map((scenario) => scenario.name)).toEqual([]);
  });

  it('the probe schema the fingerprint leaves out is the one the verification probe creates', () => {
    expect(PROBE_OWN_SCHEMA).toBe(AMCHECK_SCHEMA);
  });

  it('a faithful copy passes every check but TLS (ssl is off on the local server)', async () => {
    // Prepare
    const copy = await damagedCopy('faithful', []);
    try {
      // Act
      const report = await runVerification(copy.probe, options(copy.manifest, copy.after));

      // Assess
      expect(statuses(report)).toEqual([
        ['tls', 'failed'],
        ...CHECK_IDS.filter((id) => id !== 'tls').map((id): [string, string] => [id, 'passed']),
        ['assertion:no-negative-totals', 'passed'],
        ['assertion:paid-orders', 'passed'],
      ]);
      // The manifest holds what the scenarios damage (a sample of each section, exactly).
      const objects = copy.manifest.schema.objects;
      expect(objects?.extensions.map((e) => `${e.name} ${e.version}`)).toEqual(['citext 1.5', 'pgcrypto 1.3', 'plpgsql 1.0']);
      expect(objects?.roles).toEqual([
        {
          name: copy.role,
          login: false,
          inherit: true,
          createRole: false,
          createDb: false,
          replication: false,
          bypassRls: false,
          connectionLimit: 5,
          memberOf: [],
        },
      ]);
      expect(objects?.views.map((v) => [v.name, v.materialized, v.populated])).toEqual([
        ['customer_totals', true, true],
        ['open_orders', false, null],
      ]);
      expect(objects?.triggers.map((t) => `${t.schema}.${t.table}.${t.name} ${t.enabled}`)).toEqual(['shop.orders.orders_audit origin']);
      expect(objects?.rowSecurity).toEqual([{ schema: 'shop', table: 'accounts', enabled: true, forced: true }]);
      expect(objects?.policies.map((p) => `${p.name} ${p.command} ${p.roles.join(',')}`)).toEqual([
        `reader_sees_all SELECT ${copy.role}`,
        'tenant_isolation ALL public',
      ]);
      expect(objects?.settings).toEqual([
        { role: null, database: true, name: 'work_mem', value: '8MB' },
        { role: copy.role, database: true, name: 'statement_timeout', value: '5s' },
      ]);
      expect(objects?.partitions).toEqual([
        { schema: 'audit', name: 'events_2026', parent: 'audit.events', bound: "FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2027-01-01 00:00:00+00')" },
      ]);
      expect(objects?.routines.map((r) => `${r.kind} ${r.schema}.${r.name}(${r.arguments})`)).toEqual([
        'function audit.record()',
        'procedure shop.close_order(IN bigint)',
        'function shop.email_key(text)',
        'function shop.order_total(bigint)',
      ]);
      // PUBLIC's default EXECUTE was revoked: the owner's and the role's remain.
      const orderTotal = objects?.access.find((a) => a.object === 'function shop.order_total(bigint)');
      expect(orderTotal?.grants).toEqual([`${copy.role} EXECUTE`, `${orderTotal?.owner ?? ''} EXECUTE`].sort());
    } finally {
      await copy.cleanup();
    }
  });

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: ${scenario.check} fails naming it`, async () => {
      // Prepare
      const copy = await damagedCopy('scenario', scenario.damage);
      try {
        // Act
        const report = await runVerification(copy.probe, options(copy.manifest, copy.after));

        // Assess
        const check = report.checks.find((candidate) => candidate.id === scenario.check);
        const finding = scenario.finding.replaceAll('@role', copy.role);
        expect(check?.status, JSON.stringify(check)).toBe('failed');
        expect([check?.evidence ?? '', ...(check?.details ?? [])].some((line) => line.includes(finding)), JSON.stringify(check)).toBe(true);
        // Every difference is named once.
        expect(new Set(check?.details).size).toBe(check?.details.length);
        expect(report.verdict).toBe('failed');
      } finally {
        await copy.cleanup();
      }
    });
  }
});
