import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildManifest, serializeManifest, type SchemaDescription } from '../../functions/domain/verification/manifest.ts';
import { parseManifest } from '../../functions/contracts/documents/manifest.ts';
import { parseAfterReading } from '../../functions/contracts/documents/after-reading.ts';
import type { CounterReading, TableCounters } from '../../functions/domain/verification/bracket-model.ts';
import {
  columnPlan,
  contentWidth,
  judgeContent,
  judgeLargeObjects,
  restoredRequests,
  tallyInBracket,
  type ContentInput,
} from '../../functions/domain/verification/content.ts';
import type { TableContent } from '../../functions/domain/verification/content-model.ts';
import { DEFAULT_HEARTBEAT_TOLERANCE } from '../../functions/domain/verification/report-model.ts';
import { runVerification } from '../../functions/domain/verification/run-verification.ts';
import type { VerificationProbe } from '../../functions/ports/verification-probe.ts';
import { SqlQueryError, ValidationError } from '../../functions/shared/errors.ts';
import { HEALTHY_STRUCTURE } from '../support/healthy-structure.ts';

const SERVER: CounterReading['server'] = { clock: '2026-03-01T12:04:50.000000Z', startedAt: '2026-02-01T00:00:00.000000Z', statsResetAt: null };
const SETTLED = { settled: true, waitedSeconds: 11, openTransactions: [] };
const counters = (tables: Record<string, Partial<TableCounters>>, server = SERVER): CounterReading => ({
  server,
  tables: Object.fromEntries(Object.entries(tables).map(([name, t]) => [name, { inserted: 0, deleted: 0, updated: 0, storage: '16400', unlogged: false, ...t }])),
});

/** shop.orders (id bigint NOT NULL, discount int, note text), the table every example uses. */
const SCHEMA: SchemaDescription = {
  tables: [
    {
      schema: 'shop',
      name: 'orders',
      kind: 'table',
      columns: [
        { name: 'id', type: 'bigint', nullable: false, default: null },
        { name: 'discount', type: 'integer', nullable: true, default: null },
        { name: 'note', type: 'text', nullable: true, default: null },
      ],
      constraints: [],
      indexes: [],
    },
  ],
};

/** A row of shop.orders. */
type Row = { readonly discount: number | null; readonly note: string | null };

/** Tallies and a stand-in digest (the domain only compares it) of a table state. */
function scan(rows: readonly Row[], digest = true): TableContent {
  const count = (p: (r: Row) => boolean): number => rows.filter(p).length;
  const text = rows.map((r) => `(${r.discount},${r.note})`).sort().join('');
  return {
    rows: rows.length,
    columns: { id: { zeros: 0 }, discount: { nulls: count((r) => r.discount === null), zeros: count((r) => r.discount === 0) }, note: { nulls: count((r) => r.note === null), empty: count((r) => r.note === '') } },
    digest: digest ? String(text.length * 31 + [...text].reduce((h, ch) => (h * 33 + ch.charCodeAt(0)) % 1_000_000_007, 5381)) : null,
  };
}

function input(before: TableContent, restored: TableContent | string, a: Partial<TableCounters>, b: Partial<TableCounters>, overrides: Partial<ContentInput> = {}): ContentInput {
  return {
    before: { seed: 1, digest: before.digest !== null, tables: { 'shop.orders': before } },
    countersBefore: counters({ 'shop.orders': a }),
    countersAfter: counters({ 'shop.orders': b }),
    settle: SETTLED,
    schemaBefore: SCHEMA,
    schemaRestored: SCHEMA,
    restored: { 'shop.orders': restored },
    ...overrides,
  };
}

const value = fc.record({ discount: fc.constantFrom(null, 0, 1, 5), note: fc.constantFrom(null, '', 'a', 'b') });
const op = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), row: value }),
  fc.record({ kind: fc.constant('update' as const), at: fc.nat(), row: value }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
);

/** Applies the writes in order; returns the final state and how many of each the counters saw. */
type Op = { readonly kind: 'insert' | 'update' | 'delete'; readonly at?: number; readonly row?: Row };

function apply(start: readonly Row[], ops: readonly Op[]): { rows: Row[]; ins: number; upd: number; del: number } {
  const rows = [...start];
  let ins = 0;
  let upd = 0;
  let del = 0;
  for (const o of ops) {
    if (o.kind === 'insert') {
      rows.push(o.row as Row);
      ins += 1;
    } else if (rows.length > 0 && o.kind === 'update') {
      rows[(o.at ?? 0) % rows.length] = o.row as Row;
      upd += 1;
    } else if (rows.length > 0 && o.kind === 'delete') {
      rows.splice((o.at ?? 0) % rows.length, 1);
      del += 1;
    }
  }
  return { rows, ins, upd, del };
}

