import { describe, expect, it } from 'vitest';
import { buildManifest, fingerprint } from '../../functions/domain/verification/manifest.ts';
import type { DatabaseManifest, SchemaDescription, TableDescription, TableRef } from '../../functions/domain/verification/manifest.ts';
import { CHECK_IDS, DEFAULT_HEARTBEAT_TOLERANCE } from '../../functions/domain/verification/report-model.ts';
import { parseAssertions } from '../../functions/contracts/documents/assertions.ts';
import { describeExpectation, judgeAssertion } from '../../functions/domain/verification/assertion-check.ts';
import { btreeIndexes, judgeBtreeIndexes, judgeReadable, readableTables } from '../../functions/domain/verification/read-checks.ts';
import { judgeHeartbeat } from '../../functions/domain/verification/heartbeat-check.ts';
import { judgeRowCounts } from '../../functions/domain/verification/row-count-checks.ts';
import { judgeSchema } from '../../functions/domain/verification/schema-check.ts';
import { judgeTls } from '../../functions/domain/verification/tls-check.ts';
import { runVerification } from '../../functions/domain/verification/run-verification.ts';
import type { HeartbeatExpectation, UserAssertion } from '../../functions/domain/verification/report-model.ts';
import type { VerificationOptions } from '../../functions/domain/verification/run-verification.ts';
import type {
  AssertionObservation,
  BtreeCheckRun,
  ConnectionSecurity,
  IndexRef,
  TableReadOutcome,
  VerificationProbe,
} from '../../functions/ports/verification-probe.ts';
import type {
  ConstraintCheckOutcome,
  GinCheckRun,
  HeapCheckRun,
  IndexState,
  SequenceObservation,
} from '../../functions/ports/structure-probe.ts';
import { SqlConnectionError, SqlQueryError, ValidationError } from '../../functions/shared/errors.ts';

const ORDERS: TableDescription = {
  schema: 'shop',
  name: 'orders',
  kind: 'table',
  columns: [
    { name: 'id', type: 'bigint', nullable: false, default: null },
    { name: 'total', type: 'numeric(10,2)', nullable: false, default: null },
  ],
  constraints: [{ name: 'orders_pkey', type: 'primary key', definition: 'PRIMARY KEY (id)' }],
  indexes: [
    { name: 'orders_pkey', definition: 'CREATE UNIQUE INDEX orders_pkey ON shop.orders USING btree (id)', method: 'btree', unique: true },
    { name: 'orders_items_idx', definition: 'CREATE INDEX orders_items_idx ON shop.orders USING gin (id)', method: 'gin', unique: false },
  ],
};

const CUSTOMERS: TableDescription = {
  schema: 'shop',
  name: 'customers',
  kind: 'table',
  columns: [{ name: 'id', type: 'bigint', nullable: false, default: null }],
  constraints: [],
  indexes: [
    { name: 'customers_pkey', definition: 'CREATE UNIQUE INDEX customers_pkey ON shop.customers USING btree (id)', method: 'btree', unique: true },
  ],
};

const EVENTS: TableDescription = {
  schema: 'audit',
  name: 'events',
  kind: 'partitioned table',
  columns: [{ name: 'at', type: 'timestamp with time zone', nullable: false, default: null }],
  constraints: [],
  indexes: [{ name: 'events_at_idx', definition: 'CREATE INDEX events_at_idx ON ONLY audit.events USING btree (at)', method: 'btree', unique: false }],
};

const EVENTS_2026: TableDescription = {
  ...EVENTS,
  name: 'events_2026',
  kind: 'table',
  indexes: [{ name: 'events_2026_at_idx', definition: 'CREATE INDEX events_2026_at_idx ON audit.events_2026 USING btree (at)', method: 'btree', unique: false }],
};

const SESSIONS: TableDescription = { ...CUSTOMERS, schema: 'public', name: 'sessions', kind: 'unlogged table', indexes: [] };

const HEARTBEAT: TableDescription = {
  schema: 'dr',
  name: 'heartbeat',
  kind: 'table',
  columns: [{ name: 'written_at', type: 'timestamp with time zone', nullable: false, default: 'now()' }],
  constraints: [],
  indexes: [],
};

const SCHEMA: SchemaDescription = { tables: [ORDERS, CUSTOMERS, EVENTS, EVENTS_2026, SESSIONS, HEARTBEAT] };

const MANIFEST: DatabaseManifest = buildManifest({
  database: 'swifteats',
  capturedAt: new Date('2026-03-01T12:04:50.000Z'),
  schema: SCHEMA,
  rowCounts: { 'audit.events_2026': 2, 'shop.customers': 3, 'shop.orders': 5 },
  heartbeatLatestAt: '2026-03-01T12:04:30.123456Z',
});

const ref = (schema: string, name: string): TableRef => ({ schema, name });

function read(schema: string, name: string, rows: number, bytes = rows * 10): TableReadOutcome {
  return { table: ref(schema, name), ok: true, rows, bytes };
}

const GOOD_READS: TableReadOutcome[] = [
  read('audit', 'events_2026', 2),
  read('dr', 'heartbeat', 7),
  read('public', 'sessions', 0),
  read('shop', 'customers', 3),
  read('shop', 'orders', 5),
];

