import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier } from 'pg';
import { describe, expect, it } from 'vitest';
import { PgVerificationProbe } from '../../functions/adapters/pg/verification-probe.ts';
import { DEFAULT_HEARTBEAT_TOLERANCE } from '../../functions/domain/verification/report-model.ts';
import { runVerification } from '../../functions/domain/verification/run-verification.ts';
import type { CheckResult } from '../../functions/domain/verification/report-model.ts';
import { createTempDatabase, withServerClient } from '../support/pg.ts';
import type { TempDatabase } from '../support/pg.ts';

/**
 * A sample with one of each thing the structural checks must get right: an identity, a bigserial,
 * a descending sequence, a CYCLE sequence and one no column owns; a single-column and a
 * two-column foreign key (with MATCH SIMPLE rows that have a NULL), a foreign key to a partitioned
 * table; CHECK constraints with a NULL row; a GIN index.
 */
const SAMPLE = `
CREATE SCHEMA s;
CREATE TABLE s.customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);
CREATE TABLE s.regions (code text, no int, PRIMARY KEY (code, no));
CREATE TABLE s.orders (
  id bigserial PRIMARY KEY,
  customer_id bigint REFERENCES s.customers (id),
  total numeric CHECK (total >= 0),
  region text,
  region_no int,
  tags text[],
  CONSTRAINT orders_region_fkey FOREIGN KEY (region, region_no) REFERENCES s.regions (code, no)
);
CREATE INDEX orders_tags_idx ON s.orders USING gin (tags);
CREATE TABLE s.events (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE s.events_2026 PARTITION OF s.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE s.event_notes (event_id int, event_at date, note text, FOREIGN KEY (event_id, event_at) REFERENCES s.events);
CREATE SEQUENCE s.countdown INCREMENT -1 MINVALUE -1000 MAXVALUE -1 START -1;
CREATE TABLE s.tickets (n int NOT NULL DEFAULT nextval('s.countdown'));
ALTER SEQUENCE s.countdown OWNED BY s.tickets.n;
CREATE SEQUENCE s.ring MINVALUE 1 MAXVALUE 3 CYCLE;
CREATE TABLE s.slots (n int NOT NULL DEFAULT nextval('s.ring'));
ALTER SEQUENCE s.ring OWNED BY s.slots.n;
CREATE SEQUENCE s.loose;

INSERT INTO s.customers (email) VALUES ('a@example.com'), ('b@example.com'), ('c@example.com');
INSERT INTO s.regions VALUES ('eu', 1), ('us', 2);
INSERT INTO s.orders (customer_id, total, region, region_no, tags) VALUES
  (1, 10, 'eu', 1, '{gift}'), (2, 20, 'us', 2, NULL), (NULL, NULL, NULL, 1, '{}'), (3, 0, 'eu', NULL, '{x,y}');
INSERT INTO s.events VALUES (1, '2026-02-01'), (2, '2026-03-01');
INSERT INTO s.event_notes VALUES (1, '2026-02-01', 'first'), (2, '2026-03-01', 'second'), (NULL, '2026-03-01', 'loose');
INSERT INTO s.tickets DEFAULT VALUES; INSERT INTO s.tickets DEFAULT VALUES; INSERT INTO s.tickets DEFAULT VALUES;
INSERT INTO s.slots DEFAULT VALUES; INSERT INTO s.slots DEFAULT VALUES;
`;

const STRUCTURAL = ['index-validity', 'sequences', 'foreign-keys', 'check-constraints', 'gin-indexes', 'heap-pages'];

interface Copy {
  readonly database: TempDatabase;
  readonly admin: Client;
}

/** The sample with `damage` applied (each string one statement: some cannot share a transaction). */
async function copyWith(label: string, ...damage: string[]): Promise<Copy> {
  const database = await createTempDatabase(label);
  const admin = await database.connect();
  await admin.query(SAMPLE);
  for (const statement of damage) await admin.query(statement);
  return { database, admin };
}

/** Runs the verification (as a point-in-time restore: no manifest) and returns the structural checks by id. */
async function structuralChecks(clients: readonly Client[]): Promise<Record<string, CheckResult>> {
  const report = await runVerification(new PgVerificationProbe(clients), {
    database: 'sample',
    source: { kind: 'point-in-time', targetTime: new Date('2026-03-01T12:00:00Z') },
    heartbeat: DEFAULT_HEARTBEAT_TOLERANCE['point-in-time'],
    assertions: [],
    now: () => new Date(),
  });
  return Object.fromEntries(report.checks.filter((check) => STRUCTURAL.includes(check.id)).map((check) => [check.id, check]));
}

