import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildManifest,
  canonicalJson,
  canonicalSchema,
  captureManifest,
  countableTables,
  fingerprint,
  manifestDigest,
  serializeManifest,
} from '../../functions/domain/verification/manifest.ts';
import { diffRowCounts, diffSchemas } from '../../functions/domain/verification/schema-diff.ts';
import { parseManifest } from '../../functions/contracts/documents/manifest.ts';
import type {
  ColumnDescription,
  ConstraintDescription,
  IndexDescription,
  RowCounts,
  SchemaDescription,
  TableDescription,
  TableRef,
} from '../../functions/domain/verification/manifest.ts';
import type { DatabaseInspector } from '../../functions/ports/database-inspector.ts';
import { ValidationError } from '../../functions/shared/errors.ts';

const ORDERS: TableDescription = {
  schema: 'shop',
  name: 'orders',
  kind: 'table',
  columns: [
    { name: 'id', type: 'bigint', nullable: false, default: 'GENERATED ALWAYS AS IDENTITY' },
    { name: 'customer_id', type: 'uuid', nullable: false, default: null },
    { name: 'total', type: 'numeric(10,2)', nullable: false, default: null },
    { name: 'note', type: 'text', nullable: true, default: null },
  ],
  constraints: [
    { name: 'orders_pkey', type: 'primary key', definition: 'PRIMARY KEY (id)' },
    { name: 'orders_customer_id_fkey', type: 'foreign key', definition: 'FOREIGN KEY (customer_id) REFERENCES shop.customers(id)' },
    { name: 'orders_total_check', type: 'check', definition: 'CHECK ((total >= (0)::numeric))' },
  ],
  indexes: [
    { name: 'orders_pkey', definition: 'CREATE UNIQUE INDEX orders_pkey ON shop.orders USING btree (id)', method: 'btree', unique: true },
    {
      name: 'orders_customer_idx',
      definition: 'CREATE INDEX orders_customer_idx ON shop.orders USING btree (customer_id)',
      method: 'btree',
      unique: false,
    },
  ],
};

const CUSTOMERS: TableDescription = {
  schema: 'shop',
  name: 'customers',
  kind: 'table',
  columns: [
    { name: 'id', type: 'uuid', nullable: false, default: 'gen_random_uuid()' },
    { name: 'email', type: 'text', nullable: false, default: null },
  ],
  constraints: [{ name: 'customers_pkey', type: 'primary key', definition: 'PRIMARY KEY (id)' }],
  indexes: [
    { name: 'customers_pkey', definition: 'CREATE UNIQUE INDEX customers_pkey ON shop.customers USING btree (id)', method: 'btree', unique: true },
  ],
};

const AUDIT_LOG: TableDescription = {
  schema: 'audit',
  name: 'log',
  kind: 'table',
  columns: [{ name: 'payload', type: 'jsonb', nullable: true, default: null }],
  constraints: [],
  indexes: [],
};

const HEARTBEAT: TableDescription = {
  schema: 'dr',
  name: 'heartbeat',
  kind: 'table',
  columns: [{ name: 'written_at', type: 'timestamp with time zone', nullable: false, default: 'now()' }],
  constraints: [],
  indexes: [],
};

const SESSIONS: TableDescription = { ...AUDIT_LOG, schema: 'public', name: 'sessions', kind: 'unlogged table' };
const EVENTS: TableDescription = { ...AUDIT_LOG, schema: 'audit', name: 'events', kind: 'partitioned table' };

const SAMPLE: SchemaDescription = { tables: [ORDERS, CUSTOMERS, AUDIT_LOG] };

/** Returns `table` with `change` applied (a shallow edit, for one-change-at-a-time diffs). */
function edited(table: TableDescription, change: Partial<TableDescription>): TableDescription {
  return { ...table, ...change };
}

function withTable(schema: SchemaDescription, qualified: string, table: TableDescription | undefined): SchemaDescription {
  const others = schema.tables.filter((candidate) => `${candidate.schema}.${candidate.name}` !== qualified);
  return { tables: table === undefined ? others : [...others, table] };
}

const identifier = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);

const columnArb: fc.Arbitrary<ColumnDescription> = fc.record({
  name: identifier,
  type: fc.constantFrom('text', 'integer', 'numeric(10,2)', 'jsonb', 'uuid[]', 'timestamp with time zone'),
  nullable: fc.boolean(),
  default: fc.option(fc.constantFrom('now()', '0', "'{}'::text[]"), { nil: null }),
});

