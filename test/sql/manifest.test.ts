import { createHash } from 'node:crypto';
import type { Client, QueryResult, QueryResultRow } from 'pg';
import { describe, expect, it } from 'vitest';
import { HEARTBEAT_TABLE_DDL } from '../../functions/adapters/pg/heartbeat-table.ts';
import { PgDatabaseInspector } from '../../functions/adapters/pg/inspector.ts';
import type { SqlSession } from '../../functions/adapters/pg/sql.ts';
import {
  captureManifest,
  fingerprint,
  manifestDigest,
  serializeManifest,
} from '../../functions/domain/verification/manifest.ts';
import { parseManifest } from '../../functions/contracts/documents/manifest.ts';
import { diffSchemas } from '../../functions/domain/verification/schema-diff.ts';
import type { TableDescription } from '../../functions/domain/verification/manifest.ts';
import { SqlConnectionError, SqlQueryError } from '../../functions/shared/errors.ts';
import { createTempDatabase, databaseExists, withServerClient, withTempDatabase } from '../support/pg.ts';

/**
 * The sample schema, written the way a migration tool would: schemas, an enum, then tables in
 * dependency order with inline constraints, then indexes.
 */
const SHOP_FORWARD = `
CREATE SCHEMA shop;
CREATE SCHEMA audit;
CREATE TYPE shop.order_status AS ENUM ('open', 'paid', 'shipped', 'cancelled');
CREATE TABLE shop.customers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL,
  tags text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT customers_email_key UNIQUE (email)
);
CREATE TABLE shop.orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES shop.customers (id),
  status shop.order_status NOT NULL DEFAULT 'open',
  total numeric(10,2) NOT NULL CHECK (total >= 0),
  items jsonb NOT NULL DEFAULT '[]',
  placed_at timestamptz NOT NULL DEFAULT now(),
  total_cents bigint GENERATED ALWAYS AS ((total * 100)::bigint) STORED,
  note text
);
CREATE INDEX orders_customer_idx ON shop.orders (customer_id);
CREATE INDEX orders_open_idx ON shop.orders (placed_at) WHERE status = 'open';
CREATE INDEX orders_items_idx ON shop.orders USING gin (items);
CREATE UNIQUE INDEX customers_email_lower_idx ON shop.customers (lower(email));
CREATE TABLE audit.log (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), payload jsonb, scores integer[]);
CREATE TABLE audit.events (at timestamptz NOT NULL, kind text) PARTITION BY RANGE (at);
CREATE TABLE audit.events_2026 PARTITION OF audit.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE public.settings (key text PRIMARY KEY, value text NOT NULL);
CREATE UNLOGGED TABLE public.sessions (token text PRIMARY KEY);
`;

/**
 * The same schema built another way: schemas and tables in reverse order, constraints added
 * afterwards with ALTER TABLE, indexes in reverse order, and a column added then dropped (it
 * leaves a hole in `attnum`). Only oids and creation order differ from SHOP_FORWARD.
 */
const SHOP_REVERSED = `
CREATE SCHEMA audit;
CREATE SCHEMA shop;
CREATE UNLOGGED TABLE public.sessions (token text PRIMARY KEY);
CREATE TABLE public.settings (key text, value text NOT NULL);
ALTER TABLE public.settings ADD PRIMARY KEY (key);
CREATE TABLE audit.events (at timestamptz NOT NULL, kind text) PARTITION BY RANGE (at);
CREATE TABLE audit.events_2026 PARTITION OF audit.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE audit.log (id bigserial, at timestamptz NOT NULL DEFAULT now(), payload jsonb, scores integer[]);
ALTER TABLE audit.log ADD PRIMARY KEY (id);
CREATE TYPE shop.order_status AS ENUM ('open', 'paid', 'shipped', 'cancelled');
CREATE TABLE shop.orders (
  id bigint GENERATED ALWAYS AS IDENTITY,
  customer_id uuid NOT NULL,
  legacy_code integer,
  status shop.order_status NOT NULL DEFAULT 'open',
  total numeric(10,2) NOT NULL,
  items jsonb NOT NULL DEFAULT '[]',
  placed_at timestamptz NOT NULL DEFAULT now(),
  total_cents bigint GENERATED ALWAYS AS ((total * 100)::bigint) STORED,
  note text
);
ALTER TABLE shop.orders DROP COLUMN legacy_code;
CREATE TABLE shop.customers (
  id uuid DEFAULT gen_random_uuid(),
  email text NOT NULL,
  tags text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX customers_email_lower_idx ON shop.customers (lower(email));
CREATE INDEX orders_items_idx ON shop.orders USING gin (items);
CREATE INDEX orders_open_idx ON shop.orders (placed_at) WHERE status = 'open';
CREATE INDEX orders_customer_idx ON shop.orders (customer_id);
ALTER TABLE shop.customers ADD CONSTRAINT customers_email_key UNIQUE (email);
ALTER TABLE shop.customers ADD PRIMARY KEY (id);
ALTER TABLE shop.orders ADD CHECK (total >= 0);
ALTER TABLE shop.orders ADD FOREIGN KEY (customer_id) REFERENCES shop.customers (id);
ALTER TABLE shop.orders ADD PRIMARY KEY (id);
`;