async function serverMajor(admin: Client): Promise<number> {
  const result = await admin.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
  return Math.floor(Number(result.rows[0]?.v) / 10000);
}

describe('structural checks over PostgreSQL', () => {
  it('pass on a healthy copy, saying what they did not judge', async () => {
    // Prepare
    const { database, admin } = await copyWith('healthy');
    try {
      // Act
      const checks = await structuralChecks([await database.connect(), await database.connect()]);

      // Assess
      const major = await serverMajor(admin);
      expect(Object.values(checks).map((check) => [check.id, check.status, check.evidence])).toEqual([
        // customers_pkey, regions_pkey, orders_pkey, orders_tags_idx, events_pkey (partitioned), events_2026_pkey
        ['index-validity', 'passed', '6 indexes valid and ready'],
        ['sequences', 'passed', '4 sequences owned by a column, each ahead of its column; 1 not owned, not judged'],
        // The partition's clone of the events foreign key is covered by the top-level one, not counted.
        ['foreign-keys', 'passed', '3 foreign keys hold (one anti-join each)'],
        ['check-constraints', 'passed', '1 CHECK constraint holds (each re-evaluated on every row)'],
        [
          'gin-indexes',
          'passed',
          major >= 18
            ? checks['gin-indexes']?.evidence
            : `1 of 1 GIN index passed full-index scan compared with a sequential scan (amcheck on PostgreSQL ${major} has no gin_index_check)`,
        ],
        ['heap-pages', 'passed', checks['heap-pages']?.evidence],
      ]);
      expect(checks['sequences']?.details).toEqual([
        '1 sequence not owned by a column, not judged (nothing says which values they must stay ahead of): s.loose',
      ]);
      expect(checks['heap-pages']?.evidence).toMatch(/^7 of 7 tables passed verify_heapam with TOAST, amcheck [\d.]+ created for this run, then dropped$/);
    } finally {
      await database.drop();
    }
  });

  it('gin-indexes fails a GIN index that lacks rows of its table (below PostgreSQL 18: full-index scan against a sequential scan)', async () => {
    // Prepare: rows written while the index was marked not ready, so it never got their entries
    // (a catalog edit standing in for a damaged copy), then marked ready again.
    const { database, admin } = await copyWith(
      'ginmissing',
      "UPDATE pg_catalog.pg_index SET indisready = false WHERE indexrelid = 's.orders_tags_idx'::regclass",
    );
    await admin.query("INSERT INTO s.orders (total, tags) VALUES (1, '{late}'), (2, '{late,later}')");
    await admin.query("UPDATE pg_catalog.pg_index SET indisready = true WHERE indexrelid = 's.orders_tags_idx'::regclass");
    try {
      const major = await serverMajor(admin);
      if (major >= 18) return; // gin_index_check checks structure, not that every row is indexed.

      // Act
      const checks = await structuralChecks([await database.connect()]);

      // Assess: 3 + 2 rows have a non-null array; the index knows the first 3.
      expect(checks['gin-indexes']).toMatchObject({
        status: 'failed',
        evidence: `1 of 1 GIN index failed full-index scan compared with a sequential scan (amcheck on PostgreSQL ${major} has no gin_index_check)`,
        details: ['index s.orders_tags_idx: a full-index scan finds 3 rows, a sequential scan 5'],
      });
    } finally {
      await database.drop();
    }
  });

  it('index-validity names the index a failed CREATE INDEX CONCURRENTLY left invalid', async () => {
    // Prepare: duplicates make the unique build fail after the catalog entry was committed, before
    // the index was marked ready.
    const { database, admin } = await copyWith('invalidindex', "INSERT INTO s.regions VALUES ('eu', 3), ('EU', 3)");
    try {
      await expect(admin.query('CREATE UNIQUE INDEX CONCURRENTLY regions_no_key ON s.regions (no)')).rejects.toThrow(
        'could not create unique index "regions_no_key"',
      );

      // Act
      const checks = await structuralChecks([await database.connect()]);

      // Assess
      expect(checks['index-validity']).toMatchObject({
        status: 'failed',
        evidence: '1 of 7 indexes not valid or not ready: s.regions_no_key',
        details: [
          'index s.regions_no_key (btree) on s.regions: not valid, not ready (left by a failed CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY; drop it or REINDEX it)',
        ],
      });
    } finally {
      await database.drop();
    }
  });

  it('sequences fails a sequence set behind its column (setval, RESTART, descending), not a CYCLE one', async () => {
    // Prepare: orders ids 1..4, customers 1..3, tickets -1..-3, slots 1..2 of a 1..3 ring.
    const { database } = await copyWith(
      'sequences',
      "SELECT setval('s.orders_id_seq', 2)",
      'ALTER TABLE s.customers ALTER COLUMN id RESTART',
      "SELECT setval('s.countdown', -2)",
      "SELECT setval('s.ring', 1)",
    );
    try {
      // Act
      const checks = await structuralChecks([await database.connect(), await database.connect()]);

      // Assess
      expect(checks['sequences']).toMatchObject({
        status: 'failed',
        evidence: '3 of 4 sequences owned by a column behind their column; 1 not owned, not judged',
        details: [
          'sequence s.countdown: last_value -2 (is_called true), next value -3 >= s.tickets.n minimum -3: the next insert reuses a value the column holds or has passed',
          'sequence s.customers_id_seq: last_value 1 (is_called false), next value 1 <= s.customers.id maximum 3: the next insert reuses a value the column holds or has passed',
          'sequence s.orders_id_seq: last_value 2 (is_called true), next value 3 <= s.orders.id maximum 4: the next insert reuses a value the column holds or has passed',
          'sequence s.ring: not judged, a CYCLE sequence may legitimately be behind its column after a wrap-around (last_value 1 (is_called true), next value 2, s.slots.n maximum 2)',
          '1 sequence not owned by a column, not judged (nothing says which values they must stay ahead of): s.loose',
        ],
      });
    } finally {
      await database.drop();
    }
  });

  it('foreign-keys counts orphans per constraint with a sample key; MATCH SIMPLE NULLs and NOT VALID are not orphans', async () => {
    // Prepare: parents deleted and a MATCH FULL key half NULL, with the RI triggers off (as a bad restore
    // or a bug would leave them).
    const { database } = await copyWith(
      'orphans',
      `SET session_replication_role = replica;
       DELETE FROM s.customers WHERE id = 1;
       DELETE FROM s.regions WHERE code = 'us';
       DELETE FROM s.events WHERE id = 2;
       CREATE TABLE s.shipments (region text, region_no int, FOREIGN KEY (region, region_no) REFERENCES s.regions MATCH FULL);
       INSERT INTO s.shipments VALUES ('eu', 1), (NULL, NULL), ('eu', NULL);
       RESET session_replication_role;
       CREATE TABLE s.refunds (order_id bigint);
       INSERT INTO s.refunds VALUES (99);
       ALTER TABLE s.refunds ADD CONSTRAINT refunds_order_fkey FOREIGN KEY (order_id) REFERENCES s.orders NOT VALID;`,
    );
    try {
      // Act
      const checks = await structuralChecks([await database.connect(), await database.connect()]);

      // Assess
      expect(checks['foreign-keys']).toMatchObject({
        status: 'failed',
        evidence: '4 of 4 foreign keys do not hold (4 orphan rows); 1 not re-checked (NOT VALID or not IMMUTABLE)',
        details: [
          'foreign key event_notes_event_id_event_at_fkey on s.event_notes: 1 orphan row, e.g. (event_id, event_at)=(2, 2026-03-01) (FOREIGN KEY (event_id, event_at) REFERENCES s.events(id, at))',
          'foreign key orders_customer_id_fkey on s.orders: 1 orphan row, e.g. (customer_id)=(1) (FOREIGN KEY (customer_id) REFERENCES s.customers(id))',
          'foreign key orders_region_fkey on s.orders: 1 orphan row, e.g. (region, region_no)=(us, 2) (FOREIGN KEY (region, region_no) REFERENCES s.regions(code, no))',
          // MATCH FULL: all NULL is fine, partly NULL violates.
          'foreign key shipments_region_region_no_fkey on s.shipments: 1 orphan row, e.g. (region, region_no)=(eu, NULL) (FOREIGN KEY (region, region_no) REFERENCES s.regions(code, no) MATCH FULL)',
          'foreign key refunds_order_fkey on s.refunds: NOT VALID, not re-checked (the source never validated its older rows)',
        ],
      });
    } finally {
      await database.drop();
    }
  });

  it('check-constraints counts the rows a validated CHECK rejects (NULL satisfies it); NOT VALID or not IMMUTABLE is not re-checked', async () => {
    // Prepare: a violating row slipped in, then the constraint marked validated behind PostgreSQL's back.
    const { database } = await copyWith(
      'checks',
      `ALTER TABLE s.orders DROP CONSTRAINT orders_total_check;
       INSERT INTO s.orders (total) VALUES (-5), (-1);
       ALTER TABLE s.orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
       UPDATE pg_catalog.pg_constraint SET convalidated = true WHERE conname = 'orders_total_check';
       ALTER TABLE s.customers ADD CONSTRAINT customers_email_check CHECK (email LIKE '%@example.org') NOT VALID;
       ALTER TABLE s.events ADD CONSTRAINT events_at_check CHECK (at::timestamptz <= now());`,
    );
    try {
      // Act
      const checks = await structuralChecks([await database.connect()]);

      // Assess
      expect(checks['check-constraints']).toMatchObject({
        status: 'failed',
        evidence: '1 of 1 CHECK constraint does not hold (2 violating rows); 2 not re-checked (NOT VALID or not IMMUTABLE)',
        details: [
          'CHECK constraint orders_total_check on s.orders: 2 violating rows, e.g. s.orders ctid (0,5) (CHECK ((total >= (0)::numeric)))',
          'CHECK constraint customers_email_check on s.customers: NOT VALID, not re-checked (the source never validated its older rows)',
          // The date-to-timestamptz cast depends on TimeZone (STABLE) and now() on the clock. On a
          // partitioned table: one constraint, the partition's inherited copy is not counted again.
          'CHECK constraint events_at_check on s.events: calls now(), timestamptz(date), not IMMUTABLE, not re-checked (its value today may differ from when the rows were written)',
        ],
      });
    } finally {
      await database.drop();
    }
  });

  it('a role that may not read a table or sequence makes those checks inconclusive, naming the object', async () => {
    // Prepare: a login role that reads everything but s.customers and the sequences.
    const role = `dr_test_structure_${randomBytes(6).toString('hex')}`;
    const { database, admin } = await copyWith('limited');
    await withServerClient((client) => client.query(`CREATE ROLE ${escapeIdentifier(role)} LOGIN`));
    const limited = new Client({ ...database.config, user: role });
    try {
      await admin.query(`GRANT USAGE ON SCHEMA s TO ${escapeIdentifier(role)};
        GRANT SELECT ON ALL TABLES IN SCHEMA s TO ${escapeIdentifier(role)};
        REVOKE SELECT ON s.customers FROM ${escapeIdentifier(role)};
        GRANT SELECT ON s.orders_id_seq TO ${escapeIdentifier(role)};`);
      await limited.connect();

      // Act
      const checks = await structuralChecks([limited]);

      // Assess
      expect(checks['foreign-keys']).toMatchObject({
        status: 'inconclusive',
        evidence: '1 of 3 foreign keys could not be checked',
        details: ['foreign key orders_customer_id_fkey on s.orders: not judged, permission denied for table customers (SQLSTATE 42501)'],
      });
      expect(checks['sequences']?.status).toBe('inconclusive');
      expect(checks['sequences']?.evidence).toBe('3 of 4 sequences owned by a column could not be read; 1 not owned, not judged');
      expect(checks['sequences']?.details.slice(0, 3)).toEqual([
        'sequence s.countdown (owned by s.tickets.n): not judged, permission denied for sequence countdown (SQLSTATE 42501)',
        'sequence s.customers_id_seq (owned by s.customers.id): not judged, permission denied for sequence customers_id_seq (SQLSTATE 42501)',
        'sequence s.ring (owned by s.slots.n): not judged, permission denied for sequence ring (SQLSTATE 42501)',
      ]);
      expect(checks['check-constraints']?.status).toBe('passed');
      expect(checks['index-validity']?.status).toBe('passed');
    } finally {
      await limited.end().catch(() => undefined);
      await database.drop();
      await withServerClient((client) => client.query(`DROP ROLE IF EXISTS ${escapeIdentifier(role)}`));
    }
  });
});
