/**
 * Judging of the exact mode (`exact-counts`): the rule per table, the report, the configuration and
 * environment parsing. The SQL side is in test/sql/ledger.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { LEDGER_USAGE, runLedger } from '../../cli/ledger.ts';
import { buildManifest, serializeManifest } from '../../functions/domain/verification/manifest.ts';
import { parseManifest } from '../../functions/contracts/documents/manifest.ts';
import { runVerification, type VerificationOptions } from '../../functions/domain/verification/run-verification.ts';
import {
  BYPASSED_REASON,
  exactCountTablesFromEnv,
  judgeExactCounts,
  LEDGER,
} from '../../functions/domain/verification/exact-counts.ts';
import type { LedgerObservation, TriggerEnabled } from '../../functions/domain/verification/exact-counts-model.ts';
import type { VerificationProbe } from '../../functions/ports/verification-probe.ts';
import { SqlQueryError } from '../../functions/shared/errors.ts';
import { HEALTHY_STRUCTURE } from '../support/healthy-structure.ts';

function observed(table: string, count: number | null, ledger: number | null, enabled: readonly (TriggerEnabled | null)[] = ['A', 'A', 'A']): LedgerObservation {
  return {
    table,
    tableExists: count !== null,
    ledgerInstalled: ledger !== null,
    triggers: LEDGER.triggers.map((name, index) => ({ name, enabled: enabled[index] ?? null })),
    count,
    ledger,
  };
}

describe('judgeExactCounts', () => {
  it('passes only on equality, and fails one row either way naming both numbers', () => {
    // Prepare
    const tables = ['shop.orders', 'shop.events', 'shop.items'];
    // Act
    const judged = judgeExactCounts(tables, [observed('shop.orders', 1000, 1000), observed('shop.events', 499, 500), observed('shop.items', 11, 10)], null);
    // Assess
    expect(judged.status).toBe('failed');
    expect(judged.tables).toEqual([
      { table: 'shop.orders', status: 'passed', detail: 'count 1000 = ledger 1000' },
      { table: 'shop.events', status: 'failed', detail: 'count 499, ledger 500: 1 row(s) missing' },
      { table: 'shop.items', status: 'failed', detail: 'count 11, ledger 10: 1 row(s) more than the ledger' },
    ]);
    expect(judged.evidence).toBe('1 of 3 table(s) equal to their ledger; 2 differ: shop.events, shop.items');
    expect(judgeExactCounts(['shop.orders'], [observed('shop.orders', 0, 0)], null)).toEqual({
      status: 'passed',
      evidence: '1 of 1 table(s) equal to their ledger',
      tables: [{ table: 'shop.orders', status: 'passed', detail: 'count 0 = ledger 0' }],
      findings: [],
    });
  });

  it('is inconclusive, never passed or failed, when the ledger cannot be trusted', () => {
    const tables = ['a.missing', 'a.noledger', 'a.disabled', 'a.origin', 'a.dropped', 'a.bypassed'];
    const judged = judgeExactCounts(
      tables,
      [
        observed('a.missing', null, 0),
        observed('a.noledger', 10, null),
        observed('a.disabled', 10, 10, ['A', 'D', 'A']),
        observed('a.origin', 10, 10, ['O', 'A', 'R']),
        observed('a.dropped', 10, 10, ['A', 'A', null]),
        observed('a.bypassed', 14, 10),
      ],
      [observed('a.bypassed', 14, 10)],
    );
    expect(judged.status).toBe('inconclusive');
    expect(judged.tables.map((table) => `${table.status}: ${table.detail}`)).toEqual([
      'inconclusive: table does not exist',
      'inconclusive: ledger not installed (run `npm run dr -- ledger install`)',
      'inconclusive: ledger not maintained: trigger dr_ledger_count_delete is not ENABLE ALWAYS (tgenabled D)',
      'inconclusive: ledger not maintained: trigger dr_ledger_count_insert is not ENABLE ALWAYS (tgenabled O); trigger dr_ledger_reset_truncate is not ENABLE ALWAYS (tgenabled R)',
      'inconclusive: ledger not maintained: trigger dr_ledger_reset_truncate is missing',
      `inconclusive: ${BYPASSED_REASON} (reading A: count 14, ledger 10); restored count 14, ledger 10`,
    ]);
    expect(judged.findings).toEqual([
      `a.bypassed: ${BYPASSED_REASON}: writes reached the table without the ledger (disabled trigger, direct ledger writes or catalog changes); reinstall the ledger (\`npm run dr -- ledger install\`) to re-base it`,
    ]);
  });

  it('reading B (after the snapshot) finding the ledger apart makes the table inconclusive too', () => {
    const judged = judgeExactCounts(['a.t', 'a.u'], [observed('a.t', 13, 10), observed('a.u', 5, 5)], [observed('a.t', 10, 10), observed('a.u', 5, 5)], [observed('a.t', 13, 10), observed('a.u', 5, 5)]);
    expect(judged.status).toBe('inconclusive');
    expect(judged.tables[0]).toEqual({ table: 'a.t', status: 'inconclusive', detail: `${BYPASSED_REASON} (reading B: count 13, ledger 10); restored count 13, ledger 10` });
    expect(judged.tables[1]?.status).toBe('passed');
    expect(judged.findings).toHaveLength(1);
  });

  it('fails a table the source had and the copy lacks; a failure outranks inconclusive tables', () => {
    const judged = judgeExactCounts(['a.gone', 'a.noledger'], [observed('a.gone', null, 5), observed('a.noledger', 3, null)], [observed('a.gone', 5, 5)]);
    expect(judged.status).toBe('failed');
    expect(judged.tables[0]).toEqual({ table: 'a.gone', status: 'failed', detail: 'table does not exist in the restored copy (it did on the source)' });
  });

  it('a source that matched its ledger does not excuse a restored difference', () => {
    const judged = judgeExactCounts(['a.t'], [observed('a.t', 9, 10)], [observed('a.t', 10, 10)]);
    expect(judged.tables[0]?.status).toBe('failed');
  });

  it('is skipped without configured tables', () => {
    expect(judgeExactCounts([], [], null).status).toBe('skipped');
  });
});

describe('exactCountTablesFromEnv', () => {
  it('reads the JSON list the stacks set, and names what is wrong', () => {
    expect(exactCountTablesFromEnv(undefined, 'EXACT_COUNT_TABLES')).toEqual({ tables: [] });
    expect(exactCountTablesFromEnv('["shop.orders"]', 'EXACT_COUNT_TABLES')).toEqual({ tables: ['shop.orders'] });
    expect(exactCountTablesFromEnv('shop.orders', 'EXACT_COUNT_TABLES')).toMatchObject({ problems: [expect.stringMatching(/^EXACT_COUNT_TABLES: not valid JSON/)] });
    expect(exactCountTablesFromEnv('["orders"]', 'EXACT_COUNT_TABLES')).toEqual({
      problems: ['EXACT_COUNT_TABLES[0]: "orders" is not schema.table with lower-case unquoted identifiers'],
    });
  });
});

/** A probe of an empty database with a heartbeat; the ledger answer is set per test. */
function probe(ledger: readonly LedgerObservation[] | Error | undefined): VerificationProbe {
  const base: VerificationProbe = {
    connectionSecurity: async () => [{ pid: 1, ssl: true, version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', bits: 256 }],
    describeSchema: async () => ({ tables: [] }),
    readTables: async () => [],
    checkBtreeIndexes: async () => ({ available: true, detail: 'amcheck not needed', outcomes: [] }),
    latestHeartbeat: async () => '2026-03-01T12:04:30.000000Z',
    dataChecksums: async () => true,
    runAssertion: async () => ({ rows: 1, columns: 1, value: '0' }),
    // A structurally healthy copy: the structural checks are not what this suite is about.
    ...HEALTHY_STRUCTURE,
  };
  if (ledger === undefined) return base;
  return {
    ...base,
    observeLedger: async () => {
      if (ledger instanceof Error) throw ledger;
      return ledger;
    },
  };
}

function pitr(exactCountTables: readonly string[]): VerificationOptions {
  return {
    database: 'swifteats',
    source: { kind: 'point-in-time', targetTime: new Date('2026-03-01T12:05:00.000Z') },
    heartbeat: { maxLagSeconds: 120, maxLeadSeconds: 0 },
    assertions: [],
    now: () => new Date('2026-03-01T12:30:00.000Z'),
    exactCountTables,
  };
}

describe('runVerification with exact mode', () => {
  it('adds exact-counts after the other built-in checks only when configured, also for a point-in-time restore', async () => {
    const off = await runVerification(probe([observed('shop.orders', 5, 5)]), pitr([]));
    expect(off.checks.map((check) => check.id)).not.toContain('exact-counts');
    const on = await runVerification(probe([observed('shop.orders', 5, 5)]), pitr(['shop.orders']));
    expect(on.checks.map((check) => `${check.id} ${check.status}`)).toEqual([
      'tls passed',
      'schema-fingerprint skipped',
      'row-counts skipped',
      'tables-readable passed',
      'btree-indexes passed',
      'heartbeat passed',
      'index-validity passed',
      'sequences passed',
      'foreign-keys passed',
      'check-constraints passed',
      'gin-indexes skipped',
      'heap-pages passed',
      'table-content skipped',
      'large-objects skipped',
      'exact-counts passed',
    ]);
    expect(on.checks.at(-1)).toMatchObject({ evidence: '1 of 1 table(s) equal to their ledger', details: ['shop.orders: passed: count 5 = ledger 5'] });
    expect(on.verdict).toBe('passed');
    const lost = await runVerification(probe([observed('shop.orders', 4, 5)]), pitr(['shop.orders']));
    expect(lost.verdict).toBe('failed');
  });

  it('is inconclusive when the ledger cannot be read or the probe cannot read it', async () => {
    const refused = await runVerification(probe(new SqlQueryError('permission denied for schema dr_ledger (SQLSTATE 42501)', '42501')), pitr(['shop.orders']));
    expect(refused.checks.at(-1)).toMatchObject({ id: 'exact-counts', status: 'inconclusive', evidence: 'could not read the row-count ledger: permission denied for schema dr_ledger (SQLSTATE 42501)' });
    expect(refused.verdict).toBe('inconclusive');
    const unable = await runVerification(probe(undefined), pitr(['shop.orders']));
    expect(unable.checks.at(-1)).toMatchObject({ id: 'exact-counts', status: 'inconclusive', evidence: 'this probe cannot read the row-count ledger' });
  });

  it('takes reading A from the manifest: a ledger bypassed on the source is inconclusive and a finding', async () => {
    const manifest = buildManifest({
      database: 'swifteats',
      capturedAt: new Date('2026-03-01T12:04:50.000Z'),
      schema: { tables: [] },
      rowCounts: {},
      heartbeatLatestAt: '2026-03-01T12:04:30.000000Z',
      ledger: [observed('shop.orders', 12, 10)],
    });
    expect(manifest.ledger).toEqual([observed('shop.orders', 12, 10)]);
    // Stored and read back unchanged; a malformed ledger reading is refused with its path.
    expect(parseManifest(serializeManifest(manifest)).ledger).toEqual(manifest.ledger);
    const broken = JSON.parse(serializeManifest(manifest)) as Record<string, unknown>;
    broken['ledger'] = [{ table: 'shop.orders', count: '12', ledger: 10 }, 'x'];
    expect(() => parseManifest(JSON.stringify(broken))).toThrow('manifest.ledger[0].count: must be an integer or null');
    expect(() => parseManifest(JSON.stringify(broken))).toThrow('manifest.ledger[1]: must be an object with a table name');
    const report = await runVerification(probe([observed('shop.orders', 12, 10)]), {
      ...pitr(['shop.orders']),
      source: { kind: 'snapshot', snapshotId: 's', snapshotCreatedAt: new Date('2026-03-01T12:05:00.000Z'), manifest },
      heartbeat: { maxLagSeconds: 120, maxLeadSeconds: 60 },
    });
    expect(report.checks.find((check) => check.id === 'exact-counts')?.status).toBe('inconclusive');
    expect(report.findings.filter((finding) => finding.includes(BYPASSED_REASON))).toHaveLength(1);
  });
});

describe('dr ledger (arguments, before any connection)', () => {
  it('refuses bad usage and tables the configuration does not list without connecting (exit 2)', async () => {
    const lines: string[] = [];
    const deps = {
      output: { out: (line: string) => lines.push(line), err: (line: string) => lines.push(`ERR ${line}`) },
      connect: async () => {
        throw new Error('must not connect');
      },
    };
    expect(await runLedger(['reinstall'], deps)).toBe(2);
    expect(await runLedger(['install', '--tables', 'orders', '--bogus'], deps)).toBe(2);
    // The sample configuration lists no table: install refuses everything.
    expect(await runLedger(['install', '--tables', 'shop.orders'], deps)).toBe(2);
    expect(await runLedger(['status', '--dry-run'], deps)).toBe(2);
    expect(lines).toEqual([
      'ERR dr ledger: an action is required: install, uninstall, status, compact',
      `ERR ${LEDGER_USAGE}`,
      'ERR dr ledger: unknown option --bogus',
      'ERR dr ledger: --tables[0]: "orders" is not schema.table with lower-case unquoted identifiers',
      `ERR ${LEDGER_USAGE}`,
      'ERR dr ledger: restoreTest.exactCounts.tables is empty: the ledger is installed on no table',
      'ERR dr ledger: --dry-run applies to install and uninstall only, not to status (status only reads; compact folds rows)',
    ]);
  });
});