const constraintArb: fc.Arbitrary<ConstraintDescription> = fc.record({
  name: identifier,
  type: fc.constantFrom('primary key', 'foreign key', 'unique', 'check', 'exclusion', 'trigger'),
  definition: fc.constantFrom('PRIMARY KEY (id)', 'UNIQUE (email)', 'CHECK ((n > 0))'),
});

const indexArb: fc.Arbitrary<IndexDescription> = fc.record({
  name: identifier,
  definition: fc.constantFrom('CREATE INDEX i ON s.t USING btree (a)', 'CREATE INDEX i ON s.t USING gin (b)'),
  method: fc.constantFrom('btree', 'gin', 'brin'),
  unique: fc.boolean(),
});

const tableArb: fc.Arbitrary<TableDescription> = fc.record({
  schema: fc.constantFrom('public', 'shop', 'audit', 'Shop'),
  name: identifier,
  kind: fc.constantFrom('table', 'unlogged table', 'partitioned table'),
  columns: fc.uniqueArray(columnArb, { selector: (column) => column.name, maxLength: 5 }),
  constraints: fc.uniqueArray(constraintArb, { selector: (constraint) => constraint.name, maxLength: 4 }),
  indexes: fc.uniqueArray(indexArb, { selector: (index) => index.name, maxLength: 4 }),
});

const schemaArb: fc.Arbitrary<SchemaDescription> = fc
  .uniqueArray(tableArb, { selector: (table) => `${table.schema}.${table.name}`, maxLength: 6 })
  .map((tables) => ({ tables }));

function permutation<T>(items: readonly T[]): fc.Arbitrary<T[]> {
  return fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });
}

/** The same schema listed in another order: tables, and each table's constraints and indexes. */
function reordered(schema: SchemaDescription): fc.Arbitrary<SchemaDescription> {
  const tables = schema.tables.map((table) =>
    fc
      .tuple(permutation(table.constraints), permutation(table.indexes))
      .map(([constraints, indexes]): TableDescription => ({ ...table, constraints, indexes })),
  );
  return fc
    .tuple(...tables)
    .chain((shuffledTables) => permutation(shuffledTables))
    .map((shuffled) => ({ tables: shuffled }));
}

describe('canonicalJson', () => {
  it('sorts keys at every depth, integer-like keys included, and drops undefined members', () => {
    // Prepare
    const value = { b: 1, 10: [{ z: true, a: null }], 2: 'x', a: { d: undefined, c: 'é' } };

    // Act
    const json = canonicalJson(value);

    // Assess
    expect(json).toBe('{"10":[{"a":null,"z":true}],"2":"x","a":{"c":"é"},"b":1}');
  });

  it('refuses values JSON cannot represent unambiguously', () => {
    // Act / Assess
    expect(() => canonicalJson({ n: Number.NaN })).toThrow('canonical JSON has no representation for NaN');
    expect(() => canonicalJson({ n: 1n })).toThrow('canonical JSON has no representation for a bigint');
  });
});

describe('canonicalSchema', () => {
  it('sorts tables by schema then name, constraints and indexes by name, and keeps column order', () => {
    // Act
    const canonical = canonicalSchema(SAMPLE);

    // Assess
    expect(canonical.tables.map((table) => `${table.schema}.${table.name}`)).toEqual([
      'audit.log',
      'shop.customers',
      'shop.orders',
    ]);
    const orders = canonical.tables[2];
    expect(orders?.columns.map((column) => column.name)).toEqual(['id', 'customer_id', 'total', 'note']);
    expect(orders?.constraints.map((constraint) => constraint.name)).toEqual([
      'orders_customer_id_fkey',
      'orders_pkey',
      'orders_total_check',
    ]);
    expect(orders?.indexes.map((index) => index.name)).toEqual(['orders_customer_idx', 'orders_pkey']);
  });

  it('orders by code unit, not by locale: upper case before lower case', () => {
    // Prepare
    const schema = { tables: [edited(AUDIT_LOG, { schema: 'shop' }), edited(AUDIT_LOG, { schema: 'Shop' })] };

    // Act
    const canonical = canonicalSchema(schema);

    // Assess
    expect(canonical.tables.map((table) => table.schema)).toEqual(['Shop', 'shop']);
  });

  it('keeps only the described fields, so extra properties never reach the fingerprint', () => {
    // Prepare
    const withExtras = {
      tables: SAMPLE.tables.map((table) => ({ ...table, oid: 16384, columns: table.columns.map((c) => ({ ...c, attnum: 3 })) })),
    };

    // Act
    const canonical = canonicalSchema(withExtras);

    // Assess
    expect(canonical).toEqual(canonicalSchema(SAMPLE));
    expect(fingerprint(withExtras)).toBe(fingerprint(SAMPLE));
  });
});