const TLS13: ConnectionSecurity = { pid: 101, ssl: true, version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', bits: 256 };

describe('readableTables and btreeIndexes', () => {
  it('read every table with storage, sorted, and check only B-tree indexes of tables with storage', () => {
    // Act
    const tables = readableTables(SCHEMA);
    const indexes = btreeIndexes(SCHEMA);

    // Assess: the partitioned parent and its storage-less index are left out, the GIN index too.
    expect(tables).toEqual([
      ref('audit', 'events_2026'),
      ref('dr', 'heartbeat'),
      ref('public', 'sessions'),
      ref('shop', 'customers'),
      ref('shop', 'orders'),
    ]);
    expect(indexes).toEqual<IndexRef[]>([
      { schema: 'audit', table: 'events_2026', name: 'events_2026_at_idx' },
      { schema: 'shop', table: 'customers', name: 'customers_pkey' },
      { schema: 'shop', table: 'orders', name: 'orders_pkey' },
    ]);
  });
});

describe('judgeTls', () => {
  it('passes when every connection uses TLS 1.2 or later', () => {
    // Act
    const check = judgeTls([TLS13, { ...TLS13, pid: 102, version: 'TLSv1.2', cipher: 'ECDHE-RSA-AES256-GCM-SHA384' }]);

    // Assess
    expect(check).toEqual({
      id: 'tls',
      status: 'passed',
      passed: true,
      evidence: '2 of 2 connections encrypted (TLSv1.3, TLSv1.2)',
      details: [
        'connection 1 (pid 101): TLSv1.3 TLS_AES_256_GCM_SHA384 256 bits',
        'connection 2 (pid 102): TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 256 bits',
      ],
    });
  });

  it('fails on a plain connection and on a TLS version older than 1.2, naming each', () => {
    // Act
    const check = judgeTls([
      TLS13,
      { pid: 102, ssl: false, version: null, cipher: null, bits: null },
      { ...TLS13, pid: 103, version: 'TLSv1.1', cipher: 'AES256-SHA' },
    ]);

    // Assess
    expect(check.status).toBe('failed');
    expect(check.passed).toBe(false);
    expect(check.evidence).toBe('2 of 3 connections not encrypted with TLS 1.2 or later');
    expect(check.details).toEqual([
      'connection 1 (pid 101): TLSv1.3 TLS_AES_256_GCM_SHA384 256 bits',
      'connection 2 (pid 102): not encrypted',
      'connection 3 (pid 103): TLSv1.1 AES256-SHA 256 bits, older than TLSv1.2',
    ]);
  });

  it('fails when there is no connection to inspect', () => {
    // Act / Assess
    expect(judgeTls([]).evidence).toBe('no connection to inspect');
    expect(judgeTls([]).status).toBe('failed');
  });
});

describe('judgeSchema', () => {
  it('passes on an equal schema listed in another order', () => {
    // Act
    const check = judgeSchema(MANIFEST, { tables: [...SCHEMA.tables].reverse() });

    // Assess
    expect(check.status).toBe('passed');
    expect(check.evidence).toBe(`fingerprint ${MANIFEST.schemaFingerprint} equals the manifest's (6 tables)`);
    expect(check.details).toEqual([]);
  });

  it('fails with every difference listed', () => {
    // Prepare: customers dropped, a column type changed, an index dropped.
    const orders: TableDescription = {
      ...ORDERS,
      columns: [ORDERS.columns[0]!, { ...ORDERS.columns[1]!, type: 'text' }],
      indexes: [ORDERS.indexes[0]!],
    };
    const actual = { tables: [orders, EVENTS, EVENTS_2026, SESSIONS, HEARTBEAT] };

    // Act
    const check = judgeSchema(MANIFEST, actual);

    // Assess
    expect(check.status).toBe('failed');
    expect(check.evidence).toMatch(new RegExp(`^fingerprint [0-9a-f]{64} differs from the manifest's ${MANIFEST.schemaFingerprint}: 3 differences$`));
    expect(check.details).toEqual([
      'table shop.customers missing',
      'table shop.orders: column total type numeric(10,2) -> text',
      'index shop.orders_items_idx missing',
    ]);
  });
});

describe('judgeRowCounts', () => {
  it('passes when every countable table has the manifest count (heartbeat and unlogged tables not counted)', () => {
    // Act
    const check = judgeRowCounts(MANIFEST, SCHEMA, GOOD_READS, '2026-03-01T12:04:30.123456Z');

    // Assess
    expect(check).toEqual({
      id: 'row-counts',
      status: 'passed',
      passed: true,
      evidence: '3 tables, 10 rows, equal to the manifest captured at 2026-03-01T12:04:50.000Z',
      details: [],
    });
  });

  it('fails exactly: one row fewer is a failure showing both numbers', () => {
    // Prepare
    const reads = GOOD_READS.map((outcome) => (outcome.ok && outcome.table.name === 'orders' ? { ...outcome, rows: 4 } : outcome));

    // Act
    const check = judgeRowCounts(MANIFEST, SCHEMA, reads, '2026-03-01T12:04:30.123456Z');

    // Assess
    expect(check.status).toBe('failed');
    expect(check.evidence).toBe('1 of 3 tables differ from the manifest captured at 2026-03-01T12:04:50.000Z');
    expect(check.details).toEqual(['table shop.orders: rows 5 -> 4']);
  });

  it('names missing, unexpected and unreadable tables, and notes writes between capture and snapshot', () => {
    // Prepare: customers gone, a new table appeared, orders unreadable; the heartbeat advanced.
    const extra: TableDescription = { ...CUSTOMERS, schema: 'public', name: 'extra', indexes: [] };
    const actual = { tables: [ORDERS, EVENTS, EVENTS_2026, SESSIONS, HEARTBEAT, extra] };
    const reads: TableReadOutcome[] = [
      read('audit', 'events_2026', 2),
      read('public', 'extra', 9),
      { table: ref('shop', 'orders'), ok: false, error: 'could not read block 0 (SQLSTATE XX001)' },
    ];

    // Act
    const check = judgeRowCounts(MANIFEST, actual, reads, '2026-03-01T12:05:30.000000Z');

    // Assess
    expect(check.evidence).toBe('3 of 4 tables differ from the manifest captured at 2026-03-01T12:04:50.000Z');
    expect(check.details).toEqual([
      'table public.extra: row count unexpected (9 rows)',
      'table shop.customers: row count missing',
      'table shop.orders: rows 5 -> not counted (the read failed)',
      'the heartbeat advanced from 2026-03-01T12:04:30.123456Z to 2026-03-01T12:05:30.000000Z between manifest capture and snapshot: writes in that window change counts too',
    ]);
  });
});

describe('judgeReadable', () => {
  it('passes with rows and bytes per table and in total', () => {
    // Act
    const check = judgeReadable([read('shop', 'orders', 5, 120), read('shop', 'customers', 1, 1)]);

    // Assess
    expect(check.status).toBe('passed');
    expect(check.evidence).toBe('2 tables read in full: 6 rows, 121 bytes of values');
    expect(check.details).toEqual(['table shop.orders: 5 rows, 120 bytes', 'table shop.customers: 1 row, 1 byte']);
  });

  it('fails naming each table that could not be read, with the server message', () => {
    // Act
    const check = judgeReadable([
      read('shop', 'orders', 5, 120),
      { table: ref('shop', 'customers'), ok: false, error: 'missing chunk number 0 for toast value 16402 in pg_toast_16390 (SQLSTATE XX001)' },
    ]);

    // Assess
    expect(check.status).toBe('failed');
    expect(check.evidence).toBe('1 of 2 tables could not be read in full');
    expect(check.details).toEqual([
      'table shop.orders: 5 rows, 120 bytes',
      'table shop.customers: missing chunk number 0 for toast value 16402 in pg_toast_16390 (SQLSTATE XX001)',
    ]);
  });

  it('passes on a database without tables', () => {
    // Act / Assess
    expect(judgeReadable([]).evidence).toBe('no tables to read');
  });
});

describe('judgeBtreeIndexes', () => {
  const index = (name: string): IndexRef => ({ schema: 'shop', table: 'orders', name });

  it('is inconclusive, never skipped or passed, when amcheck is unavailable (issue 13 item 2)', () => {
    // Act
    const check = judgeBtreeIndexes({ available: false, reason: 'permission denied to create extension "amcheck" (SQLSTATE 42501)' });

    // Assess
    expect(check).toEqual({
      id: 'btree-indexes',
      status: 'inconclusive',
      passed: false,
      evidence: 'amcheck unavailable, no index was checked: permission denied to create extension "amcheck" (SQLSTATE 42501)',
      details: [],
    });
  });

  it('passes listing indexes skipped by design, and fails naming each corrupt index', () => {
    // Prepare
    const run = (failing: boolean): BtreeCheckRun => ({
      available: true,
      detail: 'amcheck 1.3 already installed',
      outcomes: [
        { index: index('orders_pkey'), status: 'passed', message: '' },
        { index: index('orders_new_idx'), status: 'skipped', message: 'index is not valid' },
        failing
          ? { index: index('orders_total_idx'), status: 'failed', message: 'item order invariant violated for index "orders_total_idx" (SQLSTATE XX002)' }
          : { index: index('orders_total_idx'), status: 'passed', message: '' },
      ],
    });

    // Act
    const healthy = judgeBtreeIndexes(run(false));
    const corrupt = judgeBtreeIndexes(run(true));

    // Assess
    expect(healthy.status).toBe('passed');
    expect(healthy.evidence).toBe('2 of 3 B-tree indexes passed bt_index_check with heapallindexed, amcheck 1.3 already installed, 1 skipped');
    expect(healthy.details).toEqual(['index shop.orders_new_idx: skipped (index is not valid)']);
    expect(corrupt.status).toBe('failed');
    expect(corrupt.evidence).toBe('1 of 3 B-tree indexes failed bt_index_check with heapallindexed, amcheck 1.3 already installed');
    expect(corrupt.details).toEqual([
      'index shop.orders_new_idx: skipped (index is not valid)',
      'index shop.orders_total_idx: item order invariant violated for index "orders_total_idx" (SQLSTATE XX002)',
    ]);
  });

  it('passes when there is nothing to check', () => {
    // Act / Assess
    expect(judgeBtreeIndexes({ available: true, detail: 'amcheck not needed', outcomes: [] }).evidence).toBe('no B-tree indexes to check');
  });
});

describe('judgeHeartbeat', () => {
  const snapshot: HeartbeatExpectation = {
    expectedAt: new Date('2026-03-01T12:05:00.000Z'),
    maxLagSeconds: 120,
    maxLeadSeconds: 60,
    notBefore: '2026-03-01T12:04:30.123456Z',
  };
  const pitr: HeartbeatExpectation = {
    expectedAt: new Date('2026-03-01T12:05:00.000Z'),
    ...DEFAULT_HEARTBEAT_TOLERANCE['point-in-time'],
    notBefore: null,
  };

  it('passes within the lag, giving the position and the context', () => {
    // Act
    const check = judgeHeartbeat('2026-03-01T12:04:30.123456Z', snapshot);

    // Assess
    expect(check).toEqual({
      id: 'heartbeat',
      status: 'passed',
      passed: true,
      evidence: 'newest heartbeat 2026-03-01T12:04:30.123456Z is 29.876544 s before the expected point 2026-03-01T12:05:00.000Z',
      details: [
        'expected point 2026-03-01T12:05:00.000Z (allowed 120 s before, 60 s after)',
        'manifest heartbeat 2026-03-01T12:04:30.123456Z',
      ],
    });
  });

  it('passes exactly at the lag limit and fails one microsecond beyond it', () => {
    // Act
    const atLimit = judgeHeartbeat('2026-03-01T12:03:00.000000Z', pitr);
    const beyond = judgeHeartbeat('2026-03-01T12:02:59.999999Z', pitr);

    // Assess
    expect(atLimit.status).toBe('passed');
    expect(beyond.status).toBe('failed');
    expect(beyond.evidence).toBe(
      'newest heartbeat 2026-03-01T12:02:59.999999Z is 120.000001 s before the expected point 2026-03-01T12:05:00.000Z (allowed 120 s)',
    );
  });

  it('fails a point-in-time restore whose data goes past the target', () => {
    // Act
    const check = judgeHeartbeat('2026-03-01T12:05:00.500000Z', pitr);

    // Assess
    expect(check.evidence).toBe(
      'newest heartbeat 2026-03-01T12:05:00.500000Z is 0.5 s after the expected point 2026-03-01T12:05:00.000Z (allowed 0 s)',
    );
  });

  it('fails when the restored heartbeat is older than the manifest saw, to the microsecond', () => {
    // Act
    const check = judgeHeartbeat('2026-03-01T12:04:30.123455Z', snapshot);

    // Assess
    expect(check.status).toBe('failed');
    expect(check.evidence).toBe(
      "newest heartbeat 2026-03-01T12:04:30.123455Z is older than the manifest's 2026-03-01T12:04:30.123456Z: data the manifest saw is missing",
    );
  });

  it('fails without a heartbeat: the recovered point cannot be proven', () => {
    // Act
    const check = judgeHeartbeat(null, pitr);

    // Assess
    expect(check.status).toBe('failed');
    expect(check.evidence).toBe('no heartbeat row: the recovered point in time cannot be proven');
    expect(check.details).toEqual(['expected point 2026-03-01T12:05:00.000Z (allowed 120 s before, 0 s after)']);
  });
});

describe('judgeAssertion', () => {
  const assertion = (expect: UserAssertion['expect']): UserAssertion => ({
    name: 'probe',
    query: 'select x',
    expect,
    timeoutSeconds: 30,
  });
  const value = (v: string | boolean | null): AssertionObservation => ({ rows: 1, columns: 1, value: v });
  const outcome = (expect: UserAssertion['expect'], v: string | boolean | null) => {
    const check = judgeAssertion(assertion(expect), value(v));
    return `${check.status}: ${check.evidence}`;
  };

  it('compares numbers numerically, whatever their text form', () => {
    // Act / Assess
    expect(outcome({ equals: 0 }, '0')).toBe('passed: returned 0 (expected equals 0)');
    expect(outcome({ equals: 0.1 }, '0.10')).toBe('passed: returned 0.10 (expected equals 0.1)');
    expect(outcome({ equals: 0 }, '3')).toBe('failed: returned 3 (expected equals 0)');
    expect(outcome({ atLeast: 4 }, '4')).toBe('passed: returned 4 (expected at least 4)');
    expect(outcome({ atLeast: 4 }, '3.99')).toBe('failed: returned 3.99 (expected at least 4)');
    expect(outcome({ atMost: 10 }, '10')).toBe('passed: returned 10 (expected at most 10)');
    expect(outcome({ atMost: 10 }, '11')).toBe('failed: returned 11 (expected at most 10)');
    expect(outcome({ between: [1, 5] }, '1')).toBe('passed: returned 1 (expected between 1 and 5)');
    expect(outcome({ between: [1, 5] }, '5')).toBe('passed: returned 5 (expected between 1 and 5)');
    expect(outcome({ between: [1, 5] }, '5.01')).toBe('failed: returned 5.01 (expected between 1 and 5)');
    expect(outcome({ atLeast: 0 }, '-1e3')).toBe('failed: returned -1e3 (expected at least 0)');
  });

  it('compares strings, booleans and NULL exactly', () => {
    // Act / Assess
    expect(outcome({ equals: 'gold' }, 'gold')).toBe('passed: returned "gold" (expected equals "gold")');
    expect(outcome({ equals: 'gold' }, 'Gold')).toBe('failed: returned "Gold" (expected equals "gold")');
    expect(outcome({ equals: true }, true)).toBe('passed: returned true (expected equals true)');
    expect(outcome({ equals: true }, false)).toBe('failed: returned false (expected equals true)');
    expect(outcome({ equals: null }, null)).toBe('passed: returned NULL (expected equals NULL)');
    expect(outcome({ equals: 0 }, null)).toBe('failed: returned NULL is not a number (expected equals 0)');
    expect(outcome({ atMost: 3 }, 'NaN')).toBe('failed: returned "NaN" is not a number (expected at most 3)');
    expect(outcome({ atMost: 3 }, true)).toBe('failed: returned true is not a number (expected at most 3)');
  });

  it('fails on the wrong shape and on a refused query, keeping query and expectation in the details', () => {
    // Act
    const shape = judgeAssertion(assertion({ equals: 0 }), { rows: 2, columns: 1, value: '0' });
    const refused = judgeAssertion(assertion({ equals: 0 }), {
      error: 'cannot execute DELETE in a read-only transaction (SQLSTATE 25006)',
    });

    // Assess
    expect(shape.id).toBe('assertion:probe');
    expect(shape.evidence).toBe('returned 2 rows of 1 column; an assertion must return exactly one value');
    expect(refused.evidence).toBe('query failed: cannot execute DELETE in a read-only transaction (SQLSTATE 25006)');
    expect(refused.details).toEqual(['query: select x', 'expected: equals 0']);
  });

  it('describes every operator', () => {
    // Act / Assess
    expect([
      describeExpectation({ equals: 'a"b' }),
      describeExpectation({ equals: false }),
      describeExpectation({ atLeast: -1 }),
      describeExpectation({ atMost: 2.5 }),
      describeExpectation({ between: [0, 0] }),
    ]).toEqual(['equals "a\\"b"', 'equals false', 'at least -1', 'at most 2.5', 'between 0 and 0']);
  });
});

describe('parseAssertions', () => {
  it('accepts the documented operators and applies the default timeout', () => {
    // Act
    const assertions = parseAssertions([
      { name: 'no-negative-totals', query: 'select count(*) from orders where total < 0', expect: { equals: 0 } },
      { name: 'recent-orders', query: 'select count(*) from orders', expect: { between: [1, 10] }, timeoutSeconds: 5 },
    ]);

    // Assess
    expect(assertions).toEqual([
      { name: 'no-negative-totals', query: 'select count(*) from orders where total < 0', expect: { equals: 0 }, timeoutSeconds: 30 },
      { name: 'recent-orders', query: 'select count(*) from orders', expect: { between: [1, 10] }, timeoutSeconds: 5 },
    ]);
  });

  it('collects every problem, each naming its field', () => {
    // Prepare
    const config: unknown = [
      { name: 'Bad Name', query: '', expect: { equals: 0 } },
      { query: 'select 1', expect: { atLeast: '3' }, timeoutSeconds: 0, retries: 2 },
      { name: 'dup', query: 'select 1', expect: { equals: 1, atMost: 2 } },
      { name: 'dup', query: 'select 1', expect: { between: [5, 1] } },
      { name: 'range', query: 'select 1', expect: { greater: 1 } },
      { name: 'shape', query: 'select 1', expect: [] },
      { name: 'missing', query: 'select 1' },
      { name: 'equals-object', query: 'select 1', expect: { equals: { n: 1 } } },
      'select 1',
    ];

    // Act
    const error = (() => {
      try {
        parseAssertions(config, 'verify.assertions');
        return null;
      } catch (caught) {
        return caught;
      }
    })();

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([
      'verify.assertions[0].name: "Bad Name" is not a name matching ^[a-z][a-z0-9-]{0,62}$',
      'verify.assertions[0].query: "" is not a non-empty SQL query',
      'verify.assertions[1].retries: unknown field (allowed: name, query, expect, timeoutSeconds)',
      'verify.assertions[1].name: required, a name matching ^[a-z][a-z0-9-]{0,62}$',
      'verify.assertions[1].expect.atLeast: "3" is not a finite number',
      'verify.assertions[1].timeoutSeconds: 0 is not an integer from 1 to 300',
      'verify.assertions[2].expect: has equals and atMost, needs exactly one of equals, atLeast, atMost, between',
      'verify.assertions[3].name: "dup" is already used by verify.assertions[2]',
      'verify.assertions[3].expect.between: [5,1] is not [min, max] with finite numbers and min <= max',
      'verify.assertions[4].expect.greater: unknown operator (allowed: equals, atLeast, atMost, between)',
      'verify.assertions[5].expect: [] is not an object with exactly one of equals, atLeast, atMost, between',
      'verify.assertions[6].expect: required, an object with exactly one of equals, atLeast, atMost, between',
      'verify.assertions[7].expect.equals: {"n":1} is not a finite number, a string, a boolean or null',
      'verify.assertions[8]: "select 1" is not an object with name, query and expect',
    ]);
  });

  it('refuses a list that is not an array', () => {
    // Act / Assess
    expect(() => parseAssertions({ name: 'x' })).toThrow('1 problem(s): assertions: {"name":"x"} is not an array of assertions');
  });
});

/** The structural checks as {@link FakeProbe} answers them by default: id, status, evidence. */
const HEALTHY_STRUCTURE: readonly (readonly [string, string, string])[] = [
  ['index-validity', 'passed', '1 index valid and ready'],
  ['sequences', 'passed', 'no sequences owned by a column'],
  ['foreign-keys', 'passed', 'no foreign keys'],
  ['check-constraints', 'passed', 'no CHECK constraints'],
  ['gin-indexes', 'skipped', '1 GIN index not checked: amcheck on PostgreSQL 15 cannot check GIN indexes (gin_index_check arrived in PostgreSQL 18)'],
  ['heap-pages', 'passed', 'no tables to check'],
];

/** A probe answering from fixed observations; any method can be made to throw. */
class FakeProbe implements VerificationProbe {
  calls: string[] = [];
  security: readonly ConnectionSecurity[] = [TLS13, { ...TLS13, pid: 102 }];
  schema: SchemaDescription = SCHEMA;
  reads: readonly TableReadOutcome[] = GOOD_READS;
  btree: BtreeCheckRun = {
    available: true,
    detail: 'amcheck 1.3 created for this run, then dropped',
    outcomes: btreeIndexes(SCHEMA).map((index) => ({ index, status: 'passed', message: '' })),
  };
  heartbeat: string | null = '2026-03-01T12:04:30.123456Z';
  indexes: readonly IndexState[] = [{ index: { schema: 'shop', table: 'orders', name: 'orders_pkey' }, method: 'btree', valid: true, ready: true, partitioned: false }];
  sequences: readonly SequenceObservation[] = [];
  foreignKeys: readonly ConstraintCheckOutcome[] = [];
  checkConstraints: readonly ConstraintCheckOutcome[] = [];
  gin: GinCheckRun = { available: false, unsupported: true, reason: 'amcheck on PostgreSQL 15 cannot check GIN indexes (gin_index_check arrived in PostgreSQL 18)' };
  heap: HeapCheckRun = { available: true, detail: 'amcheck 1.3 created for this run, then dropped', outcomes: [] };
  answers: Record<string, AssertionObservation> = {};
  failures: Partial<Record<string, Error>> = {};

  async #answer<T>(method: string, value: T): Promise<T> {
    this.calls.push(method);
    const failure = this.failures[method];
    if (failure !== undefined) throw failure;
    return value;
  }

  connectionSecurity() {
    return this.#answer('connectionSecurity', this.security);
  }
  describeSchema() {
    return this.#answer('describeSchema', this.schema);
  }
  readTables(tables: readonly TableRef[]) {
    return this.#answer(`readTables ${tables.map((table) => `${table.schema}.${table.name}`).join(',')}`, this.reads).then(
      (reads) => {
        if (this.failures['readTables'] !== undefined) throw this.failures['readTables'];
        return reads;
      },
    );
  }
  checkBtreeIndexes(indexes: readonly IndexRef[]) {
    return this.#answer(`checkBtreeIndexes ${indexes.length}`, this.btree).then((run) => {
      if (this.failures['checkBtreeIndexes'] !== undefined) throw this.failures['checkBtreeIndexes'];
      return run;
    });
  }
  latestHeartbeat() {
    return this.#answer('latestHeartbeat', this.heartbeat);
  }
  indexStates() {
    return this.#answer('indexStates', this.indexes);
  }
  sequenceStates() {
    return this.#answer('sequenceStates', this.sequences);
  }
  checkForeignKeys() {
    return this.#answer('checkForeignKeys', this.foreignKeys);
  }
  checkCheckConstraints() {
    return this.#answer('checkCheckConstraints', this.checkConstraints);
  }
  checkGinIndexes(indexes: readonly IndexRef[]) {
    return this.#answer(`checkGinIndexes ${indexes.map((index) => index.name).join(',')}`, this.gin);
  }
  checkHeapPages(tables: readonly TableRef[]) {
    return this.#answer(`checkHeapPages ${tables.length}`, this.heap);
  }
  checksums = true;
  dataChecksums() {
    return this.#answer('dataChecksums', this.checksums);
  }
  runAssertion(query: string, timeoutMs: number) {
    return this.#answer(`runAssertion ${timeoutMs}`, this.answers[query] ?? { rows: 1, columns: 1, value: '0' });
  }
}

