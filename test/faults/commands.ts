/**
 * The commands of a fault sequence (fast-check model-based testing): workflows, operator actions,
 * time, and faults armed for the next command. Each command's `toString` is what a shrunk
 * counterexample prints, so it reads as a scenario.
 */
import { AddTagsToResourceCommand, CreateDBSnapshotCommand, DeleteDBSnapshotCommand, RDSClient, RebootDBInstanceCommand, RemoveTagsFromResourceCommand } from '@aws-sdk/client-rds';
import fc from 'fast-check';
import { rdsFault } from '../support/rds-fake.ts';
import { CENTRAL, WEST } from '../support/rds-planes.ts';
import { checkChanges, checkExecutions, checkSweep, type InvariantId, type Violation } from './invariants.ts';
import type { ExecutionFault, MidRun } from './runner.ts';
import { FN, type FaultWorld } from './world.ts';

/** What the model knows (fast-check's model side). */
export interface Model {
  /** A fault was armed at some point of the sequence. */
  faulted: boolean;
  /** An operator acted by hand at some point. */
  operatorActed: boolean;
  /** scheduledAt of the last scheduled backup. */
  lastScheduled: string | null;
}

/** Counters of a sequence, summed over a run for the report. */
export interface Stats {
  sequences: number;
  steps: number;
  faults: number;
  executions: number;
  /** Deletes by the workflows judged by the retention oracle (how much the oracle was exercised). */
  judgedDeletes: number;
  violations: Record<string, number>;
  /** Real time spent per command kind (name, count, milliseconds). */
  timing: Record<string, { n: number; ms: number }>;
  /** The first message of each invariant seen broken. */
  examples: Record<string, string>;
}

/** The real side: the world, the faults armed for the next command, the enforced invariants. */
export class Real {
  readonly world: FaultWorld;
  readonly enabled: ReadonlySet<InvariantId>;
  readonly stats: Stats;
  /** All violations seen (enforced or not), for the report. */
  readonly seen: Violation[] = [];
  /** Faults armed for the next execution (consumed by it). */
  armed: { fault?: ExecutionFault; midRun?: MidRun; stopBeforeTask?: number } = {};
  /** Undo of a fault that lasts one command (e.g. the database busy). */
  afterNext: (() => void) | null = null;
  #names = 0;

  constructor(world: FaultWorld, enabled: ReadonlySet<InvariantId>, stats: Stats) {
    this.world = world;
    this.enabled = enabled;
    this.stats = stats;
  }

  name(prefix: string): string {
    this.#names += 1;
    return `${prefix}-${this.#names}`;
  }

  /** The faults armed for the next execution (consumed). */
  take(): { fault?: ExecutionFault; midRun?: MidRun; stopBeforeTask?: number } {
    const armed = this.armed;
    this.armed = {};
    return armed;
  }

  /** Records violations; throws on the first enforced one. */
  judge(violations: readonly Violation[]): void {
    for (const v of violations) {
      this.seen.push(v);
      this.stats.violations[v.id] = (this.stats.violations[v.id] ?? 0) + 1;
      this.stats.examples[v.id] ??= v.message;
    }
    const enforced = violations.filter((v) => this.enabled.has(v.id));
    if (enforced.length > 0) throw new Error(`invariant broken: ${enforced.map((v) => `[${v.id}] ${v.message}`).join('\n  ')}`);
  }

  /** Runs a command body and checks the changes it made. */
  async step(body: () => Promise<Violation[] | void>, label = 'step'): Promise<void> {
    this.stats.steps += 1;
    const t0 = performance.now();
    const from = this.world.changes.at(-1)?.seq ?? 0;
    const executionsBefore = this.world.executions.length;
    const extra = (await body()) ?? [];
    this.afterNext?.();
    this.afterNext = null;
    this.stats.executions += this.world.executions.length - executionsBefore;
    this.stats.judgedDeletes += this.world.changes.filter((c) => c.seq > from && c.kind === 'snapshot-deleted' && c.actor !== 'operator').length;
    const kind = label.replace(/\(.*$/, '');
    const t = (this.stats.timing[kind] ??= { n: 0, ms: 0 });
    t.n += 1;
    t.ms += Math.round(performance.now() - t0);
    this.judge([...checkChanges(this.world, from), ...checkExecutions(this.world, this.world.executions.slice(executionsBefore)), ...extra]);
  }
}

type Cmd = fc.AsyncCommand<Model, Real>;
const client = (region: string): RDSClient => new RDSClient({ region, maxAttempts: 1 });

/** The last 02:00 UTC at or before now (schedule `schedules.backup`, time zone UTC). */
function scheduledAt(now: Date): string {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 2));
  if (day.getTime() > now.getTime()) day.setUTCDate(day.getUTCDate() - 1);
  return day.toISOString().replace('.000Z', 'Z');
}