describe('fingerprint', () => {
  it('is pinned: changing the canonical form changes stored fingerprints and needs a new formatVersion', () => {
    // Act
    const value = fingerprint(SAMPLE);
    const smallest = canonicalJson(canonicalSchema({ tables: [AUDIT_LOG] }));

    // Assess
    expect(smallest).toBe(
      '{"tables":[{"columns":[{"default":null,"name":"payload","nullable":true,"type":"jsonb"}],"constraints":[],"indexes":[],"kind":"table","name":"log","schema":"audit"}]}',
    );
    expect(value).toBe(createHash('sha256').update(canonicalJson(canonicalSchema(SAMPLE))).digest('hex'));
    expect(value).toBe('d92a13cbd71f55eacd4e20337992a29354439c80bbad9185306cbfa2a6467178');
  });

  it('does not depend on the order tables, constraints and indexes are listed in', () => {
    fc.assert(
      fc.property(
        schemaArb.chain((schema) => fc.tuple(fc.constant(schema), reordered(schema))),
        ([schema, shuffled]) => {
          expect(fingerprint(shuffled)).toBe(fingerprint(schema));
          expect(diffSchemas(schema, shuffled)).toEqual([]);
        },
      ),
    );
  });

  it('differs exactly when diffSchemas finds a difference', () => {
    fc.assert(
      fc.property(schemaArb, schemaArb, (a, b) => {
        expect(fingerprint(a) === fingerprint(b)).toBe(diffSchemas(a, b).length === 0);
      }),
    );
  });

  it('changes when two columns swap places', () => {
    // Prepare
    const [first, second, ...rest] = ORDERS.columns;
    const swapped = withTable(SAMPLE, 'shop.orders', edited(ORDERS, { columns: [second!, first!, ...rest] }));

    // Act / Assess
    expect(fingerprint(swapped)).not.toBe(fingerprint(SAMPLE));
    expect(diffSchemas(SAMPLE, swapped)).toEqual([
      'table shop.orders: column order id, customer_id, total, note -> customer_id, id, total, note',
    ]);
  });
});