/** Rows of the sample: customers 3, orders 5, audit.log 4, events 2 (in events_2026), settings 2, sessions 1. */
const SHOP_ROWS = `
INSERT INTO shop.customers (email, tags) VALUES ('a@example.com', '{vip}'), ('b@example.com', '{}'), ('c@example.com', '{new,eu}');
INSERT INTO shop.orders (customer_id, status, total, items)
  SELECT id, 'paid', 10.50 * n, jsonb_build_array(n) FROM shop.customers, generate_series(1, 2) AS n WHERE email <> 'c@example.com';
INSERT INTO shop.orders (customer_id, total) SELECT id, 3.00 FROM shop.customers WHERE email = 'c@example.com';
INSERT INTO audit.log (payload, scores) SELECT jsonb_build_object('n', n), ARRAY[n, n * 2] FROM generate_series(1, 4) AS n;
INSERT INTO audit.events (at, kind) VALUES ('2026-02-01T00:00:00Z', 'login'), ('2026-03-01T00:00:00Z', 'logout');
INSERT INTO public.settings VALUES ('region', 'eu-west-1'), ('tier', 'gold');
INSERT INTO public.sessions VALUES ('t1');
`;

/** Opens a client on a fresh database holding `ddl` (and `rows`). */
async function databaseWith(label: string, ddl: string, rows = '') {
  const database = await createTempDatabase(label);
  const client = await database.connect();
  await client.query(ddl + rows);
  return { database, client, inspector: new PgDatabaseInspector(client) };
}

/** Finds one table of a description, failing the test when it is absent. */
function tableOf(tables: readonly TableDescription[], qualified: string): TableDescription {
  const table = tables.find((candidate) => `${candidate.schema}.${candidate.name}` === qualified);
  if (table === undefined) throw new Error(`no table ${qualified}`);
  return table;
}

/**
 * A session that runs `interleave` (on another connection) right after the first `count(*)`
 * returns, to put a committed write between two counts of one `countRows` call.
 */
class InterleavingSession implements SqlSession {
  readonly #inner: Client;
  readonly #interleave: () => Promise<void>;
  #fired = false;

  constructor(inner: Client, interleave: () => Promise<void>) {
    this.#inner = inner;
    this.#interleave = interleave;
  }

  async query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
    const result = await this.#inner.query<R>(text, values);
    if (!this.#fired && text.startsWith('SELECT count(*)')) {
      this.#fired = true;
      await this.#interleave();
    }
    return result;
  }
}

