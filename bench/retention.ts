/**
 * Retention at scale: 100,000 manual snapshots across 1,000 databases (100 daily backups
 * each), printed by `npm run bench` (bench/run.ts), or alone with `node bench/retention.ts`.
 *
 * 1. Planning: one {@link planRetention} over all 100,000 snapshots, median of 5 runs,
 *    and the memory it takes. Measured in a fresh child process (`--expose-gc`), because
 *    the bench process's own peak RSS is already set by CDK synth: there, after building
 *    the input and a forced GC, the peak RSS rise is `resourceUsage().maxRSS` after the
 *    first plan minus `memoryUsage().rss` before it, and the retained heap is
 *    `heapUsed` after a second forced GC (plan still referenced) minus `heapUsed` before.
 * 2. RDS API calls per retention run (one database), counted from the stateful RDS
 *    fake's call log in the same run: our run (the real use case: DescribeDBSnapshots
 *    pages with TagList, then DescribeAccountAttributes) against the naive one (the same
 *    pages, then one ListTagsForResource per snapshot). The fake holds all 100,000
 *    snapshots, so each listing picks its 100 out of the whole region as RDS would; the
 *    runs are those of every 10th database, because the fake scans the whole region on
 *    every Describe (about 10 ms a call at this size) and 102,000 naive calls would take
 *    the bench past its time budget. Both are dry runs; the deletes, identical for both,
 *    are reported once. Ours also lists the DR region's copies (their status: a source
 *    whose copy is in progress is kept) and the region's databases (restore tests in
 *    progress), one call each, as the λ does in the primary region.
 * 3. The plan's premise re-check (issue 10 fix 6), on real runs of every 100th database:
 *    the Describe calls that re-read the newest verified snapshot, against the deletes,
 *    at `deletesPerSecond` 2 (one re-check per 2 deletes) and at the maximum 10; a check
 *    before every delete would cost one call per delete.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { DescribeAccountAttributesCommand, ListTagsForResourceCommand, paginateDescribeDBSnapshots, RDSClient } from '@aws-sdk/client-rds';
import { controlPlaneFor } from '../functions/adapters/rds/control-plane.ts';
import { restoresFor } from '../functions/adapters/rds/restore.ts';
import type { RetentionPolicy, SnapshotRecord } from '../functions/domain/retention/model.ts';
import { planRetention } from '../functions/domain/retention/planner.ts';
import type { RetentionSettings } from '../functions/domain/retention/model.ts';
import { runRetention } from '../functions/domain/retention/run.ts';
import { managedSnapshotTags, snapshotId, tierFor, type Tier } from '../functions/domain/snapshots/naming.ts';
import type { ArchiveStore, StoredDocument } from '../functions/ports/archive-store.ts';
import { RdsFake, VirtualClock } from '../test/support/rds-fake.ts';

const DATABASES = 1_000;
const PER_DATABASE = 100;
const REGION = 'eu-west-1';
const DR_REGION = 'eu-central-1';
const NOW = new Date('2026-11-29T02:30:00Z');
const POLICY_NAME = 'bench-gfs';
/** The configuration's defaults (infra/config/defaults.ts) plus a 48 h verification window. */
const SETTINGS: RetentionSettings = { daily: 7, weekly: 5, monthly: 12, yearly: 3, minimumCount: 3, quotaHeadroom: 10, deletesPerSecond: 2, maxVerifiedAgeHours: 48 };
/** A raised manual-snapshot quota: the default 100 per region could not hold this account. */
const QUOTA = 200_000;
const RULES = { weeklyOn: 'SUN', monthlyOnDay: 1, yearlyOn: '01-01' };
const RDS_SUSTAINED_REQUESTS_PER_SECOND = 12;
/** Every SAMPLE_EVERY-th database is run in step 2. */
const SAMPLE_EVERY = 10;
/** Every DELETE_SAMPLE_EVERY-th database is run for real (deleting) in step 3. */
const DELETE_SAMPLE_EVERY = 100;

