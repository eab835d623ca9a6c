import { describe, expect, it } from 'vitest';
import type { SchemaDescription } from '../../functions/domain/verification/manifest.ts';
import {
  ginIndexes,
  judgeConstraints,
  judgeGinIndexes,
  judgeHeapPages,
  judgeIndexValidity,
  judgeSequences,
} from '../../functions/domain/verification/structure.ts';
import type { ConstraintCheckOutcome, IndexState, SequenceObservation } from '../../functions/ports/structure-probe.ts';

const ORDERS = { schema: 'shop', name: 'orders' };

function index(name: string, overrides: Partial<IndexState> = {}): IndexState {
  return { index: { schema: 'shop', table: 'orders', name }, method: 'btree', valid: true, ready: true, partitioned: false, ...overrides };
}

/** An owned ascending sequence on shop.orders.id, overridable. */
function owned(overrides: Partial<Extract<SequenceObservation, { kind: 'owned' }>> = {}): SequenceObservation {
  return {
    kind: 'owned',
    sequence: { schema: 'shop', name: 'orders_id_seq' },
    table: ORDERS,
    column: 'id',
    columnType: 'bigint',
    increment: '1',
    minValue: '1',
    maxValue: '9223372036854775807',
    cycle: false,
    lastValue: '100',
    isCalled: true,
    columnExtreme: '100',
    ...overrides,
  };
}

function fk(name: string, overrides: Partial<ConstraintCheckOutcome> = {}): ConstraintCheckOutcome {
  return {
    constraint: { schema: 'shop', table: 'orders', name },
    definition: 'FOREIGN KEY (customer_id) REFERENCES shop.customers(id)',
    status: 'checked',
    violations: 0,
    sample: null,
    ...overrides,
  } as ConstraintCheckOutcome;
}

describe('judgeIndexValidity', () => {
  it('passes when every index is valid and ready, and with no index at all', () => {
    expect(judgeIndexValidity([index('a'), index('b')])).toEqual({ status: 'passed', evidence: '2 indexes valid and ready', details: [] });
    expect(judgeIndexValidity([])).toEqual({ status: 'passed', evidence: 'no indexes', details: [] });
  });

  it('names each invalid or unready index, with why a partitioned one is', () => {
    // Act
    const verdict = judgeIndexValidity([
      index('orders_pkey'),
      index('orders_code_key', { valid: false }),
      index('events_at_idx', { valid: false, partitioned: true, method: 'btree' }),
      index('orders_tags_idx', { ready: false, valid: false, method: 'gin' }),
    ]);

    // Assess
    expect(verdict).toEqual({
      status: 'failed',
      evidence: '3 of 4 indexes not valid or not ready: shop.events_at_idx, shop.orders_code_key, shop.orders_tags_idx',
      details: [
        'index shop.events_at_idx (btree) on shop.orders: not valid (a partition lacks its attached index)',
        'index shop.orders_code_key (btree) on shop.orders: not valid (left by a failed CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY; drop it or REINDEX it)',
        'index shop.orders_tags_idx (gin) on shop.orders: not valid, not ready (left by a failed CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY; drop it or REINDEX it)',
      ],
    });
  });
});