describe('PgDatabaseInspector.describeSchema', () => {
  it('describes every user table with its columns, constraints and indexes, and nothing else', async () => {
    // Prepare: the sample, plus a temp table on the same session that must not appear.
    const { database, client, inspector } = await databaseWith('describe', SHOP_FORWARD);
    try {
      await client.query('CREATE TEMP TABLE scratch (x integer)');

      // Act
      const schema = await inspector.describeSchema();

      // Assess
      expect(schema.tables.map((table) => `${table.schema}.${table.name} (${table.kind})`)).toEqual([
        'audit.events (partitioned table)',
        'audit.events_2026 (table)',
        'audit.log (table)',
        'public.sessions (unlogged table)',
        'public.settings (table)',
        'shop.customers (table)',
        'shop.orders (table)',
      ]);
      expect(tableOf(schema.tables, 'shop.orders')).toEqual({
        schema: 'shop',
        name: 'orders',
        kind: 'table',
        columns: [
          { name: 'id', type: 'bigint', nullable: false, default: 'GENERATED ALWAYS AS IDENTITY' },
          { name: 'customer_id', type: 'uuid', nullable: false, default: null },
          { name: 'status', type: 'shop.order_status', nullable: false, default: "'open'::shop.order_status" },
          { name: 'total', type: 'numeric(10,2)', nullable: false, default: null },
          { name: 'items', type: 'jsonb', nullable: false, default: "'[]'::jsonb" },
          { name: 'placed_at', type: 'timestamp with time zone', nullable: false, default: 'now()' },
          {
            name: 'total_cents',
            type: 'bigint',
            nullable: true,
            default: 'GENERATED ALWAYS AS (((total * (100)::numeric))::bigint) STORED',
          },
          { name: 'note', type: 'text', nullable: true, default: null },
        ],
        constraints: [
          {
            name: 'orders_customer_id_fkey',
            type: 'foreign key',
            definition: 'FOREIGN KEY (customer_id) REFERENCES shop.customers(id)',
          },
          { name: 'orders_pkey', type: 'primary key', definition: 'PRIMARY KEY (id)' },
          { name: 'orders_total_check', type: 'check', definition: 'CHECK ((total >= (0)::numeric))' },
        ],
        indexes: [
          {
            name: 'orders_customer_idx',
            definition: 'CREATE INDEX orders_customer_idx ON shop.orders USING btree (customer_id)',
            method: 'btree',
            unique: false,
          },
          {
            name: 'orders_items_idx',
            definition: 'CREATE INDEX orders_items_idx ON shop.orders USING gin (items)',
            method: 'gin',
            unique: false,
          },
          {
            name: 'orders_open_idx',
            definition:
              "CREATE INDEX orders_open_idx ON shop.orders USING btree (placed_at) WHERE (status = 'open'::shop.order_status)",
            method: 'btree',
            unique: false,
          },
          {
            name: 'orders_pkey',
            definition: 'CREATE UNIQUE INDEX orders_pkey ON shop.orders USING btree (id)',
            method: 'btree',
            unique: true,
          },
        ],
      });
      expect(tableOf(schema.tables, 'shop.customers')).toEqual({
        schema: 'shop',
        name: 'customers',
        kind: 'table',
        columns: [
          { name: 'id', type: 'uuid', nullable: false, default: 'gen_random_uuid()' },
          { name: 'email', type: 'text', nullable: false, default: null },
          { name: 'tags', type: 'text[]', nullable: false, default: "'{}'::text[]" },
          { name: 'created_at', type: 'timestamp with time zone', nullable: false, default: 'now()' },
        ],
        constraints: [
          { name: 'customers_email_key', type: 'unique', definition: 'UNIQUE (email)' },
          { name: 'customers_pkey', type: 'primary key', definition: 'PRIMARY KEY (id)' },
        ],
        indexes: [
          {
            name: 'customers_email_key',
            definition: 'CREATE UNIQUE INDEX customers_email_key ON shop.customers USING btree (email)',
            method: 'btree',
            unique: true,
          },
          {
            name: 'customers_email_lower_idx',
            definition: 'CREATE UNIQUE INDEX customers_email_lower_idx ON shop.customers USING btree (lower(email))',
            method: 'btree',
            unique: true,
          },
          {
            name: 'customers_pkey',
            definition: 'CREATE UNIQUE INDEX customers_pkey ON shop.customers USING btree (id)',
            method: 'btree',
            unique: true,
          },
        ],
      });
      expect(tableOf(schema.tables, 'audit.log').columns).toEqual([
        { name: 'id', type: 'bigint', nullable: false, default: "nextval('audit.log_id_seq'::regclass)" },
        { name: 'at', type: 'timestamp with time zone', nullable: false, default: 'now()' },
        { name: 'payload', type: 'jsonb', nullable: true, default: null },
        { name: 'scores', type: 'integer[]', nullable: true, default: null },
      ]);
    } finally {
      await database.drop();
    }
  });

  it('fingerprints the same schema built in another order, with another search_path, identically', async () => {
    // Prepare: one database per build order; the second session resolves names through `shop`,
    // so unqualified type names would leak into its description if the inspector did not pin it.
    const forward = await databaseWith('forward', SHOP_FORWARD);
    const reversed = await databaseWith('reversed', SHOP_REVERSED);
    try {
      await reversed.client.query('SET search_path = shop, audit, public');

      // Act
      const expected = await forward.inspector.describeSchema();
      const actual = await reversed.inspector.describeSchema();

      // Assess
      expect(diffSchemas(expected, actual)).toEqual([]);
      expect(fingerprint(actual)).toBe(fingerprint(expected));
    } finally {
      await Promise.all([forward.database.drop(), reversed.database.drop()]);
    }
  });

  it('detects and names each schema change', async () => {
    // Prepare
    const { database, client, inspector } = await databaseWith('changes', SHOP_FORWARD);
    try {
      const changes: [string, string[]][] = [
        [
          'ALTER TABLE shop.orders ALTER COLUMN note TYPE varchar(200)',
          ['table shop.orders: column note type text -> character varying(200)'],
        ],
        ['DROP INDEX shop.orders_open_idx', ['index shop.orders_open_idx missing']],
        ['DROP TABLE audit.log', ['table audit.log missing']],
        ['ALTER TABLE public.settings ADD COLUMN updated_at timestamptz', ['table public.settings: column updated_at unexpected']],
        [
          'ALTER TABLE shop.customers ALTER COLUMN tags DROP NOT NULL',
          ['table shop.customers: column tags nullable false -> true'],
        ],
        [
          'ALTER TABLE shop.orders DROP CONSTRAINT orders_total_check',
          ['table shop.orders: constraint orders_total_check missing'],
        ],
      ];
      const seen: string[][] = [];
      const fingerprints = new Set<string>();
      let before = await inspector.describeSchema();
      fingerprints.add(fingerprint(before));

      for (const [statement] of changes) {
        // Act
        await client.query(statement);
        const after = await inspector.describeSchema();
        seen.push(diffSchemas(before, after));
        fingerprints.add(fingerprint(after));
        before = after;
      }

      // Assess: each change alone, exactly named; every step a new fingerprint.
      expect(seen).toEqual(changes.map(([, expected]) => expected));
      expect(fingerprints.size).toBe(changes.length + 1);
    } finally {
      await database.drop();
    }
  });
});