function clean(m: Model): boolean {
  return !m.faulted && !m.operatorActed;
}

function managed(world: FaultWorld, region: string): string[] {
  return world
    .snapshots(region)
    .filter((s) => (s.TagList ?? []).some((t) => t.Key === 'dr:managed' && t.Value === 'true'))
    .map((s) => s.DBSnapshotIdentifier ?? '')
    .sort();
}

// ---------------------------------------------------------------------------------------------
// Workflows
// ---------------------------------------------------------------------------------------------

export class ScheduledBackup implements Cmd {
  /** 0: today's schedule; k: the schedule k days back (a late at-least-once delivery). */
  readonly daysBack: number;
  /** A second delivery of a schedule already delivered. */
  readonly redelivery: boolean;
  constructor(daysBack: number, redelivery = false) {
    this.daysBack = daysBack;
    this.redelivery = redelivery;
  }
  check(m: Readonly<Model>): boolean {
    return !this.redelivery || m.lastScheduled !== null;
  }
  async run(m: Model, r: Real): Promise<void> {
    const wasClean = clean(m);
    const today = scheduledAt(r.world.clock.now());
    const at = this.redelivery && this.daysBack === 0 ? (m.lastScheduled as string) : new Date(Date.parse(today) - this.daysBack * 86_400_000).toISOString().replace('.000Z', 'Z');
    if (!this.redelivery) m.lastScheduled = at;
    await r.step(async () => {
      const e = await r.world.run('backup', { scheduledAt: at }, { name: r.name('backup'), ...r.take() });
      if (wasClean && e.status !== 'SUCCEEDED') return [{ id: 'clean-run-success', message: `backup ${at} without faults ended ${e.status} ${e.error}: ${e.cause}` }];
      return [];
    }, this.toString());
  }
  toString(): string {
    if (!this.redelivery) return 'ScheduledBackup(today)';
    return this.daysBack === 0 ? 'DuplicateDelivery(the last schedule again)' : `LateDelivery(the schedule of ${this.daysBack} day(s) ago)`;
  }
}

export class Retention implements Cmd {
  readonly region: 'primary' | 'dr';
  constructor(region: 'primary' | 'dr') {
    this.region = region;
  }
  check(): boolean {
    return true;
  }
  async run(_m: Model, r: Real): Promise<void> {
    await r.step(async () => {
      const name = r.name(`retention-${this.region}`);
      await r.world.invoke(FN.retention, { region: this.region, executionArn: `arn:aws:states:eu-west-1:123456789012:execution:${name}` }, name, r.take());
    }, this.toString());
  }
  toString(): string {
    return `Retention(${this.region})`;
  }
}

export class RestoreTest implements Cmd {
  readonly given: boolean;
  constructor(given: boolean) {
    this.given = given;
  }
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const wasClean = clean(m);
    await r.step(async () => {
      const unverified = r.world
        .snapshots(WEST)
        .filter((s) => (s.TagList ?? []).some((t) => t.Key === 'dr:managed') && !(s.TagList ?? []).some((t) => t.Key === 'dr:verified'));
      const target = this.given ? unverified.at(-1)?.DBSnapshotIdentifier : undefined;
      const e = await r.world.run('verify', target === undefined ? {} : { snapshotId: target }, { name: r.name('verify'), ...r.take() });
      if (!wasClean) return [];
      const tested = e.invocations.find((i) => i.state === 'Restore temporary database')?.payload as { snapshotId?: string } | undefined;
      if (e.status !== 'SUCCEEDED') return [{ id: 'clean-run-success', message: `restore test without faults ended ${e.status} ${e.error}: ${e.cause}` }];
      if (tested?.snapshotId !== undefined) {
        const tag = r.world.rds.snapshot(WEST, tested.snapshotId)?.TagList?.find((t) => t.Key === 'dr:verified')?.Value;
        if (tag !== 'passed') return [{ id: 'clean-run-success', message: `restore test of ${tested.snapshotId} without faults left dr:verified=${tag}` }];
      }
      return [];
    }, this.toString());
  }
  toString(): string {
    return this.given ? 'RestoreTest(newest unverified, given by id)' : 'RestoreTest(scheduled)';
  }
}