describe('diffSchemas', () => {
  const cases: [string, SchemaDescription, string[]][] = [
    [
      'a changed column type',
      withTable(SAMPLE, 'shop.orders', edited(ORDERS, {
        columns: ORDERS.columns.map((c) => (c.name === 'total' ? { ...c, type: 'text' } : c)),
      })),
      ['table shop.orders: column total type numeric(10,2) -> text'],
    ],
    [
      'a changed nullability and default',
      withTable(SAMPLE, 'shop.orders', edited(ORDERS, {
        columns: ORDERS.columns.map((c) => (c.name === 'note' ? { ...c, nullable: false, default: "''::text" } : c)),
      })),
      ['table shop.orders: column note nullable true -> false', "table shop.orders: column note default none -> ''::text"],
    ],
    [
      'a dropped column (order reported only on the columns both have)',
      withTable(SAMPLE, 'shop.orders', edited(ORDERS, { columns: ORDERS.columns.filter((c) => c.name !== 'customer_id') })),
      ['table shop.orders: column customer_id missing'],
    ],
    [
      'an added column',
      withTable(SAMPLE, 'shop.customers', edited(CUSTOMERS, {
        columns: [...CUSTOMERS.columns, { name: 'phone', type: 'text', nullable: true, default: null }],
      })),
      ['table shop.customers: column phone unexpected'],
    ],
    [
      'a dropped index',
      withTable(SAMPLE, 'shop.orders', edited(ORDERS, { indexes: ORDERS.indexes.filter((i) => i.name !== 'orders_customer_idx') })),
      ['index shop.orders_customer_idx missing'],
    ],
    [
      'a changed index',
      withTable(SAMPLE, 'shop.orders', edited(ORDERS, {
        indexes: ORDERS.indexes.map((i) =>
          i.name === 'orders_customer_idx'
            ? { ...i, definition: 'CREATE INDEX orders_customer_idx ON shop.orders USING hash (customer_id)', method: 'hash' }
            : i,
        ),
      })),
      [
        'index shop.orders_customer_idx definition CREATE INDEX orders_customer_idx ON shop.orders USING btree (customer_id) -> CREATE INDEX orders_customer_idx ON shop.orders USING hash (customer_id)',
        'index shop.orders_customer_idx method btree -> hash',
      ],
    ],
    [
      'a dropped constraint and an added one',
      withTable(SAMPLE, 'shop.customers', edited(CUSTOMERS, {
        constraints: [{ name: 'customers_email_key', type: 'unique', definition: 'UNIQUE (email)' }],
      })),
      ['table shop.customers: constraint customers_email_key unexpected', 'table shop.customers: constraint customers_pkey missing'],
    ],
    [
      'a changed constraint',
      withTable(SAMPLE, 'shop.orders', edited(ORDERS, {
        constraints: ORDERS.constraints.map((c) =>
          c.name === 'orders_total_check' ? { ...c, definition: 'CHECK ((total > (0)::numeric))' } : c,
        ),
      })),
      ['table shop.orders: constraint orders_total_check definition CHECK ((total >= (0)::numeric)) -> CHECK ((total > (0)::numeric))'],
    ],
    [
      'a dropped table, without listing its columns and indexes',
      withTable(SAMPLE, 'shop.orders', undefined),
      ['table shop.orders missing'],
    ],
    ['an extra table', { tables: [...SAMPLE.tables, HEARTBEAT] }, ['table dr.heartbeat unexpected']],
    [
      'a table that became unlogged',
      withTable(SAMPLE, 'audit.log', edited(AUDIT_LOG, { kind: 'unlogged table' })),
      ['table audit.log kind table -> unlogged table'],
    ],
  ];

  it.each(cases)('names %s', (_name, actual, expected) => {
    // Act
    const differences = diffSchemas(SAMPLE, actual);

    // Assess
    expect(differences).toEqual(expected);
  });

  it('lists several differences in canonical order', () => {
    // Prepare
    const actual: SchemaDescription = {
      tables: [
        edited(ORDERS, { indexes: [] }),
        edited(CUSTOMERS, { columns: CUSTOMERS.columns.map((c) => ({ ...c, type: 'text' })) }),
        HEARTBEAT,
      ],
    };

    // Act
    const differences = diffSchemas(SAMPLE, actual);

    // Assess
    expect(differences).toEqual([
      'table audit.log missing',
      'table dr.heartbeat unexpected',
      'table shop.customers: column id type uuid -> text',
      'index shop.orders_customer_idx missing',
      'index shop.orders_pkey missing',
    ]);
  });
});

describe('diffRowCounts', () => {
  it('names changed, missing and unexpected counts, sorted by table', () => {
    // Prepare
    const expected: RowCounts = { 'shop.orders': 5, 'shop.customers': 3, 'audit.log': 4 };
    const actual: RowCounts = { 'shop.orders': 4, 'shop.customers': 3, 'public.extra': 0 };

    // Act
    const differences = diffRowCounts(expected, actual);

    // Assess
    expect(differences).toEqual([
      'table audit.log: row count missing',
      'table public.extra: row count unexpected (0 rows)',
      'table shop.orders: rows 5 -> 4',
    ]);
  });

  it('is empty for equal counts listed in another order', () => {
    // Act / Assess
    expect(diffRowCounts({ a: 1, b: 2 }, { b: 2, a: 1 })).toEqual([]);
  });
});

describe('countableTables', () => {
  it('leaves out the heartbeat, unlogged and partitioned tables', () => {
    // Prepare
    const schema = { tables: [SESSIONS, HEARTBEAT, ORDERS, EVENTS, AUDIT_LOG] };

    // Act
    const tables = countableTables(schema);

    // Assess
    expect(tables).toEqual([
      { schema: 'audit', name: 'log' },
      { schema: 'shop', name: 'orders' },
    ]);
  });
});