describe('PgDatabaseInspector.countRows', () => {
  it('counts every row of every table exactly', async () => {
    // Prepare
    const { database, inspector } = await databaseWith('count', SHOP_FORWARD, SHOP_ROWS);
    try {
      const tables = (await inspector.describeSchema()).tables.map(({ schema, name }) => ({ schema, name }));

      // Act
      const counts = await inspector.countRows(tables);

      // Assess: the partitioned parent sees its partition's rows.
      expect(counts).toEqual({
        'audit.events': 2,
        'audit.events_2026': 2,
        'audit.log': 4,
        'public.sessions': 1,
        'public.settings': 2,
        'shop.customers': 3,
        'shop.orders': 5,
      });
    } finally {
      await database.drop();
    }
  });

  it('quotes identifiers, so odd and hostile names are counted, not executed', async () => {
    // Prepare
    const hostile = 'x"; DROP TABLE public.victim; --';
    const { database, client, inspector } = await databaseWith(
      'quoting',
      `CREATE SCHEMA "Mixed Case";
       CREATE TABLE "Mixed Case"."Odd ""name"" table" (v int);
       CREATE TABLE public."${hostile.replaceAll('"', '""')}" (v int);
       CREATE TABLE public.victim (v int);
       INSERT INTO "Mixed Case"."Odd ""name"" table" VALUES (1), (2);
       INSERT INTO public.victim VALUES (1);`,
    );
    try {
      // Act
      const counts = await inspector.countRows([
        { schema: 'Mixed Case', name: 'Odd "name" table' },
        { schema: 'public', name: hostile },
        { schema: 'public', name: 'victim' },
      ]);

      // Assess
      expect(counts).toEqual({ 'Mixed Case.Odd "name" table': 2, [`public.${hostile}`]: 0, 'public.victim': 1 });
      const victim = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM public.victim');
      expect(victim.rows[0]?.n).toBe(1);
    } finally {
      await database.drop();
    }
  });

  it('reads all counts from one snapshot while another session commits writes between them', async () => {
    // Prepare: a and b hold 10 rows each; right after `a` is counted, a second session moves
    // 3 rows from a to b and adds 4 more to b, and commits.
    const database = await createTempDatabase('consistent');
    try {
      const client = await database.connect();
      const writer = await database.connect();
      await client.query(
        'CREATE TABLE a (v int); CREATE TABLE b (v int); INSERT INTO a SELECT generate_series(1, 10); INSERT INTO b SELECT generate_series(1, 10);',
      );
      const session = new InterleavingSession(client, async () => {
        await writer.query(
          'BEGIN; DELETE FROM a WHERE v <= 3; INSERT INTO b SELECT generate_series(11, 17); COMMIT;',
        );
      });

      // Act
      const counts = await new PgDatabaseInspector(session).countRows([
        { schema: 'public', name: 'a' },
        { schema: 'public', name: 'b' },
      ]);

      // Assess: both counts from before the write, although b was counted after it committed,
      // which a fresh count shows.
      expect(counts).toEqual({ 'public.a': 10, 'public.b': 10 });
      const after = await new PgDatabaseInspector(client).countRows([
        { schema: 'public', name: 'a' },
        { schema: 'public', name: 'b' },
      ]);
      expect(after).toEqual({ 'public.a': 7, 'public.b': 17 });
    } finally {
      await database.drop();
    }
  });

  it('turns a missing table into SqlQueryError and leaves the session usable', async () => {
    // Prepare
    const { database, client, inspector } = await databaseWith('missing', 'CREATE TABLE t (v int);');
    try {
      // Act
      const error: unknown = await inspector
        .countRows([
          { schema: 'public', name: 't' },
          { schema: 'public', name: 'gone' },
        ])
        .catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(SqlQueryError);
      expect((error as SqlQueryError).sqlState).toBe('42P01');
      expect((error as SqlQueryError).message).toBe(
        'counting rows of public.gone: relation "public.gone" does not exist (SQLSTATE 42P01)',
      );
      // Rolled back: a transaction left open would still report repeatable read.
      const isolation = await client.query<{ transaction_isolation: string }>('SHOW transaction_isolation');
      expect(isolation.rows[0]?.transaction_isolation).toBe('read committed');
      expect(await inspector.countRows([{ schema: 'public', name: 't' }])).toEqual({ 'public.t': 0 });
    } finally {
      await database.drop();
    }
  });

  it('turns a terminated connection into SqlConnectionError', async () => {
    // Prepare: kill the inspector's backend, as a failover or restart would, and wait until the
    // client has noticed.
    const { database, client, inspector } = await databaseWith('terminated', 'CREATE TABLE t (v int);');
    try {
      const noticed = new Promise((resolve) => client.once('error', resolve));
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      await withServerClient((admin) => admin.query('SELECT pg_terminate_backend($1)', [pid]));
      await noticed;

      // Act
      const error: unknown = await inspector.countRows([{ schema: 'public', name: 't' }]).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(SqlConnectionError);
      expect((error as Error).message).toBe(
        'counting rows: Client has encountered a connection error and is not queryable',
      );
    } finally {
      await database.drop();
    }
  });
});

