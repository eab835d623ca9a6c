import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { judgeBracket, UNLOGGED_REASON, type BracketInput } from '../../functions/domain/verification/bracket.ts';
import type { CounterReading, TableCounters } from '../../functions/domain/verification/bracket-model.ts';

const SERVER: CounterReading['server'] = { clock: '2026-03-01T12:04:50.000000Z', startedAt: '2026-02-01T00:00:00.000000Z', statsResetAt: null };
const counters = (tables: Record<string, Partial<TableCounters> & { inserted: number; deleted: number }>, server = SERVER): CounterReading => ({
  server,
  tables: Object.fromEntries(Object.entries(tables).map(([name, t]) => [name, { storage: '16400', unlogged: false, ...t }])),
});
const SETTLED = { settled: true, waitedSeconds: 11, openTransactions: [] };

function input(overrides: Partial<BracketInput> = {}): BracketInput {
  return {
    countsBefore: { 'shop.orders': 1000, 'shop.customers': 50 },
    before: counters({ 'shop.orders': { inserted: 5000, deleted: 1200 }, 'shop.customers': { inserted: 50, deleted: 0 } }),
    after: counters({ 'shop.orders': { inserted: 5012, deleted: 1207 }, 'shop.customers': { inserted: 50, deleted: 0 } }),
    settle: SETTLED,
    restored: { 'shop.orders': 998, 'shop.customers': 50 },
    unloggedTables: [],
    maxWidthShare: 0.05,
    ...overrides,
  };
}