describe('the column bracket |N_C − N_A| ≤ Δins + Δupd + Δdel', () => {
  it('holds for every tally after any sequence of inserts, updates and deletes (property)', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 30 }), fc.array(op, { maxLength: 40 }), (start, ops) => {
        const end = apply(start, ops);
        const width = end.ins + end.upd + end.del;
        const a = scan(start);
        const c = scan(end.rows);
        for (const column of ['discount', 'note'] as const) {
          for (const [measure, n] of Object.entries(a.columns[column] ?? {})) {
            expect(tallyInBracket(n, c.columns[column]?.[measure as 'nulls'] ?? -1, width)).toBe(true);
          }
        }
      }),
      { numRuns: 500, seed: 20261203 },
    );
  });

  it('never fails a faithful restore, also with aborted writes counted on top (property)', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 30 }), fc.array(op, { maxLength: 40 }), fc.nat(5), fc.nat(5), (start, ops, abortedIns, abortedUpd) => {
        const end = apply(start, ops);
        const judged = judgeContent(input(scan(start), scan(end.rows), { inserted: 100, updated: 50, deleted: 7 }, { inserted: 100 + end.ins + abortedIns, updated: 50 + end.upd + abortedUpd, deleted: 7 + end.del }));
        expect(judged.status).toBe('passed');
        expect(judged.tables[0]?.width).toBe(end.ins + end.upd + end.del + abortedIns + abortedUpd);
        // A quiet table (nothing counted) is compared by digest.
        expect(judged.tables[0]?.digestCompared).toBe(end.ins + end.upd + end.del + abortedIns + abortedUpd === 0);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('fails a restore with more nulled rows than the width, naming the column and the bound (property)', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 20 }), fc.array(op, { maxLength: 10 }), (start, ops) => {
        const end = apply(start, ops);
        const width = end.ins + end.upd + end.del;
        const nullsEnd = scan(end.rows).columns['note']?.nulls ?? 0;
        const nullsA = scan(start).columns['note']?.nulls ?? 0;
        // Rows with NULL notes added until N_C ≥ N_A + W + 1 (the row-count check is another matter).
        const damaged = [...end.rows, ...Array.from({ length: width + 1 + Math.max(0, nullsA - nullsEnd) }, () => ({ discount: 1, note: null }))];
        const judged = judgeContent(input(scan(start, false), scan(damaged, false), {}, { inserted: end.ins, updated: end.upd, deleted: end.del }));
        expect(judged.status).toBe('failed');
        expect(judged.tables[0]?.problems.some((p) => p.startsWith('column note: nulls '))).toBe(true);
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it('is tight: an update per row can move a tally by exactly the width', () => {
    const start: Row[] = [{ discount: 1, note: 'a' }, { discount: 1, note: 'b' }, { discount: 1, note: 'a' }];
    const nulled = start.map((r) => ({ ...r, note: null }));
    const judged = judgeContent(input(scan(start, false), scan(nulled, false), { updated: 10 }, { updated: 13 }));
    expect(judged.tables[0]).toMatchObject({ status: 'passed', width: 3 });
    const oneFewer = judgeContent(input(scan(start, false), scan(nulled, false), { updated: 10 }, { updated: 12 }));
    expect(oneFewer.tables[0]).toEqual({ table: 'shop.orders', status: 'failed', width: 2, digestCompared: false, problems: ['column note: nulls 0 -> 3, outside 0 ± 2 (1 more than the 2 row writes counted)'] });
  });
});