class Sweep implements Cmd {
  check(): boolean {
    return true;
  }
  async run(_m: Model, r: Real): Promise<void> {
    await r.step(async () => {
      const name = r.name('sweep');
      const out = await r.world.invoke(FN.restore, { action: 'sweep', executionArn: `arn:aws:states:eu-west-1:123456789012:execution:${name}` }, name, r.take());
      return out.ok ? checkSweep(r.world, r.world.clock.now()) : [];
    }, this.toString());
  }
  toString(): string {
    return 'Sweep()';
  }
}

export class PointInTimeRestore implements Cmd {
  readonly minutesAgo: number | 'latest';
  constructor(minutesAgo: number | 'latest') {
    this.minutesAgo = minutesAgo;
  }
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const wasClean = clean(m);
    await r.step(async () => {
      const name = r.name('pitr');
      const target = this.minutesAgo === 'latest' ? 'latest' : new Date(r.world.clock.now().getTime() - this.minutesAgo * 60_000).toISOString();
      const e = await r.world.run('pitr-restore', { targetTime: target, name: `swifteats-${name}` }, { name, ...r.take() });
      if (wasClean && e.status !== 'SUCCEEDED') return [{ id: 'clean-run-success', message: `point-in-time restore to ${target} without faults ended ${e.status} ${e.error}: ${e.cause}` }];
      return [];
    }, this.toString());
  }
  toString(): string {
    return `PointInTimeRestore(${this.minutesAgo === 'latest' ? 'latest' : `${this.minutesAgo} min ago`})`;
  }
}