describe('judgeSequences', () => {
  it('passes a sequence whose next value is past the column maximum, at the boundary', () => {
    // last 100 called: next 101 > 100. Not called at 101: next is 101 itself.
    expect(judgeSequences([owned()]).status).toBe('passed');
    expect(judgeSequences([owned({ lastValue: '101', isCalled: false })]).status).toBe('passed');
    expect(judgeSequences([owned({ lastValue: '100', isCalled: false })]).status).toBe('failed');
  });

  it('fails an ascending sequence at or behind its column, naming both numbers', () => {
    expect(judgeSequences([owned({ lastValue: '99' })])).toEqual({
      status: 'failed',
      evidence: '1 of 1 sequence owned by a column behind their column',
      details: [
        'sequence shop.orders_id_seq: last_value 99 (is_called true), next value 100 <= shop.orders.id maximum 100: the next insert reuses a value the column holds or has passed',
      ],
    });
  });

  it('compares beyond 2^53 exactly', () => {
    const big = owned({ lastValue: '9007199254740993', columnExtreme: '9007199254740994' });
    expect(judgeSequences([big]).status).toBe('failed');
    expect(judgeSequences([owned({ lastValue: '9007199254740993', columnExtreme: '9007199254740993' })]).status).toBe('passed');
  });

  it('judges a descending sequence against the column minimum, a larger increment by its step', () => {
    const down = { increment: '-1', minValue: '-1000', maxValue: '-1' };
    expect(judgeSequences([owned({ ...down, lastValue: '-10', columnExtreme: '-10' })]).status).toBe('passed');
    expect(judgeSequences([owned({ ...down, lastValue: '-9', columnExtreme: '-10' })]).details).toEqual([
      'sequence shop.orders_id_seq: last_value -9 (is_called true), next value -10 >= shop.orders.id minimum -10: the next insert reuses a value the column holds or has passed',
    ]);
    expect(judgeSequences([owned({ increment: '10', lastValue: '90', columnExtreme: '100' })]).status).toBe('failed');
    expect(judgeSequences([owned({ increment: '10', lastValue: '91', columnExtreme: '100' })]).status).toBe('passed');
  });

  it('does not judge CYCLE sequences behind, non-integer owners or sequences no column owns, and says so', () => {
    // Act
    const verdict = judgeSequences([
      owned({ cycle: true, lastValue: '3', columnExtreme: '9' }),
      owned({ sequence: { schema: 'shop', name: 'codes_seq' }, columnType: 'text', columnExtreme: null }),
      owned({ sequence: { schema: 'shop', name: 'empty_seq' }, columnExtreme: null, lastValue: '1', isCalled: false }),
      { kind: 'unowned', sequence: { schema: 'shop', name: 'loose' } },
      { kind: 'unowned', sequence: { schema: 'audit', name: 'batch' } },
    ]);

    // Assess
    expect(verdict).toEqual({
      status: 'passed',
      evidence: '3 sequences owned by a column, each ahead of its column; 2 not owned, not judged',
      details: [
        'sequence shop.codes_seq (owned by shop.orders.id): not judged, the column is text',
        'sequence shop.orders_id_seq: not judged, a CYCLE sequence may legitimately be behind its column after a wrap-around (last_value 3 (is_called true), next value 4, shop.orders.id maximum 9)',
        '2 sequences not owned by a column, not judged (nothing says which values they must stay ahead of): audit.batch, shop.loose',
      ],
    });
  });

  it('is inconclusive for a sequence it may not read, failed for one that errors otherwise', () => {
    const unreadable = (sqlState: string | null): SequenceObservation => ({
      kind: 'unreadable',
      sequence: { schema: 'shop', name: 'orders_id_seq' },
      table: ORDERS,
      column: 'id',
      error: `boom (SQLSTATE ${sqlState})`,
      sqlState,
    });
    expect(judgeSequences([unreadable('42501')])).toEqual({
      status: 'inconclusive',
      evidence: '1 of 1 sequence owned by a column could not be read',
      details: ['sequence shop.orders_id_seq (owned by shop.orders.id): not judged, boom (SQLSTATE 42501)'],
    });
    expect(judgeSequences([unreadable('XX001'), unreadable('42501')]).status).toBe('failed');
  });
});