describe('buildManifest', () => {
  it('assembles the canonical document with its fingerprint', () => {
    // Act
    const manifest = buildManifest({
      database: 'swifteats',
      capturedAt: new Date('2026-03-01T12:05:00Z'),
      schema: SAMPLE,
      rowCounts: { 'shop.orders': 5, 'audit.log': 0, 'shop.customers': 3 },
      heartbeatLatestAt: '2026-03-01T12:04:59.999999Z',
    });

    // Assess
    expect(manifest).toEqual({
      formatVersion: 1,
      database: 'swifteats',
      capturedAt: '2026-03-01T12:05:00.000Z',
      schema: canonicalSchema(SAMPLE),
      schemaFingerprint: fingerprint(SAMPLE),
      rowCounts: { 'audit.log': 0, 'shop.customers': 3, 'shop.orders': 5 },
      heartbeat: { latestAt: '2026-03-01T12:04:59.999999Z' },
    });
    expect(Object.keys(manifest.rowCounts)).toEqual(['audit.log', 'shop.customers', 'shop.orders']);
  });

  it('refuses bad input, listing every problem', () => {
    // Prepare
    const collision = { tables: [edited(AUDIT_LOG, { schema: 'a.b', name: 'c' }), edited(AUDIT_LOG, { schema: 'a', name: 'b.c' })] };

    // Act
    const act = () =>
      buildManifest({
        database: '',
        capturedAt: new Date('not a date'),
        schema: collision,
        rowCounts: { 'a.b.c': -1, 'shop.gone': 2, 'a.b.c ': 1.5 },
        heartbeatLatestAt: null,
      });

    // Assess
    let caught: unknown;
    try {
      act();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).problems).toEqual([
      'database: must not be empty',
      'capturedAt: invalid date',
      'schema: more than one table is named a.b.c',
      'rowCounts.a.b.c: must be a non-negative integer, got -1',
      'rowCounts.a.b.c : no such table in the schema',
      'rowCounts.a.b.c : must be a non-negative integer, got 1.5',
      'rowCounts.shop.gone: no such table in the schema',
    ]);
  });
});

describe('serializeManifest and manifestDigest', () => {
  const manifest = buildManifest({
    database: 'swifteats',
    capturedAt: new Date('2026-03-01T12:05:00Z'),
    schema: SAMPLE,
    rowCounts: { 'shop.orders': 5 },
    heartbeatLatestAt: null,
  });

  it('hashes the stored bytes, independent of property order in memory', () => {
    // Prepare
    const reversedKeys = Object.fromEntries(Object.entries(manifest).reverse()) as unknown as typeof manifest;

    // Act
    const stored = serializeManifest(reversedKeys);

    // Assess
    expect(stored).toBe(serializeManifest(manifest));
    expect(stored.startsWith('{"capturedAt":"2026-03-01T12:05:00.000Z","database":"swifteats","formatVersion":1,')).toBe(true);
    expect(manifestDigest(reversedKeys)).toBe(createHash('sha256').update(stored, 'utf8').digest('hex'));
  });

  it('changes the digest when a single count changes', () => {
    // Prepare
    const changed = { ...manifest, rowCounts: { 'shop.orders': 6 } };

    // Act / Assess
    expect(manifestDigest(changed)).not.toBe(manifestDigest(manifest));
  });
});