export class Failover implements Cmd {
  readonly mode: 'az' | 'observe';
  readonly dryRun: boolean;
  readonly twice: boolean;
  constructor(mode: 'az' | 'observe', dryRun: boolean, twice: boolean) {
    this.mode = mode;
    this.dryRun = dryRun;
    this.twice = twice;
  }
  check(): boolean {
    return true;
  }
  async run(_m: Model, r: Real): Promise<void> {
    await r.step(async () => {
      const w = r.world;
      if (this.mode === 'az' && !this.dryRun) w.fw.breakWriter();
      if (this.mode === 'observe') {
        // RDS fails over by itself; observe mode measures it (started by the RDS event).
        w.actor = 'rds';
        await client(WEST).send(new RebootDBInstanceCommand({ DBInstanceIdentifier: 'swifteats', ForceFailover: true })).catch(() => undefined);
        w.actor = 'operator';
      }
      const publishes = w.fw.sns.callCount('Publish');
      const lockWrites = w.fw.dynamodb.mutatingCalls().length;
      const input = { mode: this.mode, reason: `fault layer ${this.mode}`, dryRun: this.dryRun };
      const armed = r.take();
      const names = [r.name('failover'), ...(this.twice ? [r.name('failover')] : [])];
      const runs = await Promise.all(names.map((name, i) => w.run('failover', input, { name, ...(i === 0 ? armed : {}) })));
      const out: Violation[] = [];
      if (this.dryRun) {
        const sent = w.fw.sns.callCount('Publish') - publishes;
        const wrote = w.fw.dynamodb.mutatingCalls().length - lockWrites;
        const acted = w.changes.filter((c) => c.kind === 'failover-act' && names.includes(c.actor)).length;
        if (sent + wrote + acted > 0) out.push({ id: 'failover-dry-run-silent', message: `dry run (${runs.map((e) => `${e.status} ${e.error ?? ''}`).join(', ')}) sent ${sent} notification(s), wrote the lock ${wrote} time(s), acted ${acted} time(s)` });
      }
      if (this.mode === 'az' && !this.dryRun) w.fw.brokenWriter = null;
      return out;
    }, this.toString());
  }
  toString(): string {
    return `Failover(${this.mode}${this.dryRun ? ', dry run' : ''}${this.twice ? ', started twice at once' : ''})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Operator actions and time
// ---------------------------------------------------------------------------------------------

class Operator implements Cmd {
  readonly action: 'manual-snapshot' | 'legal-hold' | 'delete-by-hand';
  readonly pick: number;
  constructor(action: 'manual-snapshot' | 'legal-hold' | 'delete-by-hand', pick: number) {
    this.action = action;
    this.pick = pick;
  }
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    m.operatorActed = true;
    await r.step(async () => {
      const w = r.world;
      w.actor = 'operator';
      if (this.action === 'manual-snapshot') {
        await client(WEST).send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'swifteats', DBSnapshotIdentifier: `before-migration-${this.pick}` })).catch(() => undefined);
        return;
      }
      const region = this.action === 'delete-by-hand' && this.pick % 2 === 1 ? CENTRAL : WEST;
      const ids = this.action === 'legal-hold' ? managed(w, region) : w.snapshots(region).map((s) => s.DBSnapshotIdentifier ?? '');
      const id = ids[this.pick % Math.max(ids.length, 1)];
      if (id === undefined) return;
      if (this.action === 'legal-hold') {
        await client(region).send(new AddTagsToResourceCommand({ ResourceName: w.rds.snapshotArn(region, id), Tags: [{ Key: 'dr:legal-hold', Value: `INC-${4700 + this.pick}` }] })).catch(() => undefined);
      } else {
        await client(region).send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: id })).catch(() => undefined);
      }
    }, this.toString());
  }
  toString(): string {
    return `Operator(${this.action}, #${this.pick})`;
  }
}

export class AdvanceTime implements Cmd {
  readonly hours: number;
  readonly extraMs: number;
  constructor(hours: number, extraMs: number) {
    this.hours = hours;
    this.extraMs = extraMs;
  }
  check(): boolean {
    return true;
  }
  async run(_m: Model, r: Real): Promise<void> {
    await r.step(async () => {
      const w = r.world;
      w.clock.advance(this.hours * 3_600_000 + this.extraMs);
      // What faults leave behind clears with time: others free their snapshots, the key is fixed, RDS recovers.
      w.rds.setQuota('ManualSnapshots', 100, WEST);
      w.rds.markKeyAccessible('alias/swifteats-dr');
      w.rds.durations.snapshotCreateMs = 300_000;
      w.rds.durations.crossRegionCopyMs = 1_200_000;
      w.archive.failPuts = 0;
      // The hourly sweeper's last run in this span.
      const name = r.name('sweep');
      const out = await w.invoke(FN.restore, { action: 'sweep', executionArn: `arn:aws:states:eu-west-1:123456789012:execution:${name}` }, name);
      return out.ok ? checkSweep(w, w.clock.now()) : [];
    }, this.toString());
  }
  toString(): string {
    return `AdvanceTime(${this.hours} h + ${this.extraMs} ms)`;
  }
}

// ---------------------------------------------------------------------------------------------
// Faults, armed for what follows
// ---------------------------------------------------------------------------------------------

type FaultKind = 'throttle' | 'stuck-snapshots' | 'quota-filled' | 'lambda' | 'archive' | 'kms' | 'restore-fails' | 'stop' | 'db-busy';

export class Fault implements Cmd {
  readonly kind: FaultKind;
  readonly n: number;
  readonly lambda: ExecutionFault | null;
  constructor(kind: FaultKind, n: number, lambda: ExecutionFault | null = null) {
    this.kind = kind;
    this.n = n;
    this.lambda = lambda;
  }
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    m.faulted = true;
    r.stats.faults += 1;
    const w = r.world;
    switch (this.kind) {
      case 'throttle':
        w.rds.throttle(this.n);
        break;
      case 'stuck-snapshots':
        w.rds.durations.snapshotCreateMs = this.n * 3_600_000;
        w.rds.durations.crossRegionCopyMs = this.n * 3_600_000;
        break;
      case 'quota-filled':
        w.rds.setQuota('ManualSnapshots', w.snapshots(WEST).filter((s) => s.SnapshotType === 'manual').length, WEST);
        break;
      case 'lambda':
        if (this.lambda !== null) r.armed.fault = this.lambda;
        break;
      case 'archive':
        w.archive.failPuts = this.n;
        break;
      case 'kms':
        w.rds.markKeyInaccessible('alias/swifteats-dr');
        break;
      case 'restore-fails':
        w.rds.failNext('RestoreDBInstanceFromDBSnapshot', rdsFault('InstanceQuotaExceeded', 'You have reached the DB instance quota (injected)'), this.n);
        break;
      case 'stop':
        r.armed.stopBeforeTask = this.n;
        break;
      case 'db-busy': {
        // The database is backing-up (its backup window, or someone's snapshot) during the next command.
        w.rds.setInstanceStatus(WEST, 'swifteats', 'backing-up');
        r.afterNext = () => {
          if (w.rds.instance(WEST, 'swifteats')?.DBInstanceStatus === 'backing-up') w.rds.setInstanceStatus(WEST, 'swifteats', 'available');
        };
        break;
      }
    }
  }
  toString(): string {
    switch (this.kind) {
      case 'throttle':
        return `Fault(throttle the next ${this.n} RDS calls)`;
      case 'stuck-snapshots':
        return `Fault(snapshots and copies take ${this.n} h)`;
      case 'lambda': {
        const f = this.lambda;
        if (f === null) return 'Fault(lambda: none)';
        if (f.kind === 'service') return `Fault(next execution: Lambda refuses its invocation #${f.n})`;
        const where = f.on === 'command' ? `${f.command} call #${f.n}` : f.on === 'call' ? `AWS call #${f.n}` : `state-changing AWS call #${f.n}`;
        return `Fault(next execution: the invocation making its ${where} ${f.kind === 'freeze' ? 'freezes (timeout)' : 'crashes'} ${f.effect ? 'after the call took effect' : 'before the call'})`;
      }
      case 'archive':
        return `Fault(next ${this.n} archive writes fail)`;
      case 'restore-fails':
        return `Fault(next ${this.n} restores refused)`;
      case 'stop':
        return `Fault(stop the next execution before its task #${this.n})`;
      case 'db-busy':
        return 'Fault(database backing-up during the next command)';
      default:
        return `Fault(${this.kind})`;
    }
  }
}

