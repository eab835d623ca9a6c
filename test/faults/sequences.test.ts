/**
 * Randomized fault sequences (issue 10, "The layer to add"): fast-check model-based runs of
 * workflows, operator actions and faults on one virtual clock, through the project's own ASL
 * files, the real handlers, the fakes and a real PostgreSQL database, judged by the invariants of
 * ./invariants.ts (written from the docs).
 *
 * `npm test` runs a fixed seed with a few sequences; `npm run faults -- --runs 200 [--seed N]`
 * runs more (FAULTS_RUNS, FAULTS_SEED, FAULTS_INVARIANTS, FAULTS_MAX_COMMANDS). A failure prints
 * the seed, the path and the shrunk sequence of commands.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HANDLER_ENV } from '../support/handler-env.ts';
import { loadHandlers } from '../support/failover-world.ts';
import { createTempDatabase, type TempDatabase } from '../support/pg.ts';
import { CENTRAL, WEST } from '../support/rds-planes.ts';
import { AdvanceTime, commandArbitraries, Failover, Fault, MidRunOperator, PointInTimeRestore, Real, Retention, RestoreTest, ScheduledBackup, type Model, type Stats } from './commands.ts';
import { enabledInvariants, KNOWN_OPEN } from './invariants.ts';
import { POLICY } from './oracle.ts';
import { FaultWorld, heartbeatAt, type Modules } from './world.ts';

const RUNS = Number(process.env.FAULTS_RUNS ?? 5);
const SEED = Number(process.env.FAULTS_SEED ?? 20261202);
const MAX_COMMANDS = Number(process.env.FAULTS_MAX_COMMANDS ?? 12);
/** Start of every sequence: a Tuesday, after the backup and the restore test of the day. */
const START = '2026-11-10T07:00:00.000Z';

let modules: Modules;
let db: TempDatabase;

beforeAll(async () => {
  // Powertools repeats one warning per invocation (issue 9 item 9); it would drown the report.
  const warn = console.warn.bind(console);
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    if (!String(args[0]).includes('has already been added')) warn(...args);
  });
  const base = await loadHandlers();
  Object.assign(process.env, {
    RETENTION_POLICY: JSON.stringify(POLICY),
    DB_TLS_MODE: 'require',
    TEMP_TTL_HOURS: HANDLER_ENV.TEMP_TTL_HOURS,
  });
  modules = {
    ...base,
    snapshot: await import('../../functions/handlers/snapshot/index.ts'),
    manifest: await import('../../functions/handlers/manifest.ts'),
    retention: await import('../../functions/handlers/retention.ts'),
    restore: await import('../../functions/handlers/restore/index.ts'),
    verify: await import('../../functions/handlers/verify.ts'),
  };
  // One real database for the whole file: the protected database, and what RDS restores from it.
  db = await createTempDatabase('faults');
  const client = await db.connect();
  await client.query(`
    CREATE TABLE orders (id bigserial PRIMARY KEY, total numeric(10,2) NOT NULL CHECK (total >= 0), placed_at timestamptz NOT NULL);
    CREATE INDEX orders_placed_at_idx ON orders (placed_at);
    INSERT INTO orders (total, placed_at) SELECT g, '2026-11-01T00:00:00Z'::timestamptz + g * interval '1 minute' FROM generate_series(1, 120) g;
    CREATE SCHEMA dr;
    CREATE TABLE dr.heartbeat (id bigserial PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now(), writer text NOT NULL);
    INSERT INTO dr.heartbeat (written_at, writer) VALUES ('${heartbeatAt(new Date(START))}', 'probe');
  `);
  await client.end();
}, 60_000);

afterAll(async () => {
  await db?.drop();
});

const MANAGED = (tier: string, verifiedAt: Date | null) => [
  { Key: 'dr:managed', Value: 'true' },
  { Key: 'dr:tier', Value: tier },
  { Key: 'dr:policy', Value: 'swifteats-gfs' },
  { Key: 'dr:database', Value: 'swifteats' },
  ...(verifiedAt ? [{ Key: 'dr:verified', Value: 'passed' }, { Key: 'dr:verified-at', Value: verifiedAt.toISOString() }] : []),
];