describe('parseManifest', () => {
  const manifest = buildManifest({
    database: 'swifteats',
    capturedAt: new Date('2026-03-01T12:05:00Z'),
    schema: SAMPLE,
    rowCounts: { 'shop.orders': 5 },
    heartbeatLatestAt: '2026-03-01T12:04:00.000000Z',
  });

  it('reads back what was stored', () => {
    // Act
    const parsed = parseManifest(serializeManifest(manifest));

    // Assess
    expect(parsed).toEqual(manifest);
    expect(manifestDigest(parsed)).toBe(manifestDigest(manifest));
  });

  it('reads back a bracketed manifest (format 2, with counters) and refuses bad counters by path', () => {
    // Prepare
    const counters = {
      server: { clock: '2026-03-01T12:05:00.000001Z', startedAt: '2026-02-01T00:00:00.000000Z', statsResetAt: null },
      tables: { 'shop.orders': { inserted: 12, deleted: 7, storage: '16400', unlogged: false } },
    };
    const bracketed = buildManifest({ database: 'swifteats', capturedAt: new Date('2026-03-01T12:05:00Z'), schema: SAMPLE, rowCounts: { 'shop.orders': 5 }, heartbeatLatestAt: null, counters });
    // Act
    const parsed = parseManifest(serializeManifest(bracketed));
    // Assess
    expect(parsed.formatVersion).toBe(2);
    expect(parsed.counters).toEqual(counters);
    const broken = { ...bracketed, counters: { server: { clock: 1 }, tables: { 'shop.orders': { inserted: -1, deleted: 7, storage: 16400, unlogged: 'no' } } } };
    expect(problemsOf(JSON.stringify(broken))).toEqual([
      'manifest.counters.server.clock: must be a string',
      'manifest.counters.server.startedAt: must be a string',
      'manifest.counters.server.statsResetAt: must be a string or null',
      'manifest.counters.tables.shop.orders.inserted: must be a non-negative integer',
      'manifest.counters.tables.shop.orders.storage: must be a string',
      'manifest.counters.tables.shop.orders.unlogged: must be a boolean',
    ]);
  });

  function problemsOf(text: string): readonly string[] {
    try {
      parseManifest(text);
    } catch (error) {
      if (error instanceof ValidationError) return error.problems;
      throw error;
    }
    throw new Error('parseManifest accepted the document');
  }

  it('refuses a schema edited without its fingerprint', () => {
    // Prepare
    const tampered = { ...manifest, schema: withTable(manifest.schema, 'audit.log', undefined) };

    // Act
    const problems = problemsOf(canonicalJson(tampered));

    // Assess
    expect(problems).toEqual([
      `manifest.schemaFingerprint: ${manifest.schemaFingerprint} does not match the schema (${fingerprint(tampered.schema)})`,
    ]);
  });

  it('refuses a malformed document, naming each bad field by path', () => {
    // Prepare
    const broken = {
      ...manifest,
      formatVersion: 3,
      capturedAt: 'yesterday',
      rowCounts: { 'shop.orders': '5' },
      heartbeat: {},
      schema: {
        tables: [
          { ...ORDERS, kind: 'view', columns: [{ name: 'id', type: 'bigint', nullable: 'no', default: null }] },
          'audit.log',
        ],
      },
    };

    // Act
    const problems = problemsOf(JSON.stringify(broken));

    // Assess
    expect(problems).toEqual([
      'manifest.formatVersion: must be 1 or 2, got 3',
      'manifest.capturedAt: must be an ISO 8601 date',
      'manifest.schema.tables[0].kind: must be one of table, unlogged table, partitioned table',
      'manifest.schema.tables[0].columns[0].nullable: must be a boolean',
      'manifest.schema.tables[1]: must be an object',
      'manifest.rowCounts.shop.orders: must be a non-negative integer',
      'manifest.heartbeat.latestAt: must be a string or null',
    ]);
  });

  it('refuses text that is not JSON', () => {
    // Act / Assess
    expect(problemsOf('{"formatVersion":')).toEqual([expect.stringMatching(/^manifest: not JSON \(/)]);
  });
});

describe('captureManifest', () => {
  it('counts only the countable tables and records the heartbeat', async () => {
    // Prepare: an in-memory inspector that records what it was asked to count.
    const asked: TableRef[][] = [];
    const inspector: DatabaseInspector = {
      describeSchema: async () => ({ tables: [HEARTBEAT, SESSIONS, ORDERS, AUDIT_LOG] }),
      countRows: async (tables) => {
        asked.push([...tables]);
        return Object.fromEntries(tables.map((table) => [`${table.schema}.${table.name}`, 7]));
      },
      latestHeartbeat: async () => '2026-03-01T12:04:00.000000Z',
    };

    // Act
    const manifest = await captureManifest(inspector, { database: 'swifteats', now: () => new Date('2026-03-01T12:05:00Z') });

    // Assess
    expect(asked).toEqual([
      [
        { schema: 'audit', name: 'log' },
        { schema: 'shop', name: 'orders' },
      ],
    ]);
    expect(manifest.rowCounts).toEqual({ 'audit.log': 7, 'shop.orders': 7 });
    expect(manifest.heartbeat).toEqual({ latestAt: '2026-03-01T12:04:00.000000Z' });
    expect(manifest.schema.tables.map((table) => `${table.schema}.${table.name}`)).toEqual([
      'audit.log',
      'dr.heartbeat',
      'public.sessions',
      'shop.orders',
    ]);
  });
});