describe('judgeContent', () => {
  const rows: Row[] = [{ discount: 0, note: 'a' }, { discount: 5, note: null }, { discount: null, note: '' }];

  it('fails a quiet table whose rows were swapped (same count, same tallies) by its digest', () => {
    const swapped: Row[] = [{ discount: 0, note: 'b' }, rows[1]!, rows[2]!];
    expect(scan(swapped).columns).toEqual(scan(rows).columns);
    const judged = judgeContent(input(scan(rows), scan(swapped), {}, {}));
    expect(judged.tables[0]).toEqual({
      table: 'shop.orders', status: 'failed', width: 0, digestCompared: true,
      problems: ["content digest differs from reading A's (3 rows -> 3): rows were changed, swapped or lost although no write was counted between the readings"],
    });
    expect(judgeContent(input(scan(rows), scan([...rows].reverse()), {}, {})).status).toBe('passed');
  });

  it.each([
    ['no update counter in reading A', { updated: undefined }, {}, 'no update counter in reading A (captured before n_tup_upd was recorded)'],
    ['a rewrite', {}, { storage: '16999' }, 'storage changed between the readings (relfilenode 16400 -> 16999): a TRUNCATE or a table rewrite, which the counters do not describe'],
    ['updates going backwards', { updated: 9 }, { updated: 3 }, "counters went backwards (updated 9 -> 3): the table's statistics were reset"],
  ] as const)('is inconclusive, never failed, with %s', (_, a, b, note) => {
    const judged = judgeContent(input(scan(rows), scan([]), a as Partial<TableCounters>, b as Partial<TableCounters>));
    expect(judged.status).toBe('inconclusive');
    expect(judged.tables[0]).toEqual({ table: 'shop.orders', status: 'inconclusive', width: null, digestCompared: false, problems: [], note });
  });

  it('is inconclusive when reading B is unsettled, and fails a table missing from the copy', () => {
    const unsettled = judgeContent(input(scan(rows), scan([]), {}, {}, { settle: { settled: false, waitedSeconds: 300, openTransactions: [] } }));
    expect(unsettled.globalReasons).toEqual(['statistics possibly unflushed: the wait was cut short']);
    expect(unsettled.tables[0]?.status).toBe('inconclusive');
    const missing = judgeContent({ ...input(scan(rows), scan(rows), {}, {}), restored: {} });
    expect(missing.tables[0]).toMatchObject({ status: 'failed', problems: ['missing from the restored database (reading A scanned 3 rows)'] });
    const unreadable = judgeContent(input(scan(rows), 'could not read block 3 (SQLSTATE XX001)', {}, {}));
    expect(unreadable.tables[0]).toMatchObject({ status: 'inconclusive', note: 'could not be scanned: could not read block 3 (SQLSTATE XX001)' });
  });

  it('does not compare the digest when columns changed since A (ADD COLUMN without a rewrite), but still the tallies', () => {
    const added: SchemaDescription = { tables: [{ ...SCHEMA.tables[0]!, columns: [...SCHEMA.tables[0]!.columns, { name: 'extra', type: 'integer', nullable: true, default: '0' }] }] };
    const readings = input(scan(rows), scan(rows), {}, {}, { schemaRestored: added });
    expect(restoredRequests(readings)).toEqual([{ table: { schema: 'shop', name: 'orders' }, columns: columnPlan(SCHEMA.tables[0]!), digest: false }]);
    const judged = judgeContent({ ...readings, restored: { 'shop.orders': { ...scan(rows), digest: '1' } } });
    expect(judged.tables[0]).toMatchObject({ status: 'passed', digestCompared: false, note: 'digest not compared: the columns changed since reading A (see schema-fingerprint)' });
  });

  it('plans nulls for nullable columns, zeros for numbers, empty strings for text', () => {
    expect(columnPlan(SCHEMA.tables[0]!)).toEqual([
      { column: 'id', measures: ['zeros'] },
      { column: 'discount', measures: ['nulls', 'zeros'] },
      { column: 'note', measures: ['nulls', 'empty'] },
    ]);
    expect(contentWidth({ inserted: 1, deleted: 2, updated: 3, storage: 's', unlogged: false }, { inserted: 11, deleted: 22, updated: 33, storage: 's', unlogged: false })).toBe(60);
  });
});

describe('judgeLargeObjects', () => {
  const three = { count: 3, oidSum: '49152' };
  it.each([
    ['no tally in A (older manifest)', undefined, three, three, 'skipped', 'not applicable: the manifest was captured before large objects were recorded'],
    ['no tally in B', three, null, three, 'inconclusive', 'reading B has no large-object tally: nothing bounds the large objects written after reading A (3)'],
    ['A and B differ', three, { count: 4, oidSum: '65540' }, three, 'inconclusive', 'large objects changed between the readings (3 -> 4, OID sum 49152 -> 65540); no write counters exist for them, so nothing bounds the restored 3'],
    ['A = B = copy', three, three, three, 'passed', '3 large objects, the same set as readings A and B (OID sum 49152)'],
    ['none anywhere', { count: 0, oidSum: '0' }, { count: 0, oidSum: '0' }, { count: 0, oidSum: '0' }, 'passed', '0'],
    ['one lost', three, three, { count: 2, oidSum: '32768' }, 'failed', '2 large objects restored, readings A and B both had 3 (OID sum 49152 -> 32768): 1 missing'],
    ['one swapped', three, three, { count: 3, oidSum: '49153' }, 'failed', '3 large objects restored, readings A and B both had 3 (OID sum 49152 -> 49153): a different set of the same size'],
  ] as const)('%s', (_, a, b, restored, status, evidence) => {
    expect(judgeLargeObjects(a, b, restored)).toEqual({ status, evidence });
  });
});