/** Eight days of history before START, each verified by its day's restore test, copied offsite. */
function seedHistory(world: FaultWorld): void {
  const start = Date.parse(START);
  for (let d = 9; d >= 0; d -= 1) {
    const at = new Date(Date.UTC(2026, 10, 10 - d, 2));
    if (at.getTime() > start) continue;
    const tier = at.getUTCDate() === 1 ? 'monthly' : at.getUTCDay() === 0 ? 'weekly' : 'daily';
    const id = `swifteats-${tier}-${at.toISOString().slice(0, 16).replace(/[-T:]/g, '')}`;
    const verifiedAt = new Date(at.getTime() + 4.5 * 3_600_000);
    const verified = verifiedAt.getTime() <= start ? verifiedAt : null;
    world.rds.addSnapshot({ id, region: WEST, instanceId: 'swifteats', SnapshotCreateTime: at, tags: MANAGED(tier, verified) });
    world.rds.addSnapshot({ id, region: CENTRAL, instanceId: 'swifteats', SnapshotCreateTime: at, tags: [...MANAGED(tier, verified), { Key: 'dr:copy-of', Value: world.rds.snapshotArn(WEST, id) }] });
  }
}

function emptyStats(): Stats {
  return { sequences: 0, steps: 0, faults: 0, executions: 0, judgedDeletes: 0, violations: {}, examples: {}, timing: {} };
}

async function runSequences(faults: boolean, runs: number, seed: number, stats: Stats): Promise<void> {
  const enabled = enabledInvariants();
  await fc.assert(
    fc.asyncProperty(fc.noBias(fc.commands(commandArbitraries({ faults }), { maxCommands: MAX_COMMANDS, size: 'max' })), async (commands) => {
      stats.sequences += 1;
      const world = new FaultWorld(modules, db, START);
      try {
        seedHistory(world);
        const setup = () => ({ model: { faulted: false, operatorActed: false, lastScheduled: null } satisfies Model, real: new Real(world, enabled, stats) });
        await fc.asyncModelRun(setup, commands);
      } finally {
        world.dispose();
      }
    }),
    { numRuns: runs, seed, verbose: 1, endOnFailure: process.env.FAULTS_SHRINK === '0' },
  );
}

function report(label: string, stats: Stats, ms: number): void {
  const open = Object.keys(KNOWN_OPEN);
  console.log(
    `[faults] ${label}: ${stats.sequences} sequences, ${stats.steps} steps, ${stats.faults} faults, ${stats.executions} executions, ${stats.judgedDeletes} retention deletes judged, in ${(ms / 1000).toFixed(1)} s; ` +
      `violations seen ${JSON.stringify(stats.violations)}; not enforced (KNOWN_OPEN): ${open.join(', ') || 'none'}`,
  );
  console.log(`[faults]   real time per command: ${Object.entries(stats.timing).map(([k, t]) => `${k} ${t.n}× ${Math.round(t.ms / t.n)} ms`).join(', ')}`);
  for (const [id, message] of Object.entries(stats.examples)) console.log(`[faults]   ${id}: ${message}`);
}

/**
 * The scenarios of issue 10's items as command sequences (each the minimal counterexample of its
 * KNOWN_OPEN entry). They run through the same judge: an enforced invariant they break fails the
 * test; a KNOWN_OPEN one is printed. Once a fix lands and its entry is removed, its scenario holds it.
 */