/** A clock that advances 10 ms per reading, from 12:30:00. */
function steppingClock(): () => Date {
  let tick = 0;
  return () => new Date(Date.parse('2026-03-01T12:30:00.000Z') + 10 * tick++);
}

const ASSERTIONS = parseAssertions([
  { name: 'no-negative-totals', query: 'select count(*) from shop.orders where total < 0', expect: { equals: 0 } },
  { name: 'paid-orders', query: 'select count(*) from shop.orders where paid', expect: { atLeast: 4 }, timeoutSeconds: 5 },
]);

function options(overrides: Partial<VerificationOptions> = {}): VerificationOptions {
  return {
    database: 'swifteats',
    source: {
      kind: 'snapshot',
      snapshotId: 'swifteats-daily-202603011205',
      snapshotCreatedAt: new Date('2026-03-01T12:05:00.000Z'),
      manifest: MANIFEST,
    },
    heartbeat: DEFAULT_HEARTBEAT_TOLERANCE.snapshot,
    assertions: ASSERTIONS,
    now: steppingClock(),
    ...overrides,
  };
}

describe('runVerification', () => {
  it('builds a passing report with every check, in order, timed by the injected clock', async () => {
    // Prepare
    const probe = new FakeProbe();
    probe.answers['select count(*) from shop.orders where paid'] = { rows: 1, columns: 1, value: '4' };

    // Act
    const report = await runVerification(probe, options());

    // Assess
    expect(report.checks.map((check) => `${check.id} ${check.status} ${check.durationMs}ms`)).toEqual([
      'tls passed 10ms',
      'schema-fingerprint passed 10ms',
      'row-counts passed 10ms',
      'tables-readable passed 10ms',
      'btree-indexes passed 10ms',
      'heartbeat passed 10ms',
      'index-validity passed 10ms',
      'sequences passed 10ms',
      'foreign-keys passed 10ms',
      'check-constraints passed 10ms',
      'gin-indexes skipped 10ms',
      'heap-pages passed 10ms',
      // A manifest without content tallies or large objects (captured before they were recorded).
      'table-content skipped 10ms',
      'large-objects skipped 10ms',
      'assertion:no-negative-totals passed 10ms',
      'assertion:paid-orders passed 10ms',
    ]);
    expect(report.checks.slice(0, CHECK_IDS.length).map((check) => check.id)).toEqual([...CHECK_IDS]);
    expect(report).toMatchObject({
      formatVersion: 2,
      verdict: 'passed',
      bracket: [],
      // A format-1 manifest: exact counts, no bracket; the unlogged table is a finding, not a loss.
      findings: ['unlogged tables are not backed up by RDS snapshots (a restore empties them, by design): public.sessions'],
      database: 'swifteats',
      source: {
        kind: 'snapshot',
        snapshotId: 'swifteats-daily-202603011205',
        snapshotCreatedAt: '2026-03-01T12:05:00.000Z',
        manifestCapturedAt: '2026-03-01T12:04:50.000Z',
        manifestFingerprint: MANIFEST.schemaFingerprint,
      },
      startedAt: '2026-03-01T12:30:00.000Z',
      // Reading 33 after the start: two per check, 16 checks with the six structural and two content ones.
      finishedAt: '2026-03-01T12:30:00.330Z',
      passed: true,
      recoveredPointInTime: '2026-03-01T12:04:30.123456Z',
      // 12:30:00.330 - 12:04:30.123456 = 1530.206544 s: whole seconds, rounded up.
      dataAgeSeconds: 1531,
    });
    expect(probe.calls).toEqual([
      'connectionSecurity',
      'describeSchema',
      'readTables audit.events_2026,dr.heartbeat,public.sessions,shop.customers,shop.orders',
      'checkBtreeIndexes 3',
      'indexStates',
      'sequenceStates',
      'checkForeignKeys',
      'checkCheckConstraints',
      'checkGinIndexes orders_items_idx',
      'checkHeapPages 5',
      'latestHeartbeat',
      'dataChecksums',
      'runAssertion 30000',
      'runAssertion 5000',
    ]);
    expect(report.dataChecksums).toBe(true);
    expect(report.findings.filter((f) => f.startsWith('data checksums'))).toEqual([]);
  });

  it('says when page checksums are off: a zeroed page reads as empty, only the bracket catches it (issue 13 item 5)', async () => {
    const probe = new FakeProbe();
    probe.checksums = false;
    const report = await runVerification(probe, options());
    expect(report.dataChecksums).toBe(false);
    expect(report.findings).toContain(
      'data checksums are off: a zeroed or torn heap page reads as an empty page, so tables-readable cannot see it; the row-count bracket is what catches the rows it held',
    );
    probe.failures['dataChecksums'] = new SqlQueryError('permission denied (SQLSTATE 42501)', '42501');
    expect((await runVerification(probe, options())).dataChecksums).toBeNull();
  });

  it('keeps going after failing checks and fails the report', async () => {
    // Prepare: plain connection, one unreadable table, amcheck refused, an assertion query refused.
    const probe = new FakeProbe();
    probe.security = [{ pid: 7, ssl: false, version: null, cipher: null, bits: null }];
    probe.reads = GOOD_READS.map((outcome) =>
      outcome.table.name === 'customers' ? { table: outcome.table, ok: false, error: 'could not read block 3 (SQLSTATE XX001)' } : outcome,
    );
    probe.btree = { available: false, reason: 'CREATE EXTENSION amcheck: permission denied (SQLSTATE 42501)' };
    probe.failures['runAssertion 30000'] = new SqlQueryError('canceling statement due to statement timeout (SQLSTATE 57014)', '57014');

    // Act
    const report = await runVerification(probe, { ...options(), assertions: [ASSERTIONS[0]!] });

    // Assess
    expect(report.checks.map((check) => [check.id, check.status, check.evidence])).toEqual([
      ['tls', 'failed', '1 of 1 connection not encrypted with TLS 1.2 or later'],
      ['schema-fingerprint', 'passed', `fingerprint ${MANIFEST.schemaFingerprint} equals the manifest's (6 tables)`],
      ['row-counts', 'failed', '1 of 3 tables differ from the manifest captured at 2026-03-01T12:04:50.000Z'],
      ['tables-readable', 'failed', '1 of 5 tables could not be read in full'],
      ['btree-indexes', 'inconclusive', 'amcheck unavailable, no index was checked: CREATE EXTENSION amcheck: permission denied (SQLSTATE 42501)'],
      ['heartbeat', 'passed', 'newest heartbeat 2026-03-01T12:04:30.123456Z is 29.876544 s before the expected point 2026-03-01T12:05:00.000Z'],
      ...HEALTHY_STRUCTURE,
      ['table-content', 'skipped', 'not applicable: the manifest was captured before content tallies were recorded'],
      ['large-objects', 'skipped', 'not applicable: the manifest was captured before large objects were recorded'],
      ['assertion:no-negative-totals', 'failed', 'query failed: canceling statement due to statement timeout (SQLSTATE 57014)'],
    ]);
    expect(report.passed).toBe(false);
    expect(report.verdict).toBe('failed');
  });

  it('reports a schema it could not describe, and the checks that depend on it as not run', async () => {
    // Prepare
    const probe = new FakeProbe();
    probe.failures['describeSchema'] = new SqlQueryError('describing the schema: permission denied for table pg_class (SQLSTATE 42501)', '42501');

    // Act
    const report = await runVerification(probe, options({ assertions: [] }));

    // Assess
    expect(report.checks.map((check) => [check.id, check.status, check.evidence])).toEqual([
      ['tls', 'passed', '2 of 2 connections encrypted (TLSv1.3)'],
      ['schema-fingerprint', 'failed', 'could not describe the schema: describing the schema: permission denied for table pg_class (SQLSTATE 42501)'],
      ['row-counts', 'failed', 'not run: the schema could not be described'],
      ['tables-readable', 'failed', 'not run: the schema could not be described'],
      ['btree-indexes', 'failed', 'not run: the schema could not be described'],
      ['heartbeat', 'passed', 'newest heartbeat 2026-03-01T12:04:30.123456Z is 29.876544 s before the expected point 2026-03-01T12:05:00.000Z'],
      ...HEALTHY_STRUCTURE.slice(0, 4),
      ['gin-indexes', 'failed', 'not run: the schema could not be described'],
      ['heap-pages', 'failed', 'not run: the schema could not be described'],
      ['table-content', 'skipped', 'not applicable: the manifest was captured before content tallies were recorded'],
      ['large-objects', 'skipped', 'not applicable: the manifest was captured before large objects were recorded'],
    ]);
    expect(probe.calls).toEqual([
      'connectionSecurity',
      'describeSchema',
      'indexStates',
      'sequenceStates',
      'checkForeignKeys',
      'checkCheckConstraints',
      'latestHeartbeat',
      'dataChecksums',
    ]);
  });

  it('fails only the structural check whose observation was refused, and judges the others', async () => {
    // Prepare: the foreign-key statement refused; one index left invalid.
    const probe = new FakeProbe();
    probe.failures['checkForeignKeys'] = new SqlQueryError('checking foreign keys: out of shared memory (SQLSTATE 53200)', '53200');
    probe.indexes = [{ index: { schema: 'shop', table: 'orders', name: 'orders_code_key' }, method: 'btree', valid: false, ready: true, partitioned: false }];

    // Act
    const report = await runVerification(probe, options({ assertions: [] }));

    // Assess
    expect(report.checks.slice(6).map((check) => [check.id, check.status, check.evidence])).toEqual([
      ['index-validity', 'failed', '1 of 1 index not valid or not ready: shop.orders_code_key'],
      HEALTHY_STRUCTURE[1],
      ['foreign-keys', 'failed', 'could not check the foreign keys: checking foreign keys: out of shared memory (SQLSTATE 53200)'],
      ...HEALTHY_STRUCTURE.slice(3),
      ['table-content', 'skipped', 'not applicable: the manifest was captured before content tallies were recorded'],
      ['large-objects', 'skipped', 'not applicable: the manifest was captured before large objects were recorded'],
    ]);
    expect(report.verdict).toBe('failed');
    probe.failures['checkForeignKeys'] = new SqlConnectionError('checking foreign keys: Connection terminated unexpectedly');
    await expect(runVerification(probe, options({ assertions: [] }))).rejects.toBeInstanceOf(SqlConnectionError);
  });

  it('rethrows a lost connection instead of turning it into a verdict', async () => {
    // Prepare
    const probe = new FakeProbe();
    probe.failures['latestHeartbeat'] = new SqlConnectionError('reading the heartbeat: Connection terminated unexpectedly');

    // Act
    const outcome = runVerification(probe, options());

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(SqlConnectionError);
    await expect(outcome).rejects.toThrow('reading the heartbeat: Connection terminated unexpectedly');
  });

  it('rethrows a bug rather than reporting it as a failed check', async () => {
    // Prepare
    const probe = new FakeProbe();
    probe.failures['connectionSecurity'] = new TypeError('x is not a function');

    // Act / Assess
    await expect(runVerification(probe, options())).rejects.toThrow(TypeError);
  });

  it('runs a point-in-time restore without manifest checks, proving the recovered point by the heartbeat', async () => {
    // Prepare
    const probe = new FakeProbe();

    // Act
    const report = await runVerification(probe, {
      ...options({ assertions: [] }),
      source: { kind: 'point-in-time', targetTime: new Date('2026-03-01T12:04:31.000Z') },
      heartbeat: DEFAULT_HEARTBEAT_TOLERANCE['point-in-time'],
    });

    // Assess
    expect(report.checks.map((check) => [check.id, check.status])).toEqual([
      ['tls', 'passed'],
      ['schema-fingerprint', 'skipped'],
      ['row-counts', 'skipped'],
      ['tables-readable', 'passed'],
      ['btree-indexes', 'passed'],
      ['heartbeat', 'passed'],
      ...HEALTHY_STRUCTURE.map(([id, status]) => [id, status]),
      ['table-content', 'skipped'],
      ['large-objects', 'skipped'],
    ]);
    expect(report.checks[1]?.evidence).toBe('not applicable: a point-in-time restore has no manifest to compare with');
    expect(report.checks.find((check) => check.id === 'table-content')?.evidence).toBe('not applicable: a point-in-time restore has no manifest to compare with');
    expect(report.passed).toBe(true);
    expect(report.source).toEqual({ kind: 'point-in-time', targetTime: '2026-03-01T12:04:31.000Z' });
    expect(report.recoveredPointInTime).toBe('2026-03-01T12:04:30.123456Z');
  });

  it('has no data age without a heartbeat', async () => {
    // Prepare
    const probe = new FakeProbe();
    probe.heartbeat = null;

    // Act
    const report = await runVerification(probe, options({ assertions: [] }));

    // Assess
    expect(report.recoveredPointInTime).toBeNull();
    expect(report.dataAgeSeconds).toBeNull();
    expect(report.passed).toBe(false);
  });

  it('reports the data age in whole seconds, rounded up, and 0 for a heartbeat ahead of the clock (skew)', async () => {
    // Prepare: heartbeats with microseconds, a clock on milliseconds.
    const probe = new FakeProbe();
    const ages: (number | null)[] = [];
    // Act
    for (const heartbeat of ['2026-03-01T12:29:59.999999Z', '2026-03-01T12:30:00.000001Z', '2026-03-01T12:31:00.000000Z']) {
      probe.heartbeat = heartbeat;
      ages.push((await runVerification(probe, options({ assertions: [], now: () => new Date('2026-03-01T12:30:00.000Z') }))).dataAgeSeconds);
    }
    // Assess: 0.000001 s -> 1; -0.000001 s -> 0; -60 s -> 0.
    expect(ages).toEqual([1, 0, 0]);
  });

  it('refuses invalid options before querying anything', async () => {
    // Prepare
    const probe = new FakeProbe();
    const bad = options({
      heartbeat: { maxLagSeconds: 0, maxLeadSeconds: -1 },
      assertions: [ASSERTIONS[0]!, ASSERTIONS[0]!],
      source: { kind: 'point-in-time', targetTime: new Date('not a date') },
    });

    // Act
    const outcome = runVerification(probe, bad);

    // Assess
    await expect(outcome).rejects.toThrow(
      '4 problem(s): heartbeat.maxLagSeconds: 0 is not a positive number; heartbeat.maxLeadSeconds: -1 is not a number of 0 or more; source.targetTime: invalid date; assertions[1].name: "no-negative-totals" is used twice',
    );
    expect(probe.calls).toEqual([]);
  });
});