describe('PgDatabaseInspector.latestHeartbeat', () => {
  it('is null when the heartbeat table does not exist', async () => {
    // Prepare
    const { database, inspector } = await databaseWith('nohb', 'CREATE SCHEMA dr;');
    try {
      // Act
      const latest = await inspector.latestHeartbeat();

      // Assess
      expect(latest).toBeNull();
    } finally {
      await database.drop();
    }
  });

  it('is null when the heartbeat table is empty', async () => {
    // Prepare: the DDL is idempotent, as the probe runs it on every cold start.
    const { database, inspector } = await databaseWith('emptyhb', `${HEARTBEAT_TABLE_DDL}\n${HEARTBEAT_TABLE_DDL}`);
    try {
      // Act
      const latest = await inspector.latestHeartbeat();

      // Assess
      expect(latest).toBeNull();
    } finally {
      await database.drop();
    }
  });

  it('returns the newest written_at in UTC with microseconds, whatever the insert order and session time zone', async () => {
    // Prepare
    const { database, client, inspector } = await databaseWith(
      'hb',
      HEARTBEAT_TABLE_DDL,
      `INSERT INTO dr.heartbeat (written_at, writer) VALUES
         ('2026-03-01T12:02:00.654321Z', 'probe-b'),
         ('2026-03-01T12:00:00.123456Z', 'probe-a'),
         ('2026-03-01T12:01:00Z', 'probe-a');`,
    );
    try {
      await client.query("SET TIME ZONE 'America/New_York'");

      // Act
      const latest = await inspector.latestHeartbeat();

      // Assess
      expect(latest).toBe('2026-03-01T12:02:00.654321Z');
    } finally {
      await database.drop();
    }
  });
});