/** The calls that change something, where a lost response matters most. */
const CHANGES = ['CreateDBSnapshot', 'CopyDBSnapshot', 'DeleteDBSnapshot', 'AddTagsToResource', 'RestoreDBInstanceFromDBSnapshot', 'RestoreDBInstanceToPointInTime', 'DeleteDBInstance', 'RebootDBInstance', 'PutItem', 'UpdateItem', 'DeleteItem', 'ArchivePut', 'Publish'] as const;

type MidRunAction = 'delete-newest-verified' | 'untag-newest-verified' | 'delete-under-test' | 'legal-hold-oldest-managed';

/** An operator acting by hand while the next execution runs: before its n-th AWS call. */
export class MidRunOperator implements Cmd {
  readonly action: MidRunAction;
  readonly atCall: number;
  readonly region: 'primary' | 'dr';
  readonly atCommand: string | undefined;
  constructor(action: MidRunAction, atCall: number, region: 'primary' | 'dr', atCommand?: string) {
    this.action = action;
    this.atCall = atCall;
    this.region = region;
    this.atCommand = atCommand;
  }
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    m.operatorActed = true;
    r.stats.faults += 1;
    const w = r.world;
    const region = this.region === 'primary' ? WEST : CENTRAL;
    const action = this.action;
    r.armed.midRun = {
      atCall: this.atCall,
      ...(this.atCommand === undefined ? {} : { atCommand: this.atCommand }),
      action: async () => {
        const snaps = w.snapshots(region).filter((s) => (s.TagList ?? []).some((t) => t.Key === 'dr:managed' && t.Value === 'true'));
        const byData = (a: (typeof snaps)[number], b: (typeof snaps)[number]) => dataTimeOf(a) - dataTimeOf(b);
        const verified = snaps.filter((s) => (s.TagList ?? []).some((t) => t.Key === 'dr:verified' && t.Value === 'passed')).sort(byData);
        const unverified = snaps.filter((s) => !(s.TagList ?? []).some((t) => t.Key === 'dr:verified')).sort(byData);
        const target =
          action === 'delete-newest-verified' || action === 'untag-newest-verified' ? verified.at(-1) : action === 'delete-under-test' ? unverified.at(-1) : [...snaps].sort(byData)[0];
        const id = target?.DBSnapshotIdentifier;
        if (id === undefined) return;
        const c = client(region);
        if (action === 'untag-newest-verified') await c.send(new RemoveTagsFromResourceCommand({ ResourceName: w.rds.snapshotArn(region, id), TagKeys: ['dr:verified', 'dr:verified-at'] })).catch(() => undefined);
        else if (action === 'legal-hold-oldest-managed') await c.send(new AddTagsToResourceCommand({ ResourceName: w.rds.snapshotArn(region, id), Tags: [{ Key: 'dr:legal-hold', Value: 'INC-4711' }] })).catch(() => undefined);
        else await c.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: id })).catch(() => undefined);
      },
    };
  }
  toString(): string {
    return `MidRun(operator: ${this.action} in ${this.region}, before the next execution's ${this.atCommand === undefined ? `AWS call #${this.atCall}` : `first ${this.atCommand}`})`;
  }
}

