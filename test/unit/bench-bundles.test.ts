import { describe, expect, it } from 'vitest';
import { alternatingSamples, contributionKey, contributions, largestDifferences, median, pairedRatio, pairHandlers, pairLabel } from '../../bench/bundles.ts';
import type { HandlerEntry } from '../../bench/bundles.ts';

const file = (name: string): HandlerEntry => ({ name, label: `${name}.ts`, entry: `functions/handlers/${name}.ts` });
const folder = (name: string): HandlerEntry => ({ name, label: `${name}/`, entry: `functions/handlers/${name}/index.ts` });

describe('bench bundles: handlers now against a base ref', () => {
  it('pairs handlers by name whether each side is a file or a folder, new ones and gone ones kept', () => {
    // Prepare: failover became a folder, verify stayed a file, probe is new, audit is gone.
    const now = [folder('failover'), folder('probe'), file('verify')];
    const base = [file('audit'), file('failover'), file('verify')];

    // Act
    const pairs = pairHandlers(now, base);

    // Assess
    expect(pairs).toEqual([
      { name: 'failover', now: folder('failover'), base: file('failover') },
      { name: 'probe', now: folder('probe') },
      { name: 'verify', now: file('verify'), base: file('verify') },
      { name: 'audit', base: file('audit') },
    ]);
    expect(pairs.map(pairLabel)).toEqual(['failover/ ← failover.ts', 'probe/ (new)', 'verify.ts', 'audit.ts (gone)']);
  });

  it('counts a package as one input, strips the base folder, follows moves, and groups a handler’s own files', () => {
    const renamed = new Map([['functions/domain/rpo.ts', 'functions/domain/rpo/objectives.ts']]);
    expect(contributionKey('node_modules/valibot/dist/index.js')).toBe('valibot');
    expect(contributionKey('node_modules/@middy/core/index.js')).toBe('@middy/core');
    expect(contributionKey('node_modules/@smithy/core/node_modules/uuid/dist/index.js')).toBe('uuid');
    expect(contributionKey('.bench-base-x1/functions/domain/rpo.ts', '.bench-base-x1/', renamed)).toBe('functions/domain/rpo/objectives.ts');
    expect(contributionKey('functions/domain/rpo.ts', '.bench-base-x1/')).toBe('functions/domain/rpo.ts');
    expect(contributionKey('.bench-base-x1/functions/handlers/failover.ts', '.bench-base-x1/')).toBe('functions/handlers/failover*');
    expect(contributionKey('functions/handlers/failover/takeover-actions.ts')).toBe('functions/handlers/failover*');
    expect(contributionKey('functions/handlers/failover/index.ts')).toBe('functions/handlers/failover*');
  });

  it('sums the inputs per key and lists the largest differences first, equal ones left out', () => {
    // Prepare: the handler's file became a folder of two files (+100 bytes), valibot is new, pg unchanged.
    const now = contributions({
      'functions/handlers/failover/index.ts': { bytesInOutput: 600 },
      'functions/handlers/failover/config.ts': { bytesInOutput: 500 },
      'node_modules/valibot/dist/index.js': { bytesInOutput: 5000 },
      'node_modules/pg/lib/client.js': { bytesInOutput: 700 },
      'node_modules/pg/lib/query.js': { bytesInOutput: 300 },
      'functions/domain/failover/rules.ts': { bytesInOutput: 900 },
    });
    const base = contributions(
      {
        'b/functions/handlers/failover.ts': { bytesInOutput: 1000 },
        'node_modules/pg/lib/client.js': { bytesInOutput: 1000 },
        'b/functions/domain/failover.ts': { bytesInOutput: 950 },
        'b/functions/domain/gone.ts': { bytesInOutput: 20 },
      },
      'b/',
      new Map([['functions/domain/failover.ts', 'functions/domain/failover/rules.ts']]),
    );

    // Act / Assess
    expect(now.get('pg')).toBe(1000);
    expect(largestDifferences(now, base, 3)).toEqual([
      { key: 'valibot', now: 5000, base: 0 },
      { key: 'functions/handlers/failover*', now: 1100, base: 1000 },
      { key: 'functions/domain/failover/rules.ts', now: 900, base: 950 },
    ]);
    expect(largestDifferences(now, base, 10).map((d) => d.key)).toEqual(['valibot', 'functions/handlers/failover*', 'functions/domain/failover/rules.ts', 'functions/domain/gone.ts']);
  });

  it('takes the samples of now and base alternately, each round in turn order; the paired ratio compares side-by-side samples', () => {
    // Prepare: each sample records its turn; the load rises steeply, so later samples are much slower.
    const turns: string[] = [];
    let load = 0;
    const sample = (who: string, cost: number) => (): number => {
      turns.push(who);
      load += 1;
      return cost * load;
    };

    // Act
    const [a, b] = alternatingSamples(4, sample('a', 100), sample('b', 200));

    // Assess: a b, b a, a b, b a.
    expect(turns).toEqual(['a', 'b', 'b', 'a', 'a', 'b', 'b', 'a']);
    expect([a, b]).toEqual([
      [100, 400, 500, 800],
      [400, 600, 1200, 1400],
    ]);
    expect([median(a), median(b)]).toEqual([500, 1200]);
    // Per round: 100/400, 400/600, 500/1200, 800/1400 → 0.25, 0.667, 0.417, 0.571; the upper median 0.571.
    expect(pairedRatio(a, b)).toBeCloseTo(800 / 1400, 10);
  });
});