describe('manifest and reading-B documents', () => {
  const manifest = buildManifest({
    database: 'swifteats',
    capturedAt: new Date('2026-03-01T12:04:50Z'),
    schema: SCHEMA,
    rowCounts: { 'shop.orders': 3 },
    heartbeatLatestAt: null,
    counters: counters({ 'shop.orders': {} }),
    content: { seed: 7, digest: true, tables: { 'shop.orders': { rows: 3, columns: { note: { nulls: 1 } }, digest: '-12345678901234567890' } } },
    largeObjects: { count: 2, oidSum: '32770' },
  });

  it('round-trips the optional content and large-object fields', () => {
    expect(parseManifest(serializeManifest(manifest))).toEqual(manifest);
  });

  it('names each bad field when they are present and malformed', () => {
    const broken = { ...manifest, content: { seed: 'x', digest: true, tables: { 'shop.orders': { rows: -1, columns: { note: { nulls: 1.5, blanks: 1 } }, digest: 'abc' } } }, largeObjects: { count: 2 } };
    let problems: readonly string[] = [];
    try {
      parseManifest(JSON.stringify(broken));
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      problems = (error as ValidationError).problems;
    }
    {
      expect(problems).toEqual([
        'manifest.content.seed: must be an integer',
        'manifest.content.tables.shop.orders.rows: must be a non-negative integer',
        'manifest.content.tables.shop.orders.digest: must be a decimal integer string or null',
        'manifest.content.tables.shop.orders.columns.note.nulls: must be a non-negative integer',
        'manifest.content.tables.shop.orders.columns.note.blanks: unknown measure (allowed: nulls, zeros, empty)',
        'manifest.largeObjects.oidSum: must be a decimal integer string',
      ]);
    }
  });

  it('reads reading B with and without large objects, and names a bad tally', () => {
    const after = { formatVersion: 1, database: 'swifteats', snapshotId: 's', snapshotPoint: 'x', readAt: 'x', schemaFingerprint: 'f', heartbeat: { latestAt: null }, counters: counters({ 'shop.orders': { updated: 4 } }), settle: SETTLED };
    expect(parseAfterReading(JSON.stringify(after)).largeObjects).toBeUndefined();
    expect(parseAfterReading(JSON.stringify({ ...after, largeObjects: { count: 1, oidSum: '16385' } })).largeObjects).toEqual({ count: 1, oidSum: '16385' });
    expect(() => parseAfterReading(JSON.stringify({ ...after, largeObjects: { count: -1, oidSum: '1' } }))).toThrow('after-reading.largeObjects.count: must be a non-negative integer');
    expect(() => parseAfterReading(JSON.stringify({ ...after, counters: counters({ 'shop.orders': { updated: -4 } }) }))).toThrow('after-reading.counters.tables.shop.orders.updated: must be a non-negative integer when present');
  });
});