describe('judgeConstraints', () => {
  it('passes when every constraint holds, with NOT VALID ones listed', () => {
    // Act
    const verdict = judgeConstraints('foreign-keys', [fk('a'), fk('b', { status: 'not-valid' })]);

    // Assess
    expect(verdict).toEqual({
      status: 'passed',
      evidence: '1 foreign key holds (one anti-join each); 1 not re-checked (NOT VALID or not IMMUTABLE)',
      details: ['foreign key b on shop.orders: NOT VALID, not re-checked (the source never validated its older rows)'],
    });
    expect(judgeConstraints('check-constraints', [])).toEqual({ status: 'passed', evidence: 'no CHECK constraints', details: [] });
  });

  it('does not re-check a CHECK calling a function that is not IMMUTABLE, naming it', () => {
    const outcome: ConstraintCheckOutcome = {
      constraint: { schema: 'shop', table: 'orders', name: 'orders_placed_check' },
      definition: 'CHECK ((placed_at <= now()))',
      status: 'not-immutable',
      functions: ['now()'],
    };
    expect(judgeConstraints('check-constraints', [outcome])).toEqual({
      status: 'passed',
      evidence: '0 CHECK constraints hold (each re-evaluated on every row); 1 not re-checked (NOT VALID or not IMMUTABLE)',
      details: [
        'CHECK constraint orders_placed_check on shop.orders: calls now(), not IMMUTABLE, not re-checked (its value today may differ from when the rows were written)',
      ],
    });
  });

  it('fails with the count and a sample of each violated constraint', () => {
    const verdict = judgeConstraints('foreign-keys', [fk('z_fkey', { violations: 3, sample: '(customer_id)=(7)' }), fk('a_fkey'), fk('b_fkey', { violations: 1, sample: '(customer_id)=(9)' })]);
    expect(verdict).toEqual({
      status: 'failed',
      evidence: '2 of 3 foreign keys do not hold (4 orphan rows)',
      details: [
        'foreign key b_fkey on shop.orders: 1 orphan row, e.g. (customer_id)=(9) (FOREIGN KEY (customer_id) REFERENCES shop.customers(id))',
        'foreign key z_fkey on shop.orders: 3 orphan rows, e.g. (customer_id)=(7) (FOREIGN KEY (customer_id) REFERENCES shop.customers(id))',
      ],
    });
  });

  it('is inconclusive when refused for privilege or timeout, failed for any other refusal', () => {
    const refused = (sqlState: string): ConstraintCheckOutcome =>
      fk('c', { status: 'refused', error: `no (SQLSTATE ${sqlState})`, sqlState } as Partial<ConstraintCheckOutcome>);
    expect(judgeConstraints('check-constraints', [refused('57014')])).toEqual({
      status: 'inconclusive',
      evidence: '1 of 1 CHECK constraint could not be checked',
      details: ['CHECK constraint c on shop.orders: not judged, no (SQLSTATE 57014)'],
    });
    expect(judgeConstraints('check-constraints', [refused('22012')])).toEqual({
      status: 'failed',
      evidence: '1 of 1 CHECK constraint failed with an error',
      details: ['CHECK constraint c on shop.orders: could not be checked: no (SQLSTATE 22012)'],
    });
  });
});

describe('judgeGinIndexes', () => {
  const gin = [{ schema: 'audit', table: 'log', name: 'log_payload_idx' }];

  it('is skipped when there is no GIN index, or the engine cannot check one (naming it); inconclusive when amcheck is refused', () => {
    expect(judgeGinIndexes([], { available: true, detail: 'amcheck not needed', outcomes: [] })).toEqual({ status: 'skipped', evidence: 'no GIN indexes', details: [] });
    expect(judgeGinIndexes(gin, { available: false, unsupported: true, reason: 'amcheck on PostgreSQL 15 cannot check GIN indexes' })).toEqual({
      status: 'skipped',
      evidence: '1 GIN index not checked: amcheck on PostgreSQL 15 cannot check GIN indexes',
      details: ['index audit.log_payload_idx: not checked'],
    });
    expect(judgeGinIndexes(gin, { available: false, reason: 'CREATE EXTENSION amcheck: permission denied' }).status).toBe('inconclusive');
  });

  it('passes or fails on amcheck outcomes', () => {
    const run = (status: 'passed' | 'failed' | 'skipped', message = '') => ({
      available: true as const,
      detail: 'gin_index_check, amcheck 1.5 already installed',
      outcomes: [{ index: gin[0]!, status, message }],
    });
    expect(judgeGinIndexes(gin, run('passed'))).toEqual({ status: 'passed', evidence: '1 of 1 GIN index passed gin_index_check, amcheck 1.5 already installed', details: [] });
    expect(judgeGinIndexes(gin, run('failed', 'index "log_payload_idx" has wrong tuple order (SQLSTATE XX002)'))).toEqual({
      status: 'failed',
      evidence: '1 of 1 GIN index failed gin_index_check, amcheck 1.5 already installed',
      details: ['index audit.log_payload_idx: index "log_payload_idx" has wrong tuple order (SQLSTATE XX002)'],
    });
  });

  it('is skipped, never passed, when no index could be checked; passed names the ones not checked', () => {
    const two = [...gin, { schema: 'audit', table: 'log', name: 'log_body_fts' }];
    const detail = 'full-index scan compared with a sequential scan (amcheck on PostgreSQL 15 has no gin_index_check)';
    const notChecked = { index: two[1]!, status: 'skipped' as const, message: 'not checked: no full-index query for operator class tsvector_ops' };
    expect(judgeGinIndexes(two, { available: true, detail, outcomes: [{ index: gin[0]!, status: 'passed', message: '' }, notChecked] })).toEqual({
      status: 'passed',
      evidence: `1 of 2 GIN indexes passed ${detail}, 1 not checked`,
      details: ['index audit.log_body_fts: skipped (not checked: no full-index query for operator class tsvector_ops)'],
    });
    expect(judgeGinIndexes([two[1]!], { available: true, detail, outcomes: [notChecked] }).status).toBe('skipped');
  });

  it('is inconclusive for an index its check was refused on (privilege, timeout)', () => {
    expect(
      judgeGinIndexes(gin, {
        available: true,
        detail: 'gin_index_check, amcheck 1.5 already installed',
        outcomes: [{ index: gin[0]!, status: 'inconclusive', message: 'permission denied for table log (SQLSTATE 42501)' }],
      }),
    ).toEqual({
      status: 'inconclusive',
      evidence: '1 of 1 GIN index could not be checked by gin_index_check, amcheck 1.5 already installed',
      details: ['index audit.log_payload_idx: not judged, permission denied for table log (SQLSTATE 42501)'],
    });
  });

  it('lists the GIN indexes of a schema, leaving out a partitioned parent', () => {
    const schema: SchemaDescription = {
      tables: [
        { schema: 'audit', name: 'log', kind: 'table', columns: [], constraints: [], indexes: [{ name: 'log_payload_idx', definition: '', method: 'gin', unique: false }, { name: 'log_pkey', definition: '', method: 'btree', unique: true }] },
        { schema: 'audit', name: 'events', kind: 'partitioned table', columns: [], constraints: [], indexes: [{ name: 'events_tags_idx', definition: '', method: 'gin', unique: false }] },
      ],
    };
    expect(ginIndexes(schema)).toEqual([{ schema: 'audit', table: 'log', name: 'log_payload_idx' }]);
  });
});