describe('judgeBracket', () => {
  it('passes counts inside count_A - deletes .. count_A + inserts and states each width', () => {
    const judged = judgeBracket(input());
    expect(judged.status).toBe('passed');
    expect(judged.tables).toEqual([
      { table: 'shop.customers', status: 'passed', count: 50, countBefore: 50, low: 50, high: 50, width: 0, wide: false },
      { table: 'shop.orders', status: 'passed', count: 998, countBefore: 1000, low: 993, high: 1012, width: 19, wide: false },
    ]);
  });

  it('is exact on a quiet database: zero width, one lost row fails with the bound and the count', () => {
    const judged = judgeBracket(input({ after: input().before, restored: { 'shop.orders': 999, 'shop.customers': 50 } }));
    expect(judged.status).toBe('failed');
    expect(judged.tables[1]).toEqual({
      table: 'shop.orders', status: 'failed', count: 999, countBefore: 1000, low: 1000, high: 1000, width: 0, wide: false,
      reason: '1 rows lost: 999 is below the bound 1000',
    });
  });

  it('fails rows invented above the insert bound', () => {
    const judged = judgeBracket(input({ restored: { 'shop.orders': 1013, 'shop.customers': 50 } }));
    expect(judged.tables[1]?.reason).toBe('1 rows invented: 1013 is above the bound 1012');
  });

  it('flags a bracket wider than the configured share of the table', () => {
    const judged = judgeBracket(input({ maxWidthShare: 0.01 }));
    expect(judged.tables.map((t) => [t.table, t.wide])).toEqual([['shop.customers', false], ['shop.orders', true]]);
    expect(judged.status).toBe('passed');
  });

  it.each([
    ['a TRUNCATE or rewrite (storage changed)', { after: counters({ 'shop.orders': { inserted: 5012, deleted: 1207, storage: '16999' }, 'shop.customers': { inserted: 50, deleted: 0 } }) }, 'storage changed between the readings (relfilenode 16400 -> 16999): a TRUNCATE or a table rewrite, which the counters do not describe'],
    ['counters that went backwards (a single-table reset)', { after: counters({ 'shop.orders': { inserted: 3, deleted: 0 }, 'shop.customers': { inserted: 50, deleted: 0 } }) }, 'counters went backwards (inserted 5000 -> 3, deleted 1200 -> 0): the table\'s statistics were reset'],
  ])('is inconclusive, never passed or failed, on %s', (_name, overrides, reason) => {
    const judged = judgeBracket(input({ ...overrides, restored: { 'shop.orders': 0, 'shop.customers': 50 } }));
    expect(judged.status).toBe('inconclusive');
    expect(judged.tables[1]).toMatchObject({ table: 'shop.orders', status: 'inconclusive', low: null, high: null, reason });
  });

  it.each([
    ['a statistics reset', { after: counters({ 'shop.orders': { inserted: 5012, deleted: 1207 }, 'shop.customers': { inserted: 50, deleted: 0 } }, { ...SERVER, statsResetAt: '2026-03-01T12:05:30.000000Z' }) }, 'statistics were reset between the readings (stats_reset never -> 2026-03-01T12:05:30.000000Z)'],
    ['a restart or failover', { after: counters({ 'shop.orders': { inserted: 5012, deleted: 1207 }, 'shop.customers': { inserted: 50, deleted: 0 } }, { ...SERVER, startedAt: '2026-03-01T12:06:00.000000Z' }) }, 'the server restarted or failed over between the readings (started 2026-02-01T00:00:00.000000Z -> 2026-03-01T12:06:00.000000Z): counters were lost'],
    ['a transaction held open across the snapshot point', { settle: { settled: false, waitedSeconds: 300, openTransactions: [{ pid: 4242, since: '2026-03-01T12:00:00.000000Z', state: 'idle in transaction', applicationName: 'batch' }] } }, 'statistics possibly unflushed: a transaction begun before the snapshot point still open after 300 s: pid 4242 (batch, idle in transaction since 2026-03-01T12:00:00.000000Z)'],
    ['no reading B', { after: null, settle: null }, 'reading B was not taken after the snapshot: nothing bounds the writes in between'],
  ])('makes every table inconclusive on %s', (_name, overrides, reason) => {
    const judged = judgeBracket(input({ ...overrides, restored: { 'shop.orders': 1, 'shop.customers': 1 } }));
    expect(judged.status).toBe('inconclusive');
    expect(judged.globalReasons).toEqual([reason]);
    expect(judged.tables.map((t) => [t.status, t.reason])).toEqual([['inconclusive', reason], ['inconclusive', reason]]);
  });

  it('reports an unlogged table as not backed up, without making the run inconclusive', () => {
    const judged = judgeBracket(input({ unloggedTables: ['public.sessions'] }));
    expect(judged.status).toBe('passed');
    expect(judged.tables[0]).toEqual({ table: 'public.sessions', status: 'inconclusive', count: null, countBefore: null, low: null, high: null, width: null, wide: false, reason: UNLOGGED_REASON });
  });

  it('fails a table missing from the restored database', () => {
    const judged = judgeBracket(input({ restored: { 'shop.customers': 50 } }));
    expect(judged.status).toBe('failed');
    expect(judged.tables[1]?.reason).toBe('missing from the restored database (reading A counted 1000 rows)');
  });
});

describe('docs/restore.md worked example', () => {
  it('is what the judging function computes', () => {
    // Prepare: the JSON block after the bracket-example marker.
    const doc = readFileSync(new URL('../../docs/restore.md', import.meta.url), 'utf8');
    const block = /<!-- bracket-example -->\s*```json\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBeDefined();
    const example = JSON.parse(block ?? '{}') as {
      table: string; countA: number; before: { inserted: number; deleted: number }; after: { inserted: number; deleted: number };
      bracket: [number, number]; width: number; restored: Record<string, 'passed' | 'failed'>;
    };
    for (const [count, expected] of Object.entries(example.restored)) {
      // Act
      const judged = judgeBracket({
        countsBefore: { [example.table]: example.countA },
        before: counters({ [example.table]: example.before }),
        after: counters({ [example.table]: example.after }),
        settle: SETTLED,
        restored: { [example.table]: Number(count) },
        unloggedTables: [],
        maxWidthShare: 0.05,
      });
      // Assess
      expect(judged.tables[0]).toMatchObject({ status: expected, low: example.bracket[0], high: example.bracket[1], width: example.width });
    }
    expect(Object.values(example.restored)).toContain('failed');
  });
});