function dataTimeOf(s: { OriginalSnapshotCreateTime?: Date; SnapshotCreateTime?: Date }): number {
  const t = s.OriginalSnapshotCreateTime ?? s.SnapshotCreateTime;
  return t === undefined ? 0 : new Date(t).getTime();
}

/** The command arbitraries; `faults: false` gives a clean run (operator and faults left out). */
export function commandArbitraries(options: { faults: boolean }): fc.Arbitrary<Cmd>[] {
  const workflows: fc.Arbitrary<Cmd>[] = [
    fc.constant(new ScheduledBackup(0)),
    fc.constant(new ScheduledBackup(0)),
    fc.integer({ min: 0, max: 4 }).map((days) => new ScheduledBackup(days, true)),
    fc.constantFrom('primary' as const, 'dr' as const).map((region) => new Retention(region)),
    fc.boolean().map((given) => new RestoreTest(given)),
    fc.boolean().map((given) => new RestoreTest(given)),
    fc.constant(new Sweep()),
    fc.oneof(fc.constant('latest' as const), fc.integer({ min: 6, max: 600 })).map((ago) => new PointInTimeRestore(ago)),
    fc.tuple(fc.constantFrom('az' as const, 'observe' as const), fc.boolean(), fc.boolean()).map(([mode, dry, twice]) => new Failover(mode, dry, twice)),
    fc.integer({ min: 0, max: 999 }).map((ms) => new AdvanceTime(0, 9 * 60_000 + ms)),
    fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 999 })).map(([h, ms]) => new AdvanceTime(h, ms)),
    fc.tuple(fc.integer({ min: 20, max: 48 }), fc.integer({ min: 0, max: 999 })).map(([h, ms]) => new AdvanceTime(h, ms)),
    fc.tuple(fc.integer({ min: 20, max: 48 }), fc.integer({ min: 0, max: 999 })).map(([h, ms]) => new AdvanceTime(h, ms)),
  ];
  if (!options.faults) return workflows;
  const lambda: fc.Arbitrary<ExecutionFault> = fc.oneof(
    fc.record({
      kind: fc.constantFrom('freeze' as const, 'crash' as const),
      on: fc.constant('command' as const),
      command: fc.constantFrom(...CHANGES),
      n: fc.integer({ min: 1, max: 3 }),
      effect: fc.boolean(),
    }),
    fc.record({ kind: fc.constantFrom('freeze' as const, 'crash' as const), on: fc.constantFrom('call' as const, 'mutation' as const), n: fc.integer({ min: 1, max: 12 }), effect: fc.boolean() }),
    fc.record({ kind: fc.constant('service' as const), n: fc.integer({ min: 1, max: 12 }) }),
  );
  return [
    ...workflows,
    fc.tuple(fc.constantFrom('manual-snapshot' as const, 'legal-hold' as const, 'delete-by-hand' as const), fc.nat(40)).map(([a, pick]) => new Operator(a, pick)),
    fc
      .tuple(fc.constantFrom('delete-newest-verified' as const, 'untag-newest-verified' as const, 'delete-under-test' as const, 'legal-hold-oldest-managed' as const), fc.integer({ min: 1, max: 12 }), fc.constantFrom('primary' as const, 'dr' as const))
      .map(([a, at, region]) => new MidRunOperator(a, at, region)),
    fc
      .tuple(fc.constantFrom('delete-newest-verified' as const, 'untag-newest-verified' as const, 'delete-under-test' as const, 'legal-hold-oldest-managed' as const), fc.constantFrom('DeleteDBSnapshot', 'AddTagsToResource', 'DeleteDBInstance', 'ArchivePut', 'CopyDBSnapshot'), fc.constantFrom('primary' as const, 'dr' as const))
      .map(([a, command, region]) => new MidRunOperator(a, 0, region, command)),
    fc.integer({ min: 1, max: 12 }).map((n) => new Fault('throttle', n)),
    fc.integer({ min: 2, max: 30 }).map((n) => new Fault('stuck-snapshots', n)),
    fc.constant(new Fault('quota-filled', 0)),
    lambda.map((f) => new Fault('lambda', 0, f)),
    lambda.map((f) => new Fault('lambda', 0, f)),
    fc.integer({ min: 1, max: 3 }).map((n) => new Fault('archive', n)),
    fc.constant(new Fault('kms', 0)),
    fc.integer({ min: 1, max: 2 }).map((n) => new Fault('restore-fails', n)),
    fc.integer({ min: 1, max: 20 }).map((n) => new Fault('stop', n)),
    fc.constant(new Fault('db-busy', 0)),
  ];
}