/** One generated snapshot, as both the planner and the fake's seed need it. */
interface Generated {
  readonly id: string;
  readonly database: string;
  readonly createdAt: Date;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * 100 daily backups per database (today back to 99 days ago, 02:00 UTC), named and tagged
 * as the backup workflow does; yesterday's and every weekly one passed a restore test.
 */
function generate(): Generated[] {
  // Tiers per day once: tierFor builds an Intl formatter per call, too slow to do 100,000 times.
  const days = Array.from({ length: PER_DATABASE }, (_, daysAgo) => {
    const at = new Date(Date.parse('2026-11-29T02:00:00Z') - daysAgo * 86_400_000);
    const tier: Tier = tierFor(at, RULES, 'UTC');
    return { daysAgo, at, tier, stamp: snapshotId('x', tier, at, 'UTC').slice(`x-${tier}-`.length) };
  });
  const out: Generated[] = [];
  for (let d = 0; d < DATABASES; d += 1) {
    const database = `db-${String(d).padStart(4, '0')}`;
    for (const day of days) {
      const verified: Record<string, string> = day.daysAgo === 1 || day.tier !== 'daily' ? { 'dr:verified': 'passed' } : {};
      out.push({ id: `${database}-${day.tier}-${day.stamp}`, database, createdAt: day.at, tags: { ...managedSnapshotTags(database, day.tier, POLICY_NAME), ...verified } });
    }
  }
  return out;
}

function policy(used: number): RetentionPolicy {
  const { daily, weekly, monthly, yearly, minimumCount, maxVerifiedAgeHours, quotaHeadroom } = SETTINGS;
  return { name: POLICY_NAME, daily, weekly, monthly, yearly, minimumCount, maxVerifiedAgeHours, quota: { max: QUOTA, headroom: quotaHeadroom, used } };
}

function toRecords(generated: readonly Generated[]): SnapshotRecord[] {
  return generated.map((g) => ({ id: g.id, database: g.database, createdAt: g.createdAt, status: 'available', type: 'manual', tags: g.tags }));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** What the child process reports. */
interface PlanningResult {
  readonly samplesMs: number[];
  readonly perDatabaseSamplesMs: number[];
  readonly rssBefore: number;
  readonly maxRssBefore: number;
  readonly maxRssAfter: number;
  readonly heapBefore: number;
  readonly heapRetained: number;
  readonly deletes: number;
}

/** Child process body: see step 1 of the module comment. */
function planningChild(): PlanningResult {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('the planning child needs --expose-gc');
  const records = toRecords(generate());
  const used = records.length;
  gc();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  const maxRssBefore = process.resourceUsage().maxRSS * 1024;
  const first = planRetention(records, policy(used), NOW);
  const maxRssAfter = process.resourceUsage().maxRSS * 1024;
  gc();
  const heapRetained = process.memoryUsage().heapUsed - heapBefore;
  const deletes = first.deletes.length;

  const samplesMs: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const start = performance.now();
    planRetention(records, policy(used), NOW);
    samplesMs.push(performance.now() - start);
  }
  // What the λ does: one plan per database (100 snapshots each), summed over the 1,000.
  const byDatabase = new Map<string, SnapshotRecord[]>();
  for (const r of records) byDatabase.set(r.database, [...(byDatabase.get(r.database) ?? []), r]);
  const perDatabaseSamplesMs: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const start = performance.now();
    for (const group of byDatabase.values()) planRetention(group, policy(used), NOW);
    perDatabaseSamplesMs.push(performance.now() - start);
  }
  return { samplesMs, perDatabaseSamplesMs, rssBefore, maxRssBefore, maxRssAfter, heapBefore, heapRetained, deletes };
}