const SCENARIOS: { item: string; commands: () => { toString(): string; run(m: Model, r: Real): Promise<void> }[] }[] = [
  { item: '1', commands: () => [new AdvanceTime(20, 250), new ScheduledBackup(0), new RestoreTest(false)] },
  { item: '2 (backup record)', commands: () => [new Fault('archive', 2), new ScheduledBackup(0)] },
  { item: '2 (failover record)', commands: () => [new Fault('archive', 1), new Failover('az', false, false)] },
  {
    item: '3',
    commands: () => [new Fault('lambda', 0, { kind: 'freeze', on: 'command', command: 'RebootDBInstance', n: 1, effect: true }), new Failover('az', false, false), new AdvanceTime(0, 9 * 60_000), new Failover('az', false, false)],
  },
  { item: '4', commands: () => [new AdvanceTime(20, 250), new ScheduledBackup(0), new MidRunOperator('delete-under-test', 0, 'primary', 'DeleteDBInstance'), new RestoreTest(false)] },
  { item: '6', commands: () => [new MidRunOperator('delete-newest-verified', 0, 'primary', 'DeleteDBSnapshot'), new Retention('primary')] },
  { item: '7', commands: () => [new Fault('db-busy', 0), new Failover('az', true, false)] },
  { item: '8 (point-in-time restore)', commands: () => [new PointInTimeRestore('latest')] },
  {
    item: '8 (sweeper)',
    commands: () => [new AdvanceTime(20, 250), new ScheduledBackup(0), new Fault('stop', 3), new RestoreTest(false), new AdvanceTime(7, 0)],
  },
];

describe('issue 10 scenarios', () => {
  it.each(SCENARIOS)('item $item', async ({ item, commands }) => {
    const stats = emptyStats();
    const world = new FaultWorld(modules, db, START);
    try {
      seedHistory(world);
      const model: Model = { faulted: false, operatorActed: false, lastScheduled: null };
      const real = new Real(world, enabledInvariants(), stats);
      const list = commands();
      for (const command of list) await command.run(model, real);
      const broken = [...new Set(real.seen.map((v) => v.id))];
      console.log(`[faults] scenario item ${item} [${list.map(String).join(', ')}] breaks: ${broken.join(', ') || 'nothing'}`);
      for (const v of real.seen) console.log(`[faults]   ${v.id}: ${v.message}`);
      expect(broken.filter((id) => !(id in KNOWN_OPEN) && enabledInvariants().has(id))).toEqual([]);
    } finally {
      world.dispose();
    }
  });
});

describe('fault sequences', () => {
  it('a clean scheduled backup followed by a restore test ends with that snapshot verified', async () => {
    const stats = emptyStats();
    const world = new FaultWorld(modules, db, START);
    try {
      seedHistory(world);
      const model: Model = { faulted: false, operatorActed: false, lastScheduled: null };
      const real = new Real(world, enabledInvariants(), stats);
      await new AdvanceTime(20, 250).run(model, real);
      await new ScheduledBackup(0).run(model, real);
      await new RestoreTest(false).run(model, real);
      report('directed', stats, 0);
      expect(world.executions.map((e) => e.name)).toEqual(['sweep-1', 'backup-2', 'verify-3']);
      expect(world.executions[1]?.status).toBe('SUCCEEDED');
      if (!('clean-run-success' in KNOWN_OPEN)) {
        expect(world.rds.snapshot(WEST, 'swifteats-daily-202611110200')?.TagList).toContainEqual({ Key: 'dr:verified', Value: 'passed' });
      }
    } finally {
      world.dispose();
    }
  });

  it(`faulty sequences (seed ${SEED}, ${RUNS} runs): no enforced invariant breaks`, async () => {
    const stats = emptyStats();
    const t0 = Date.now();
    await runSequences(true, RUNS, SEED, stats);
    report('faulty', stats, Date.now() - t0);
    expect(stats.sequences).toBeGreaterThanOrEqual(RUNS);
  }, 3_600_000);

  it(`clean sequences (seed ${SEED + 1}): every workflow ends with its expected success`, async () => {
    const stats = emptyStats();
    const t0 = Date.now();
    await runSequences(false, Math.max(1, Math.ceil(RUNS / 3)), SEED + 1, stats);
    report('clean', stats, Date.now() - t0);
    expect(stats.sequences).toBeGreaterThanOrEqual(1);
  }, 3_600_000);
});
