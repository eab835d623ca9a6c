/**
 * The live-writer verification benchmark (bench/verify-live.ts) at a tiny size: 2,000 rows, two
 * rounds, waits under a second, reading B's flush interval 4 s: each writer session commits every
 * 40 ms, so its counts flush at a commit within PGSTAT_MIN_INTERVAL (1 s) of the last flush; the
 * margin covers a client stalled a few seconds on a loaded machine (the 11 s default, which also
 * covers a backend gone idle, is proven in bracket.test.ts). What must hold whatever the timing: the bracket never
 * raises a false alarm, the check set read the copy point exactly, the summary says so, and the
 * database is gone afterwards, also when the run fails midway.
 */
import { describe, expect, it } from 'vitest';
import { benchVerifyLive, liveOptionsFromEnv, type LiveBenchOptions, type LiveBenchResult } from '../../bench/verify-live.ts';
import { databaseExists } from '../support/pg.ts';

function tiny(print: (line: string) => void): LiveBenchOptions {
  return {
    ...liveOptionsFromEnv({ BENCH_ROWS: '2000', BENCH_ROUNDS: '2', BENCH_WAIT_SECONDS: '0.5-1', BENCH_TPS: '100' }),
    settle: { pollSeconds: 1, maxWaitSeconds: 30, flushSeconds: 4 },
    parallelism: 2,
    print,
  };
}

describe('bench/verify-live.ts at 2,000 rows', () => {
  it('judges two faithful copies under a writer: the old exact rule fails both, the bracket neither; drops its database', async () => {
    // Prepare
    const lines: string[] = [];
    // Act
    const result: LiveBenchResult = await benchVerifyLive(tiny((line) => lines.push(line)));
    // Assess
    expect(result.rounds).toHaveLength(2);
    expect(result.writer.errors).toEqual([]);
    expect(result.writer.transactions).toBeGreaterThan(100);
    expect(result.bracketFalseAlarms).toBe(0);
    // ~100 transactions between A and the copy point move some table's count in every round.
    expect(result.exactRuleFalseAlarms).toBe(2);
    for (const round of result.rounds) {
      expect(round.bracketStatus).toBe('passed');
      // The check set's counts are the exact counts of the exported snapshot.
      expect(round.restored).toEqual(round.direct);
      expect(Object.keys(round.restored).sort()).toEqual(['shop.customers', 'shop.deliveries', 'shop.order_items', 'shop.orders', 'shop.restaurants']);
      expect(round.exactRuleFailed).toBe(Object.entries(round.countsA).some(([table, count]) => round.restored[table] !== count));
      for (const t of round.bracket) {
        expect([t.table, t.low! <= round.restored[t.table]!, round.restored[t.table]! <= t.high!, t.width]).toEqual([t.table, true, true, t.high! - t.low!]);
      }
      // Never written: a zero-width bracket, so one lost row is always caught.
      expect(round.bracket.find((t) => t.table === 'shop.restaurants')).toMatchObject({ low: round.countsA['shop.restaurants'], high: round.countsA['shop.restaurants'], width: 0, written: 0 });
      const statuses = Object.fromEntries(round.report.checks.map((c) => [c.id, c.status]));
      expect(statuses).toMatchObject({ 'schema-fingerprint': 'passed', 'tables-readable': 'passed', 'btree-indexes': 'passed', heartbeat: 'passed', 'row-counts': 'inconclusive' });
      expect(round.checkMs).toBeGreaterThan(0);
      expect(round.dumpMs).toBeGreaterThan(0);
    }
    expect(result.detectedOneRow['shop.restaurants']).toBe(2);
    expect(result.detectedOneRow['shop.orders']).toBe(result.rounds.filter((r) => r.restored['shop.orders']! - 1 < r.bracket.find((t) => t.table === 'shop.orders')!.low!).length);
    expect(lines.filter((line) => /^round {2}[12]: wait /.test(line))).toHaveLength(2);
    expect(result.summary).toContain('false alarms: old exact rule: 2/2; bracket: 0/2');
    expect(result.summary).toContain("copy point:   the check set's counts equal count(*) in the exported snapshot in 2/2 rounds");
    expect(result.summary.find((line) => line.startsWith('median bracket width: '))).toMatch(/shop\.restaurants 0 \(0\.000 % of \d+\)/);
    expect(result.summary.find((line) => line.startsWith('detected, 1 row lost: '))).toContain('shop.restaurants 2/2');
    expect(result.summary.find((line) => line.startsWith('detected, 1 % of the busiest table ('))).toMatch(/ lost: [0-2]\/2$/);
    expect(result.summary.find((line) => line.startsWith('timing (median of 2, under the writer): check set '))).toMatch(/ ms \(2 connections\) vs pg_dump -f \/dev\/null \d+ ms: ratio \d+\.\d\dx pg_dump$/);
    expect(lines.slice(-result.summary.length)).toEqual(result.summary);
    expect(await databaseExists(result.database)).toBe(false);
  }, 90_000);

  it('drops its database and stops the writer when a round fails', async () => {
    // Prepare: the first round's line throws, as any failure inside a round would.
    let name = '';
    const print = (line: string): void => {
      name = /^\n## verify under a live writer \((dr_test_bench_live_[0-9a-f]+):/.exec(line)?.[1] ?? name;
      if (line.startsWith('round  1:')) throw new Error('failed in round 1');
    };
    // Act
    const run = benchVerifyLive(tiny(print));
    // Assess
    await expect(run).rejects.toThrow('failed in round 1');
    expect(name).toMatch(/^dr_test_bench_live_/);
    expect(await databaseExists(name)).toBe(false);
  }, 60_000);
});