describe('captureManifest over PostgreSQL', () => {
  it('captures schema, counts of countable tables and the heartbeat into a verifiable document', async () => {
    // Prepare
    const { database, inspector } = await databaseWith(
      'capture',
      SHOP_FORWARD + HEARTBEAT_TABLE_DDL,
      `${SHOP_ROWS}
       INSERT INTO dr.heartbeat (written_at, writer) VALUES ('2026-03-01T12:04:00.000001Z', 'probe'), ('2026-03-01T12:03:00Z', 'probe');`,
    );
    try {
      // Act
      const manifest = await captureManifest(inspector, {
        database: 'swifteats',
        now: () => new Date('2026-03-01T12:05:00.000Z'),
      });

      // Assess: heartbeat, unlogged and partitioned parent described but not counted.
      expect(manifest.schema.tables.map((table) => `${table.schema}.${table.name}`)).toEqual([
        'audit.events',
        'audit.events_2026',
        'audit.log',
        'dr.heartbeat',
        'public.sessions',
        'public.settings',
        'shop.customers',
        'shop.orders',
      ]);
      expect(manifest.rowCounts).toEqual({
        'audit.events_2026': 2,
        'audit.log': 4,
        'public.settings': 2,
        'shop.customers': 3,
        'shop.orders': 5,
      });
      expect(manifest.heartbeat).toEqual({ latestAt: '2026-03-01T12:04:00.000001Z' });
      expect(manifest.capturedAt).toBe('2026-03-01T12:05:00.000Z');
      expect(manifest.schemaFingerprint).toBe(fingerprint(await inspector.describeSchema()));
      const stored = serializeManifest(manifest);
      expect(manifestDigest(manifest)).toBe(createHash('sha256').update(stored).digest('hex'));
      expect(parseManifest(stored)).toEqual(manifest);
    } finally {
      await database.drop();
    }
  });
});

describe('test/support/pg temporary databases', () => {
  it('creates a database and force-drops it even with a connection left open', async () => {
    // Prepare
    const database = await createTempDatabase('helper');
    const existedAfterCreate = await databaseExists(database.name);
    const client = await database.connect();
    const current = await client.query<{ name: string }>('SELECT current_database() AS name');

    // Act
    await database.drop();
    await database.drop();

    // Assess
    expect(existedAfterCreate).toBe(true);
    expect(current.rows[0]?.name).toBe(database.name);
    expect(database.name).toMatch(/^dr_test_helper_[0-9a-f]{12}$/);
    expect(await databaseExists(database.name)).toBe(false);
  });

  it('withTempDatabase drops the database when the callback throws', async () => {
    // Prepare
    let name = '';
    let existedInside = false;

    // Act
    const outcome = withTempDatabase(async (database) => {
      name = database.name;
      existedInside = await databaseExists(database.name);
      throw new Error('test failed inside');
    }, 'throws');

    // Assess
    await expect(outcome).rejects.toThrow('test failed inside');
    expect(existedInside).toBe(true);
    expect(await databaseExists(name)).toBe(false);
  });
});