describe('the worked example in docs/restore.md', () => {
  it('is what the judging function computes', () => {
    const doc = readFileSync(new URL('../../docs/restore.md', import.meta.url), 'utf8');
    const block = /<!-- content-example -->\s*```json\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBeDefined();
    const example = JSON.parse(block ?? '{}') as {
      table: string; column: string; nullsA: number; before: Partial<TableCounters>; after: Partial<TableCounters>; width: number; restored: Record<string, 'passed' | 'failed'>;
    };
    for (const [nulls, expected] of Object.entries(example.restored)) {
      const a: TableContent = { rows: 1000, columns: { [example.column]: { nulls: example.nullsA } }, digest: null };
      const c: TableContent = { rows: 1000, columns: { [example.column]: { nulls: Number(nulls) } }, digest: null };
      const judged = judgeContent(input(a, c, example.before, example.after));
      expect([nulls, judged.tables[0]?.status, judged.tables[0]?.width]).toEqual([nulls, expected, example.width]);
    }
    expect(Object.values(example.restored)).toContain('failed');
  });
});

describe('runVerification wires table-content and large-objects', () => {
  const rows: Row[] = [{ discount: 0, note: 'a' }, { discount: 5, note: null }];
  const manifest = buildManifest({
    database: 'swifteats',
    capturedAt: new Date('2026-03-01T12:04:50Z'),
    schema: SCHEMA,
    rowCounts: { 'shop.orders': 2 },
    heartbeatLatestAt: null,
    counters: counters({ 'shop.orders': {} }),
    content: { seed: 7, digest: true, tables: { 'shop.orders': scan(rows) } },
    largeObjects: { count: 1, oidSum: '16400' },
  });
  const after = { formatVersion: 1 as const, database: 'swifteats', snapshotId: 's', snapshotPoint: '2026-03-01T12:05:00Z', readAt: '2026-03-01T12:05:30Z', schemaFingerprint: manifest.schemaFingerprint, heartbeat: { latestAt: null }, counters: counters({ 'shop.orders': {} }), settle: SETTLED, largeObjects: { count: 1, oidSum: '16400' } };

  /** A restored database answering every observation; content and large objects as given. */
  function probe(content: () => Promise<Record<string, TableContent | string>>, largeObjects: () => Promise<{ count: number; oidSum: string }>, requests: unknown[] = []): VerificationProbe {
    return {
      connectionSecurity: async () => [{ pid: 1, ssl: true, version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', bits: 256 }],
      describeSchema: async () => SCHEMA,
      readTables: async (tables) => tables.map((table) => ({ table, ok: true as const, rows: 2, bytes: 10 })),
      checkBtreeIndexes: async () => ({ available: true as const, detail: 'amcheck 1.3 already installed', outcomes: [] }),
      latestHeartbeat: async () => null,
      dataChecksums: async () => true,
      runAssertion: async () => ({ rows: 1, columns: 1, value: '0' }),
      // A structurally healthy copy: the structural checks are not what this suite is about.
      ...HEALTHY_STRUCTURE,
      scanContent: async (r, seed) => {
        requests.push({ requests: r, seed });
        return content();
      },
      largeObjects,
    };
  }

  async function checks(p: VerificationProbe): Promise<Record<string, { status: string; evidence: string }>> {
    const report = await runVerification(p, {
      database: 'swifteats',
      source: { kind: 'snapshot', snapshotId: 's', snapshotCreatedAt: new Date('2026-03-01T12:05:00Z'), manifest, after },
      heartbeat: DEFAULT_HEARTBEAT_TOLERANCE.snapshot,
      assertions: [],
      now: () => new Date('2026-03-01T12:30:00Z'),
    });
    return Object.fromEntries(report.checks.filter((c) => c.id === 'table-content' || c.id === 'large-objects').map((c) => [c.id, { status: c.status, evidence: c.evidence }]));
  }

  it('scans with the manifest seed and judges both checks', async () => {
    const requests: unknown[] = [];
    expect(await checks(probe(async () => ({ 'shop.orders': scan([...rows].reverse()) }), async () => ({ count: 1, oidSum: '16400' }), requests))).toEqual({
      'table-content': { status: 'passed', evidence: '1 table: every column tally inside its bracket of the manifest captured at 2026-03-01T12:04:50.000Z; 1 quiet table with an equal content digest' },
      'large-objects': { status: 'passed', evidence: '1 large object, the same set as readings A and B (OID sum 16400)' },
    });
    expect(requests).toEqual([{ requests: [{ table: { schema: 'shop', name: 'orders' }, columns: columnPlan(SCHEMA.tables[0]!), digest: true }], seed: 7 }]);
  });

  it('fails table-content when the scan is refused, and makes large-objects inconclusive when they cannot be read', async () => {
    const refused = (): Promise<never> => Promise.reject(new SqlQueryError('scanning content: permission denied for table orders (SQLSTATE 42501)', '42501'));
    expect(await checks(probe(refused, refused))).toEqual({
      'table-content': { status: 'failed', evidence: 'could not scan the tables: scanning content: permission denied for table orders (SQLSTATE 42501)' },
      'large-objects': { status: 'inconclusive', evidence: 'could not read pg_largeobject_metadata: scanning content: permission denied for table orders (SQLSTATE 42501)' },
    });
  });
});