describe('judgeHeapPages', () => {
  it('fails a table with corruption reports, showing the ones kept', () => {
    // Act
    const verdict = judgeHeapPages({
      available: true,
      detail: 'amcheck 1.3 created for this run, then dropped',
      outcomes: [
        { table: ORDERS, status: 'checked', problems: 7, messages: ['block 0, offset 3: xmin 123 precedes relation freeze threshold 0:456'] },
        { table: { schema: 'shop', name: 'customers' }, status: 'checked', problems: 0, messages: [] },
      ],
    });

    // Assess
    expect(verdict).toEqual({
      status: 'failed',
      evidence: '1 of 2 tables failed verify_heapam with TOAST, amcheck 1.3 created for this run, then dropped (7 corruption reports)',
      details: ['table shop.orders: 7 corruption reports (first 1 shown)', '  block 0, offset 3: xmin 123 precedes relation freeze threshold 0:456'],
    });
  });

  it('passes clean tables; inconclusive without amcheck or without privilege; skipped on an amcheck without verify_heapam', () => {
    expect(judgeHeapPages({ available: true, detail: 'amcheck 1.3 already installed', outcomes: [{ table: ORDERS, status: 'checked', problems: 0, messages: [] }] })).toEqual({
      status: 'passed',
      evidence: '1 of 1 table passed verify_heapam with TOAST, amcheck 1.3 already installed',
      details: [],
    });
    expect(judgeHeapPages({ available: false, reason: 'CREATE SCHEMA dr_amcheck: permission denied' })).toEqual({
      status: 'inconclusive',
      evidence: 'amcheck unavailable, no table was checked: CREATE SCHEMA dr_amcheck: permission denied',
      details: [],
    });
    expect(judgeHeapPages({ available: false, unsupported: true, reason: 'amcheck 1.2 already installed has no verify_heapam (amcheck 1.3, PostgreSQL 14+)' })).toEqual({
      status: 'skipped',
      evidence: 'no table was checked: amcheck 1.2 already installed has no verify_heapam (amcheck 1.3, PostgreSQL 14+)',
      details: [],
    });
    expect(
      judgeHeapPages({ available: true, detail: 'd', outcomes: [{ table: ORDERS, status: 'refused', error: 'permission denied (SQLSTATE 42501)', sqlState: '42501' }] }).status,
    ).toBe('inconclusive');
  });
});