function planningInChild(): PlanningResult {
  const run = spawnSync(process.execPath, ['--expose-gc', import.meta.filename, '--planning-child'], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`retention planning child failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as PlanningResult;
}

/** Audit records go nowhere: the archive is not what is measured. */
const discard: ArchiveStore = {
  put: async (key: string): Promise<StoredDocument> => ({ key, sha256: '', versionId: null }),
  get: async (key: string): Promise<string> => {
    throw new Error(`discarding archive holds nothing (${key})`);
  },
};

/** The naive run: the same listing, then one tag call per snapshot. Returns the plan's deletes. */
async function naiveRun(client: RDSClient, database: string): Promise<string[]> {
  const listed: { id: string; arn: string; createdAt: Date | undefined; status: string; type: string }[] = [];
  for await (const page of paginateDescribeDBSnapshots({ client, pageSize: 100 }, { DBInstanceIdentifier: database, SnapshotType: 'manual' })) {
    for (const s of page.DBSnapshots ?? []) {
      listed.push({ id: s.DBSnapshotIdentifier ?? '', arn: s.DBSnapshotArn ?? '', createdAt: s.SnapshotCreateTime, status: s.Status ?? '', type: s.SnapshotType ?? '' });
    }
  }
  const records: SnapshotRecord[] = [];
  for (const s of listed) {
    const tags = await client.send(new ListTagsForResourceCommand({ ResourceName: s.arn }));
    records.push({ id: s.id, database, createdAt: s.createdAt ?? '', status: s.status, type: s.type, tags: Object.fromEntries((tags.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])) });
  }
  const quota = await client.send(new DescribeAccountAttributesCommand({}));
  const used = quota.AccountQuotas?.find((q) => q.AccountQuotaName === 'ManualSnapshots')?.Used ?? 0;
  return [...planRetention(records, policy(used), NOW).deletes];
}

/** Step 2 of the module comment. */
interface PremiseCost {
  readonly deletesPerSecond: number;
  readonly runs: number;
  readonly deletes: number;
  readonly checks: number;
  readonly describeCalls: number;
}

async function apiCalls(): Promise<{ runs: number; ours: Record<string, number>; naive: Record<string, number>; samePlan: boolean; deletes: number; premise: PremiseCost[] }> {
  const rds = new RdsFake({ clock: new VirtualClock(NOW) });
  const stub = rds.install();
  try {
    rds.setQuota('ManualSnapshots', QUOTA, REGION);
    for (const g of generate()) {
      rds.addSnapshot({ id: g.id, region: REGION, instanceId: g.database, SnapshotCreateTime: g.createdAt, tags: Object.entries(g.tags).map(([Key, Value]) => ({ Key, Value })) });
    }
    const client = new RDSClient({ region: REGION, maxAttempts: 1 });
    const plane = controlPlaneFor('multi-az-instance', client, REGION);
    const offsite = controlPlaneFor('multi-az-instance', new RDSClient({ region: DR_REGION, maxAttempts: 1 }), DR_REGION);
    const restores = restoresFor('multi-az-instance', client, 'unused');
    const databases = Array.from({ length: DATABASES / SAMPLE_EVERY }, (_, i) => `db-${String(i * SAMPLE_EVERY).padStart(4, '0')}`);

    rds.clearCalls();
    const oursPlans = new Map<string, readonly string[]>();
    for (const database of databases) {
      const report = await runRetention(
        { database, policyName: POLICY_NAME, settings: SETTINGS, dryRun: true, executionArn: 'bench' },
        { plane, offsite, restores, archive: discard, now: () => NOW, sleep: async () => undefined, random: () => 0.5, publish: () => undefined },
      );
      oursPlans.set(database, report.planned);
    }
    const ours = rds.callCountsByCommand();

    rds.clearCalls();
    let samePlan = true;
    let deletes = 0;
    for (const database of databases) {
      const naive = await naiveRun(client, database);
      deletes += naive.length;
      samePlan &&= JSON.stringify(naive) === JSON.stringify(oursPlans.get(database));
    }
    const naiveCounts = rds.callCountsByCommand();

    // Step 3: real runs, half of the sample at each rate.
    const deleting = Array.from({ length: DATABASES / DELETE_SAMPLE_EVERY }, (_, i) => `db-${String(i * DELETE_SAMPLE_EVERY + 1).padStart(4, '0')}`);
    const premise: PremiseCost[] = [];
    for (const [half, deletesPerSecond] of [2, 10].entries()) {
      const sample = deleting.filter((_, i) => i % 2 === half);
      rds.clearCalls();
      let planned = 0;
      let checks = 0;
      for (const database of sample) {
        const report = await runRetention(
          { database, policyName: POLICY_NAME, settings: { ...SETTINGS, deletesPerSecond }, dryRun: false, executionArn: 'bench' },
          { plane, offsite, restores, archive: discard, now: () => NOW, sleep: async () => undefined, random: () => 0.5, publish: () => undefined },
        );
        planned += report.deleted.length;
        checks += report.premiseChecks;
      }
      const describeCalls = rds.calls({ command: 'DescribeDBSnapshots', region: REGION }).filter((c) => c.input.DBSnapshotIdentifier !== undefined).length;
      premise.push({ deletesPerSecond, runs: sample.length, deletes: planned, checks, describeCalls });
    }
    return { runs: databases.length, ours, naive: naiveCounts, samePlan, deletes, premise };
  } finally {
    stub.restore();
  }
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function describe(counts: Record<string, number>, runs: number): string {
  return Object.entries(counts)
    .map(([command, n]) => `${command} ${(n / runs).toFixed(0)}`)
    .join(' + ');
}

/** Prints the retention section of the bench. */
export async function benchRetention(): Promise<void> {
  const started = performance.now();
  console.log(`\n## retention: ${(DATABASES * PER_DATABASE).toLocaleString('en-US')} snapshots across ${DATABASES.toLocaleString('en-US')} databases`);

  const planning = planningInChild();
  const rise = Math.max(0, planning.maxRssAfter - planning.rssBefore);
  console.log(`planning, one plan over all (median of 5)   ${median(planning.samplesMs).toFixed(0).padStart(6)} ms  (${planning.deletes.toLocaleString('en-US')} deletes planned)`);
  console.log(`planning, 1,000 plans of 100 (median of 5)  ${median(planning.perDatabaseSamplesMs).toFixed(0).padStart(6)} ms  (as the λ runs: one database per run)`);
  console.log(
    `memory of one plan over all                 peak RSS +${mib(rise)} over ${mib(planning.rssBefore)} with the input built${planning.maxRssAfter === planning.maxRssBefore ? ' (planning did not raise the process peak)' : ''}; heap retained by the plan ${mib(planning.heapRetained)}`,
  );

  const calls = await apiCalls();
  const ours = total(calls.ours) / calls.runs;
  const naive = total(calls.naive) / calls.runs;
  const minutes = (perRun: number): string => ((perRun * DATABASES) / RDS_SUSTAINED_REQUESTS_PER_SECOND / 60).toFixed(1);
  console.log(`RDS API calls per run (one database of ${PER_DATABASE} snapshots, dry run), from the fake's call log over ${calls.runs} runs (every ${SAMPLE_EVERY}th database):`);
  console.log(`  ours   ${ours.toFixed(0).padStart(4)}  = ${describe(calls.ours, calls.runs)}`);
  console.log(`  naive  ${naive.toFixed(0).padStart(4)}  = ${describe(calls.naive, calls.runs)}`);
  console.log(
    `  ratio  ${(naive / ours).toFixed(1)}x fewer calls; for all ${DATABASES.toLocaleString('en-US')} databases ${(ours * DATABASES).toLocaleString('en-US')} vs ${(naive * DATABASES).toLocaleString('en-US')} calls, ${minutes(ours)} vs ${minutes(naive)} min of RDS's ~${RDS_SUSTAINED_REQUESTS_PER_SECOND} requests/s`,
  );
  console.log(`  same plans from both: ${calls.samePlan ? 'yes' : 'NO'}; deletes (identical for both, not counted above): ${(calls.deletes / calls.runs).toFixed(0)} per run`);
  console.log(`anchor re-checks before deleting (real runs of every ${DELETE_SAMPLE_EVERY}th database; a check before every delete would be 1 call per delete):`);
  for (const p of calls.premise) {
    console.log(
      `  deletesPerSecond ${String(p.deletesPerSecond).padStart(2)}: ${p.describeCalls} Describe calls (report: ${p.checks}) for ${p.deletes} deletes over ${p.runs} runs = ${(p.describeCalls / p.deletes).toFixed(2)} per delete, +${((100 * p.describeCalls) / (p.deletes + (total(calls.ours) / calls.runs) * p.runs)).toFixed(0)}% over the run's other calls`,
    );
  }
  console.log(`(retention section took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

if (import.meta.main) {
  if (process.argv.includes('--planning-child')) console.log(JSON.stringify(planningChild()));
  else await benchRetention();
}