describe('the bracket in the rules (issue 11)', () => {
  it('passes a restored schema equal to reading B when DDL ran between the readings, and reports it', () => {
    // Prepare: customers dropped between A and B; the snapshot has B's schema.
    const actual = { tables: SCHEMA.tables.filter((t) => t.name !== 'customers') };
    const afterFingerprint = fingerprint(actual);
    // Act
    const check = judgeSchema(MANIFEST, actual, afterFingerprint);
    // Assess
    expect(check.status).toBe('passed');
    expect(check.evidence).toBe(`fingerprint ${afterFingerprint} equals reading B's: DDL ran between the manifest (${MANIFEST.schemaFingerprint}) and the snapshot (5 tables)`);
    expect(check.details).toEqual(['table shop.customers missing']);
    // Neither A's nor B's: failed.
    expect(judgeSchema(MANIFEST, { tables: [] }, afterFingerprint).status).toBe('failed');
  });

  it("fails a restored heartbeat newer than reading B's", () => {
    const expectation: HeartbeatExpectation = { expectedAt: new Date('2026-03-01T12:05:00.000Z'), maxLagSeconds: 120, maxLeadSeconds: 60, notBefore: '2026-03-01T12:04:30.000000Z', notAfter: '2026-03-01T12:05:10.000000Z' };
    expect(judgeHeartbeat('2026-03-01T12:05:05.000000Z', expectation).status).toBe('passed');
    const late = judgeHeartbeat('2026-03-01T12:05:10.000001Z', expectation);
    expect(late.status).toBe('failed');
    expect(late.evidence).toBe("newest heartbeat 2026-03-01T12:05:10.000001Z is newer than reading B's 2026-03-01T12:05:10.000000Z, taken after the snapshot: it cannot come from the snapshot");
  });
});

describe("RDS's SnapshotDatabaseTime (issue 11 item 3)", () => {
  it('anchors the heartbeat expectation when present, instead of SnapshotCreateTime', async () => {
    const base = options({ assertions: [] });
    if (base.source.kind !== 'snapshot') throw new Error('expected a snapshot source');
    const report = await runVerification(new FakeProbe(), { ...base, source: { ...base.source, snapshotDatabaseTime: new Date('2026-03-01T12:04:40.000Z') } });
    expect(report.checks.find((c) => c.id === 'heartbeat')?.evidence).toBe(
      'newest heartbeat 2026-03-01T12:04:30.123456Z is 9.876544 s before the expected point 2026-03-01T12:04:40.000Z',
    );
  });
});
