import { DescribeDBSnapshotsCommand, RDSClient, RDSServiceException, type DescribeDBSnapshotsMessage, type DBSnapshotMessage } from '@aws-sdk/client-rds';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { managedSnapshotTags, snapshotId, tierFor } from '../../functions/domain/snapshots/naming.ts';
import type { RetentionDeps, RetentionRunReport } from '../../functions/handlers/retention.ts';
import type { DatabaseControlPlane } from '../../functions/ports/database-control-plane.ts';
import { MemoryArchive } from '../support/memory-archive.ts';
import { setHandlerEnv } from '../support/handler-env.ts';
import { RdsFake, rdsFault, VirtualClock } from '../support/rds-fake.ts';
import { restoresFor } from '../../functions/adapters/rds/restore.ts';
import { CENTRAL, WEST, fakeRdsClient, instancePlanes } from '../support/rds-planes.ts';

const DAY = 86_400_000;
// A Sunday, half an hour after the day's backup: retention runs at the end of the backup workflow.
const NOW = '2026-11-29T02:30:00Z';
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:backup:run-1';
/** The configuration's defaults, at 4 deletes/s: one delete call every 250 ms. */
const SETTINGS = { daily: 7, weekly: 5, monthly: 12, yearly: 3, minimumCount: 3, quotaHeadroom: 10, deletesPerSecond: 4, maxVerifiedAgeHours: 48 };
const RULES = { weeklyOn: 'SUN', monthlyOnDay: 1, yearlyOn: '01-01' };

setHandlerEnv({ RETENTION_POLICY: JSON.stringify(SETTINGS) });
let core: typeof import('../../functions/handlers/retention.ts').core;
let metrics: typeof import('../../functions/shared/powertools.ts').metrics;
beforeAll(async () => {
  ({ core } = await import('../../functions/handlers/retention.ts'));
  ({ metrics } = await import('../../functions/shared/powertools.ts'));
});

/**
 * What an uninterrupted run leaves of the 400-day history (by hand, from the policy):
 * the 7 newest (tier-daily), the Sundays of the last 5 weeks (tier-weekly; 1 November is
 * a Sunday but its snapshot is monthly), the last 12 month starts (tier-monthly, 1 January
 * yearly included); and the three snapshots retention must never touch.
 */
const EXPECTED_KEPT = [
  'swifteats-daily-202611230200',
  'swifteats-daily-202611240200',
  'swifteats-daily-202611250200',
  'swifteats-daily-202611260200',
  'swifteats-daily-202611270200',
  'swifteats-daily-202611280200',
  'swifteats-legacy-202509010200',
  'swifteats-monthly-202512010200',
  'swifteats-monthly-202602010200',
  'swifteats-monthly-202603010200',
  'swifteats-monthly-202604010200',
  'swifteats-monthly-202605010200',
  'swifteats-monthly-202606010200',
  'swifteats-monthly-202607010200',
  'swifteats-monthly-202608010200',
  'swifteats-monthly-202609010200',
  'swifteats-monthly-202610010200',
  'swifteats-monthly-202611010200',
  'swifteats-pre-upgrade',
  'swifteats-held-202509150200',
  'swifteats-weekly-202611080200',
  'swifteats-weekly-202611150200',
  'swifteats-weekly-202611220200',
  'swifteats-weekly-202611290200',
  'swifteats-yearly-202601010200',
].sort();
/** History of 401 daily backups (days 0 to 400) minus the 22 it keeps. */
const EXPECTED_DELETES = 379;
const OLDEST = 'swifteats-daily-202510250200';
const SECOND_OLDEST = 'swifteats-weekly-202510260200';

let clock: VirtualClock;
let rds: RdsFake;
let stub: AwsClientStub<RDSClient>;
let archive: MemoryArchive;
let deps: RetentionDeps;
/** Every wait the handler asked for, in order; each advances the virtual clock instead of sleeping. */
let sleeps: number[];
/** Hooks run when the n-th wait (1-based) is asked for, i.e. just before the (n+1)-th delete call. */
let atSleep: Map<number, () => void>;

beforeEach(() => {
  clock = new VirtualClock(NOW);
  rds = new RdsFake({ clock });
  stub = rds.install();
  rds.setQuota('ManualSnapshots', 1000, WEST);
  archive = new MemoryArchive();
  sleeps = [];
  atSleep = new Map();
  const planes = instancePlanes();
  deps = {
    primary: planes.primary,
    dr: planes.dr,
    databases: { primary: planes.restores, dr: restoresFor('multi-az-instance', fakeRdsClient(CENTRAL), '18.3') },
    archive,
    now: () => clock.now(),
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
      atSleep.get(sleeps.length)?.();
    },
    random: () => 0.5,
  };
});

afterEach(() => {
  stub.restore();
  vi.restoreAllMocks();
  // The middleware flushes these after each invocation; core alone does not.
  metrics.clearMetrics();
  metrics.clearDimensions();
});

/** The runs' outcome records (`retention.run`), without the intent records written before deletes. */
function runRecords(): unknown[] {
  return archive.json('audit/').filter((r) => (r as { action: string }).action === 'retention.run');
}

/** A backup taken `daysAgo` days before NOW at 02:00 UTC, named and tagged as the backup workflow does. */
function backup(region: string, daysAgo: number, extraTags: Record<string, string> = {}): string {
  const at = new Date(Date.parse('2026-11-29T02:00:00Z') - daysAgo * DAY);
  const tier = tierFor(at, RULES, 'UTC');
  const id = snapshotId('swifteats', tier, at, 'UTC');
  const tags = { ...managedSnapshotTags('swifteats', tier, 'swifteats-gfs'), ...extraTags };
  rds.addSnapshot({ id, region, instanceId: 'swifteats', SnapshotCreateTime: at, tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
  return id;
}

/**
 * 401 daily backups (days 0 to 400, yesterday's verified), plus three old snapshots that
 * would expire if retention governed them: one made by hand (unmanaged), one of another
 * policy, one under legal hold. 404 snapshots: 5 pages of DescribeDBSnapshots.
 */
function seedHistory(): void {
  rds.addSnapshot({ id: 'swifteats-pre-upgrade', region: WEST, instanceId: 'swifteats', SnapshotCreateTime: new Date('2025-06-01T10:00:00Z') });
  rds.addSnapshot({
    id: 'swifteats-legacy-202509010200',
    region: WEST,
    instanceId: 'swifteats',
    SnapshotCreateTime: new Date('2025-09-01T02:00:00Z'),
    tags: [
      { Key: 'dr:managed', Value: 'true' },
      { Key: 'dr:tier', Value: 'daily' },
      { Key: 'dr:policy', Value: 'legacy-gfs' },
    ],
  });
  rds.addSnapshot({
    id: 'swifteats-held-202509150200',
    region: WEST,
    instanceId: 'swifteats',
    SnapshotCreateTime: new Date('2025-09-15T02:00:00Z'),
    tags: [
      { Key: 'dr:managed', Value: 'true' },
      { Key: 'dr:tier', Value: 'daily' },
      { Key: 'dr:policy', Value: 'swifteats-gfs' },
      { Key: 'dr:legal-hold', Value: 'case-4711' },
    ],
  });
  for (let day = 400; day >= 0; day -= 1) backup(WEST, day, day === 1 ? { 'dr:verified': 'passed' } : {});
}

function remaining(region: string = WEST): string[] {
  return rds
    .snapshots(region)
    .map((s) => s.DBSnapshotIdentifier ?? '')
    .sort();
}

function deleteCalls(): string[] {
  return rds.calls({ command: 'DeleteDBSnapshot' }).map((c) => String(c.input.DBSnapshotIdentifier));
}

function decisionOf(report: RetentionRunReport, id: string): { action: string; codes: readonly string[] } | undefined {
  const decision = report.decisions.find((d) => d.id === id);
  return decision && { action: decision.action, codes: decision.codes };
}

describe('retention λ: a 400-day history', () => {
  it('lists 5 pages with tags from the list response and deletes exactly the expired snapshots, oldest first', async () => {
    // Prepare
    seedHistory();
    const addMetric = vi.spyOn(metrics, 'addMetric');
    // Act
    const report = await core({ region: 'primary', executionArn: EXECUTION }, deps);
    // Assess
    // 5 list pages, 1 list of the DR copies (none), 95 re-checks of the anchor (one per 4 deletes, one second of deletes).
    // One DescribeDBInstances: the region's databases, for restore tests in progress.
    expect(rds.callCountsByCommand()).toEqual({ DescribeDBSnapshots: 101, DescribeAccountAttributes: 1, DescribeDBInstances: 1, DeleteDBSnapshot: EXPECTED_DELETES });
    expect(rds.callCount('DescribeDBSnapshots', CENTRAL)).toBe(1);
    expect(report.premiseChecks).toBe(Math.ceil(EXPECTED_DELETES / SETTINGS.deletesPerSecond));
    expect(report.premiseChanged).toBeNull();
    expect(rds.callCount('ListTagsForResource')).toBe(0);
    expect(remaining()).toEqual(EXPECTED_KEPT);
    expect(report.planned).toHaveLength(EXPECTED_DELETES);
    expect(report.planned.slice(0, 2)).toEqual([OLDEST, SECOND_OLDEST]);
    expect(deleteCalls()).toEqual(report.planned);
    expect(report.deleted).toEqual(report.planned);
    expect([report.alreadyGone, report.skipped, report.deferred, report.throttledRetries, report.dryRun]).toEqual([[], [], [], 0, false]);
    expect(report.decisions).toHaveLength(404);
    expect(decisionOf(report, 'swifteats-weekly-202611290200')).toEqual({ action: 'keep', codes: ['newer-than-verified', 'tier-daily', 'tier-weekly'] });
    expect(decisionOf(report, 'swifteats-daily-202611280200')).toEqual({ action: 'keep', codes: ['newest-verified', 'tier-daily'] });
    expect(decisionOf(report, 'swifteats-yearly-202601010200')).toEqual({ action: 'keep', codes: ['tier-monthly', 'tier-yearly'] });
    expect(decisionOf(report, 'swifteats-monthly-202511010200')).toEqual({ action: 'delete', codes: ['outside-retention'] });
    expect(report.decisions.find((d) => d.id === OLDEST)?.reasons).toEqual(['outside-retention: outside every tier it belongs to (daily: 7 newest)']);
    expect(report.alarms).toEqual([]);
    expect(report.quota).toEqual({ max: 1000, headroom: 10, used: 404, usedAfter: 25 });
    expect(report.metrics).toEqual({
      ManagedSnapshotCount: 24, // 22 of the history, the legacy-policy one and the held one
      SnapshotQuotaUsedRatio: 0.025,
      LatestSnapshotAgeSeconds: 1800,
      RetentionDeletedSnapshots: EXPECTED_DELETES,
      RetentionSafetyHold: 0,
    });
    expect(addMetric.mock.calls).toEqual([
      ['ManagedSnapshotCount', 'Count', 24],
      ['SnapshotQuotaUsedRatio', 'None', 0.025],
      ['LatestSnapshotAgeSeconds', 'Seconds', 1800],
      ['RetentionDeletedSnapshots', 'Count', EXPECTED_DELETES],
      ['RetentionSafetyHold', 'Count', 0],
    ]);
  });

  it('never deletes an unmanaged snapshot, one of another policy or one under legal hold', async () => {
    // Prepare
    seedHistory();
    // Act
    const report = await core({ region: 'primary' }, deps);
    // Assess
    expect(decisionOf(report, 'swifteats-pre-upgrade')).toEqual({ action: 'keep', codes: ['unmanaged'] });
    expect(decisionOf(report, 'swifteats-legacy-202509010200')).toEqual({ action: 'keep', codes: ['other-policy'] });
    expect(decisionOf(report, 'swifteats-held-202509150200')).toEqual({ action: 'keep', codes: ['legal-hold'] });
    const untouchable = ['swifteats-pre-upgrade', 'swifteats-legacy-202509010200', 'swifteats-held-202509150200'];
    expect(deleteCalls().filter((id) => untouchable.includes(id))).toEqual([]);
    expect(remaining().filter((id) => untouchable.includes(id))).toEqual(untouchable.sort());
  });

  it('writes one audit record per run with every decision and what was deleted', async () => {
    // Prepare
    seedHistory();
    // Act
    const report = await core({ region: 'primary', executionArn: EXECUTION }, deps);
    // Assess
    const { audit, ...details } = report;
    expect(archive.json('audit/').filter((r) => (r as { action: string }).action === 'retention.run')).toEqual([
      {
        formatVersion: 1,
        action: 'retention.run',
        database: 'swifteats',
        resource: 'swifteats',
        // 378 paced waits of 250 ms after the plan.
        at: '2026-11-29T02:31:34.500Z',
        executionArn: EXECUTION,
        result: 'succeeded',
        details: JSON.parse(JSON.stringify(details)),
        // The intent record written before the first delete.
        documents: [report.intent],
      },
    ]);
    expect(audit.key).toMatch(/^audit\/swifteats\/2026\/11\/29\/2026-11-29T02:31:34\.500Z-retention\.run-[0-9a-f-]{36}\.json$/);
  });
});

describe('retention λ: no delete without its record', () => {
  it('writes an intent record naming every planned snapshot before the first delete, so a lost outcome record loses nothing', async () => {
    // Prepare: the outcome record cannot be written.
    seedHistory();
    const deletesWhenIntentWritten: number[] = [];
    const put = archive.put.bind(archive);
    archive.put = async (key, body, type) => {
      if (key.includes('-retention.intent-')) deletesWhenIntentWritten.push(rds.callCount('DeleteDBSnapshot'));
      if (key.includes('-retention.run-')) throw Object.assign(new Error('We encountered an internal error.'), { name: 'ArchiveWriteError' });
      return put(key, body, type);
    };
    // Act
    await expect(core({ region: 'primary', executionArn: EXECUTION }, deps)).rejects.toMatchObject({ name: 'ArchiveWriteError' });
    // Assess: every deleted snapshot is named by a record written before any delete.
    const deleted = rds.calls({ command: 'DeleteDBSnapshot' }).filter((c) => c.outcome === 'ok').map((c) => c.input.DBSnapshotIdentifier);
    expect(deleted).toHaveLength(EXPECTED_DELETES);
    expect(deletesWhenIntentWritten).toEqual([0]);
    const [intent] = archive.json('audit/') as { action: string; result: string; executionArn: string; details: { deletes: { id: string; reasons: string[] }[] } }[];
    expect(intent).toMatchObject({ action: 'retention.intent', result: 'intent', executionArn: EXECUTION });
    expect(intent?.details.deletes.map((d) => d.id)).toEqual(deleted);
    expect(intent?.details.deletes[0]?.reasons.length).toBeGreaterThan(0);
  });

  it('deletes nothing when the intent record cannot be written (ArchiveWriteError, retried by the workflow)', async () => {
    seedHistory();
    archive.failPuts = 1;
    await expect(core({ region: 'primary', executionArn: EXECUTION }, deps)).rejects.toMatchObject({ name: 'ArchiveWriteError' });
    expect(rds.callCount('DeleteDBSnapshot')).toBe(0);
  });
});

describe('retention λ: dry run', () => {
  it('deletes nothing and reports the plan that a real run then applies', async () => {
    // Prepare
    seedHistory();
    // Act
    const dry = await core({ region: 'primary', dryRun: true }, deps);
    const callsOfDryRun = rds.callCountsByCommand();
    const waitsOfDryRun = sleeps.length;
    const real = await core({ region: 'primary' }, deps);
    // Assess
    // 5 list pages in the primary region, 1 in the DR region (the copies' status); no anchor re-check without deletes.
    expect(callsOfDryRun).toEqual({ DescribeDBSnapshots: 6, DescribeAccountAttributes: 1, DescribeDBInstances: 1 });
    expect(dry.dryRun).toBe(true);
    expect(dry.deleted).toEqual([]);
    expect(waitsOfDryRun).toBe(0);
    expect(dry.decisions).toEqual(real.decisions);
    expect(dry.planned).toEqual(real.planned);
    expect(dry.metrics).toEqual({ ManagedSnapshotCount: 403, SnapshotQuotaUsedRatio: 0.404, LatestSnapshotAgeSeconds: 1800, RetentionDeletedSnapshots: 0, RetentionSafetyHold: 0 });
    // Same virtual time for both runs: key order says nothing here.
    expect(archive.json('audit/').map((r) => (r as { result: string }).result).sort()).toEqual(['dry-run', 'intent', 'succeeded']);
  });
});

describe('retention λ: pacing', () => {
  it('waits 1000 / deletesPerSecond ms between delete calls, and not before the first', async () => {
    // Prepare
    seedHistory();
    // Act
    await core({ region: 'primary' }, deps);
    // Assess
    expect(sleeps).toEqual(Array.from({ length: EXPECTED_DELETES - 1 }, () => 250));
    const times = rds.calls({ command: 'DeleteDBSnapshot' }).map((c) => c.at.getTime());
    const gaps = new Set(times.slice(1).map((t, i) => t - (times[i] ?? 0)));
    expect(gaps).toEqual(new Set([250]));
  });
});

describe('retention λ: throttling', () => {
  it('backs off on a throttling burst mid-deletes, retries, and finishes the plan', async () => {
    // Prepare: the second delete call meets three Throttling responses.
    seedHistory();
    atSleep.set(1, () => rds.throttle(3, { commands: ['DeleteDBSnapshot'] }));
    // Act
    const report = await core({ region: 'primary' }, deps);
    // Assess: back-off 1, 2, 4 s with equal jitter at random 0.5, then the pace again.
    expect(sleeps.slice(0, 6)).toEqual([250, 750, 1500, 3000, 250, 250]);
    expect(report.throttledRetries).toBe(3);
    expect(rds.calls({ command: 'DeleteDBSnapshot' }).slice(0, 5).map((c) => [c.input.DBSnapshotIdentifier, c.outcome])).toEqual([
      [OLDEST, 'ok'],
      [SECOND_OLDEST, 'Throttling'],
      [SECOND_OLDEST, 'Throttling'],
      [SECOND_OLDEST, 'Throttling'],
      [SECOND_OLDEST, 'ok'],
    ]);
    expect(report.deleted).toEqual(report.planned);
    expect(remaining()).toEqual(EXPECTED_KEPT);
  });

  it('gives up with ThrottledError after 4 retries, audits the partial run, and a re-run resumes', async () => {
    // Prepare
    seedHistory();
    atSleep.set(1, () => rds.throttle(5, { commands: ['DeleteDBSnapshot'] }));
    // Act
    const failed = core({ region: 'primary' }, deps);
    // Assess
    await expect(failed).rejects.toMatchObject({
      name: 'ThrottledError',
      message: `DeleteSnapshot ${SECOND_OLDEST}: still throttled after 4 retries; 1 deleted so far, a re-run resumes`,
    });
    expect(sleeps).toEqual([250, 750, 1500, 3000, 6000]);
    const [record] = runRecords() as { result: string; details: { deleted: string[]; error: unknown } }[];
    expect(record?.result).toBe('failed');
    expect(record?.details.deleted).toEqual([OLDEST]);
    expect(record?.details.error).toEqual({ name: 'ThrottledError', message: `DeleteSnapshot ${SECOND_OLDEST}: still throttled after 4 retries; 1 deleted so far, a re-run resumes` });
    // Act: the state machine's retry.
    const rerun = await core({ region: 'primary' }, deps);
    // Assess
    expect(rerun.planned).toHaveLength(EXPECTED_DELETES - 1);
    expect(rerun.deleted).toEqual(rerun.planned);
    expect(remaining()).toEqual(EXPECTED_KEPT);
  });
});

describe('retention λ: concurrent changes and interruptions', () => {
  it('counts a snapshot someone else deleted between the listing and our delete as done', async () => {
    // Prepare: an operator deletes the second-oldest snapshot while the run is pacing.
    seedHistory();
    atSleep.set(1, () => {
      void rds.handle('DeleteDBSnapshot', { DBSnapshotIdentifier: SECOND_OLDEST }, WEST);
    });
    // Act
    const report = await core({ region: 'primary' }, deps);
    // Assess
    expect(report.alreadyGone).toEqual([SECOND_OLDEST]);
    expect(report.deleted).toEqual(report.planned.filter((id) => id !== SECOND_OLDEST));
    expect(rds.calls({ command: 'DeleteDBSnapshot' }).slice(0, 3).map((c) => [c.input.DBSnapshotIdentifier, c.outcome])).toEqual([
      [OLDEST, 'ok'],
      [SECOND_OLDEST, 'ok'], // the operator's call
      [SECOND_OLDEST, 'DBSnapshotNotFoundFault'],
    ]);
    expect(report.metrics).toMatchObject({ ManagedSnapshotCount: 24, SnapshotQuotaUsedRatio: 0.025, RetentionDeletedSnapshots: EXPECTED_DELETES - 1 });
    expect(remaining()).toEqual(EXPECTED_KEPT);
  });

  it('skips and reports a snapshot RDS will not delete in its state, and the next run deletes it', async () => {
    // Prepare
    seedHistory();
    rds.failNext('DeleteDBSnapshot', rdsFault('InvalidDBSnapshotState', `Cannot delete the snapshot ${OLDEST} because it is in the copying state.`));
    // Act
    const report = await core({ region: 'primary' }, deps);
    // Assess
    expect(report.skipped).toEqual([
      { id: OLDEST, reason: `DeleteDBSnapshot: InvalidDBSnapshotStateFault: Cannot delete the snapshot ${OLDEST} because it is in the copying state.` },
    ]);
    expect(report.deleted).toEqual(report.planned.slice(1));
    expect(remaining()).toEqual([...EXPECTED_KEPT, OLDEST].sort());
    // Act: the next scheduled run.
    const next = await core({ region: 'primary' }, deps);
    // Assess
    expect(next.deleted).toEqual([OLDEST]);
    expect(remaining()).toEqual(EXPECTED_KEPT);
  });

  it('keeps a snapshot IAM refuses to delete (a legal hold set after the listing) and goes on with the others', async () => {
    // Prepare: the retention role's deny on dr:legal-hold answers AccessDenied for the oldest.
    seedHistory();
    rds.failNext('DeleteDBSnapshot', new RDSServiceException({ name: 'AccessDenied', $fault: 'client', message: `not authorized to perform: rds:DeleteDBSnapshot on ${OLDEST} with an explicit deny`, $metadata: {} }));
    // Act
    const report = await core({ region: 'primary' }, deps);
    // Assess
    expect(report.skipped).toEqual([{ id: OLDEST, reason: `DeleteDBSnapshot: AccessDenied: not authorized to perform: rds:DeleteDBSnapshot on ${OLDEST} with an explicit deny` }]);
    expect(report.deleted).toEqual(report.planned.slice(1));
    expect(remaining()).toEqual([...EXPECTED_KEPT, OLDEST].sort());
  });

  it('converges after a crash at the 5th delete: the re-run deletes exactly the rest', async () => {
    // Prepare: the 5th delete call fails with an error nobody planned for.
    seedHistory();
    atSleep.set(4, () => rds.failNext('DeleteDBSnapshot', Object.assign(new Error('We encountered an internal error. Please try again.'), { name: 'InternalFailure' })));
    // Act
    await expect(core({ region: 'primary' }, deps)).rejects.toMatchObject({ name: 'InternalFailure' });
    const [crashed] = runRecords() as { result: string; details: { planned: string[]; deleted: string[] } }[];
    const rerun = await core({ region: 'primary' }, deps);
    // Assess
    expect(crashed?.result).toBe('failed');
    expect(crashed?.details.deleted).toEqual(crashed?.details.planned.slice(0, 4));
    expect(rerun.planned).toEqual(crashed?.details.planned.slice(4));
    expect(rerun.deleted).toEqual(rerun.planned);
    expect(remaining()).toEqual(EXPECTED_KEPT);
    const succeeded = rds.calls({ command: 'DeleteDBSnapshot' }).filter((c) => c.outcome === 'ok');
    expect(new Set(succeeded.map((c) => c.input.DBSnapshotIdentifier)).size).toBe(EXPECTED_DELETES);
    expect(succeeded).toHaveLength(EXPECTED_DELETES);
  });

  it('stops before the time budget runs out and leaves the rest to the next run', async () => {
    // Prepare: the 30 s reserve plus 12 paces of budget; the first delete needs no pace, so 13 fit.
    seedHistory();
    const deadline = clock.now().getTime() + 30_000 + 12 * 250;
    // Act
    const report = await core({ region: 'primary' }, { ...deps, remainingTimeMs: () => deadline - clock.now().getTime() });
    // Assess
    expect(report.deleted).toEqual(report.planned.slice(0, 13));
    expect(report.deferred).toEqual(report.planned.slice(13));
    expect(deadline - clock.now().getTime()).toBe(30_000);
    const next = await core({ region: 'primary' }, deps);
    expect(next.deleted).toEqual(report.deferred);
    expect(remaining()).toEqual(EXPECTED_KEPT);
  });
});

describe('retention λ: safety', () => {
  it('deletes nothing when the planner refuses the policy against the real quota', async () => {
    // Prepare: an account quota smaller than the configured headroom.
    seedHistory();
    rds.setQuota('ManualSnapshots', 8, WEST);
    // Act / Assess
    await expect(core({ region: 'primary' }, deps)).rejects.toMatchObject({ name: 'ValidationError', problems: ['quota.headroom: 10 must be less than quota.max (8)'] });
    expect(rds.callCount('DeleteDBSnapshot')).toBe(0);
    expect(archive.documents.size).toBe(0);
  });

  it('deletes nothing when the listing names a snapshot twice (RetentionSafetyError)', async () => {
    // Prepare: a listing that repeats one snapshot, as a buggy or replayed page would.
    seedHistory();
    const plane = deps.primary;
    const repeating: DatabaseControlPlane = Object.assign(Object.create(plane) as DatabaseControlPlane, {
      listManualSnapshots: async (database: string) => {
        const all = await plane.listManualSnapshots(database);
        return [...all, ...all.filter((s) => s.id === SECOND_OLDEST)];
      },
    });
    // Act / Assess
    await expect(core({ region: 'primary' }, { ...deps, primary: repeating })).rejects.toMatchObject({
      name: 'RetentionSafetyError',
      message: `snapshot id "${SECOND_OLDEST}" appears twice in the input; nothing was planned`,
    });
    expect(rds.callCount('DeleteDBSnapshot')).toBe(0);
  });

  it('freezes expiry in the DR region when no copy is verified, and counts the held snapshots', async () => {
    // Prepare: ten days of offsite copies, none verified.
    for (let day = 9; day >= 0; day -= 1) backup(CENTRAL, day);
    // Act
    const report = await core({ region: 'dr' }, deps);
    // Assess
    expect(rds.calls().map((c) => c.region)).toEqual(Array.from({ length: 3 }, () => CENTRAL));
    expect(report.region).toBe(CENTRAL);
    expect(report.planned).toEqual([]);
    expect(report.alarms).toEqual([
      {
        code: 'no-verified-snapshot',
        database: 'swifteats',
        message: 'no snapshot of swifteats has passed a restore test: expiry is frozen, 2 snapshot(s) that would expire are kept',
      },
    ]);
    expect(report.decisions.filter((d) => d.codes.includes('expiry-frozen')).map((d) => d.id)).toEqual(['swifteats-daily-202611200200', 'swifteats-daily-202611210200']);
    expect(report.metrics).toEqual({ ManagedSnapshotCount: 10, SnapshotQuotaUsedRatio: 0.1, LatestSnapshotAgeSeconds: 1800, RetentionDeletedSnapshots: 0, RetentionSafetyHold: 2 });
    expect(remaining(CENTRAL)).toHaveLength(10);
  });
});

describe('retention λ: input', () => {
  it('names every bad field of a malformed event and makes no RDS call', async () => {
    // Act / Assess
    await expect(core({ region: 'west', dryRun: 'yes', executionArn: 5 }, deps)).rejects.toMatchObject({
      name: 'ValidationError',
      problems: ['region: "west" is not one of primary, dr', 'dryRun: "yes" is not true or false', 'executionArn: 5 is not a non-empty string'],
    });
    await expect(core(null, deps)).rejects.toMatchObject({ problems: ['event: must be a JSON object, got null', 'region: required, one of primary, dr'] });
    await expect(core({ region: 'dr' }, { ...deps, dr: null })).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: 'no DR region is configured (DR_REGION=none): no DR snapshots to expire',
    });
    expect(rds.calls()).toEqual([]);
  });

  it('fails the cold start on an invalid RETENTION_POLICY, naming each bad field', async () => {
    // Prepare
    vi.resetModules();
    process.env.RETENTION_POLICY = JSON.stringify({ ...SETTINGS, weekly: -1, deletesPerSecond: 20, hourly: 24 });
    try {
      // Act / Assess
      await expect(import('../../functions/handlers/retention.ts')).rejects.toMatchObject({
        name: 'ConfigurationError',
        message:
          // The one format of every environment problem (functions/contracts/env-schema.ts).
          'invalid environment: RETENTION_POLICY: hourly: unknown setting; allowed: daily, weekly, monthly, yearly, minimumCount, quotaHeadroom, deletesPerSecond, maxVerifiedAgeHours; ' +
          'deletesPerSecond: 20 must be a number > 0 and <= 10; weekly: -1 must be an integer >= 0',
      });
    } finally {
      process.env.RETENTION_POLICY = JSON.stringify(SETTINGS);
      vi.resetModules();
    }
  });
});

/** The newest verified snapshot of the 400-day history: yesterday's. */
const ANCHOR = 'swifteats-daily-202611280200';
const THIRD_OLDEST = 'swifteats-daily-202510270200';

/**
 * Makes DescribeDBSnapshots answer as RDS does for a snapshot that is not yet available: no
 * `SnapshotCreateTime` (RDS sets it once the snapshot is available). Local to these tests, over
 * the fake's own answer, so that it holds whatever the fake does.
 */
function withoutCreateTimeUntilAvailable(options: { creatingHasNoTime?: boolean } = {}): void {
  stub.on(DescribeDBSnapshotsCommand).callsFake((input: DescribeDBSnapshotsMessage, getClient: () => RDSClient) => {
    const client = getClient(); // synchronously: see RdsFake.install
    return (async () => {
      const region = await client.config.region();
      const out = (await rds.handle('DescribeDBSnapshots', input, region)) as DBSnapshotMessage;
      return {
        ...out,
        DBSnapshots: out.DBSnapshots?.map((s) =>
          s.Status === 'available'
            ? s
            : { ...s, SnapshotCreateTime: undefined, ...(options.creatingHasNoTime === true && s.Status === 'creating' ? { OriginalSnapshotCreateTime: undefined } : {}) },
        ),
      };
    })();
  });
}

/** Starts the offsite copy of a primary snapshot, as the backup workflow does. */
async function copyOffsite(id: string): Promise<void> {
  const sourceArn = rds.snapshotArn(WEST, id);
  const tags = { ...Object.fromEntries((rds.snapshot(WEST, id)?.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])), 'dr:copy-of': sourceArn };
  await (deps.dr as DatabaseControlPlane).copySnapshot({ sourceArn, sourceRegion: WEST, targetId: id, kmsKeyId: rds.defaultKmsKeyArn(CENTRAL), tags });
}

describe('retention λ: snapshots in use (issue 10 fix 4, issue 9 defect 8)', () => {
  it('keeps the snapshot a restore test is restoring from, and only while its temporary database is alive', async () => {
    // Prepare: a restore test of the oldest snapshot is running, one of the second oldest is deleting its temporary
    // database (the failure path records its verdict after that), and another database's test is not ours to honour.
    seedHistory();
    const temporary = (id: string, source: string, database: string, status?: string) =>
      rds.addInstance({
        id,
        region: WEST,
        ...(status === undefined ? {} : { status }),
        tags: [
          { Key: 'dr:temporary', Value: 'true' },
          { Key: 'dr:database', Value: database },
          { Key: 'dr:source-snapshot', Value: source },
          { Key: 'dr:expires-at', Value: '2026-11-29T08:00:00.000Z' },
        ],
      });
    temporary('swifteats-vfy-d202510250200', OLDEST, 'swifteats');
    temporary('swifteats-vfy-w202510260200', SECOND_OLDEST, 'swifteats');
    await rds.handle('DeleteDBInstance', { DBInstanceIdentifier: 'swifteats-vfy-w202510260200', SkipFinalSnapshot: true }, WEST);
    expect(rds.instance(WEST, 'swifteats-vfy-w202510260200')?.DBInstanceStatus).toBe('deleting');
    temporary('orders-vfy-d202510270200', THIRD_OLDEST, 'orders');
    // Act
    const report = await core({ region: 'primary' }, deps);
    // Assess
    expect(report.decisions.find((d) => d.id === OLDEST)).toMatchObject({
      action: 'keep',
      codes: ['restore-test-in-progress'],
      reasons: [
        'restore-test-in-progress: temporary database swifteats-vfy-d202510250200 is being restored from it for a restore test: kept while that database exists (this rule wins over expiry)',
      ],
    });
    expect(decisionOf(report, SECOND_OLDEST)).toEqual({ action: 'keep', codes: ['restore-test-in-progress'] });
    expect(report.planned).toHaveLength(EXPECTED_DELETES - 2);
    expect(deleteCalls()).not.toContain(OLDEST);
    expect(deleteCalls()).not.toContain(SECOND_OLDEST);
    expect(deleteCalls()).toContain(THIRD_OLDEST);
    // Act: the tests ended and their temporary databases are gone; the next run expires the snapshots.
    await rds.handle('DeleteDBInstance', { DBInstanceIdentifier: 'swifteats-vfy-d202510250200', SkipFinalSnapshot: true }, WEST);
    clock.advance(rds.durations.instanceDeleteMs);
    const next = await core({ region: 'primary' }, deps);
    expect(next.deleted).toEqual([OLDEST, SECOND_OLDEST]);
    expect(remaining()).toEqual(EXPECTED_KEPT);
  });

  it('keeps a source whose DR copy is still in progress, and expires it once the copy is available', async () => {
    // Prepare: a queued offsite copy of the oldest snapshot (a re-run copy), still copying.
    seedHistory();
    await copyOffsite(OLDEST);
    // Act
    const report = await core({ region: 'primary' }, deps);
    // Assess
    const status = report.decisions.find((d) => d.id === OLDEST);
    expect(status?.action).toBe('keep');
    expect(status?.codes).toEqual(['copy-in-progress']);
    expect(status?.reasons[0]).toMatch(/^copy-in-progress: its copy in eu-central-1 is "(pending|copying)", not yet available: deleting the source could fail the copy \(this rule wins over expiry\)$/);
    expect(report.planned).toHaveLength(EXPECTED_DELETES - 1);
    expect(deleteCalls()).not.toContain(OLDEST);
    // Act: the copy completes; the next run.
    clock.advance(rds.durations.crossRegionCopyMs);
    expect(rds.snapshot(CENTRAL, OLDEST)?.Status).toBe('available');
    const next = await core({ region: 'primary' }, deps);
    // Assess
    expect(next.deleted).toEqual([OLDEST]);
    expect(remaining()).toEqual(EXPECTED_KEPT);
  });

  it('keeps a DR copy in progress, which RDS reports without a creation time, without the unclassifiable alarm', async () => {
    // Prepare: verified copies in the DR region and a copy still in progress.
    withoutCreateTimeUntilAvailable();
    backup(WEST, 3);
    backup(CENTRAL, 2);
    backup(CENTRAL, 1, { 'dr:verified': 'passed' });
    backup(CENTRAL, 0);
    const queued = snapshotId('swifteats', tierFor(new Date(Date.parse('2026-11-29T02:00:00Z') - 3 * DAY), RULES, 'UTC'), new Date(Date.parse('2026-11-29T02:00:00Z') - 3 * DAY), 'UTC');
    await copyOffsite(queued);
    // Act
    const report = await core({ region: 'dr' }, deps);
    // Assess
    const listed = (await (deps.dr as DatabaseControlPlane).listManualSnapshots('swifteats')).find((s) => s.id === queued);
    expect(listed?.createdAt).toBeNull();
    expect(report.alarms).toEqual([]);
    const decision = report.decisions.find((d) => d.id === queued);
    expect(decision?.action).toBe('keep');
    expect(decision?.codes).toEqual(['not-available']);
    expect(decision?.reasons[0]).toMatch(/^not-available: status is "(pending|copying)", not "available": in progress, kept until available/);
  });

  it('keeps a snapshot being created, which RDS reports with no time at all, without the unclassifiable alarm', async () => {
    // Prepare: a verified history and today's snapshot still `creating` (no SnapshotCreateTime nor OriginalSnapshotCreateTime yet).
    withoutCreateTimeUntilAvailable({ creatingHasNoTime: true });
    rds.addInstance({ id: 'swifteats', region: WEST });
    backup(WEST, 2);
    backup(WEST, 1, { 'dr:verified': 'passed' });
    await deps.primary.createSnapshot('swifteats', 'swifteats-daily-202611290230', managedSnapshotTags('swifteats', 'daily', 'swifteats-gfs'));
    // Act
    const report = await core({ region: 'primary' }, deps);
    // Assess
    expect(report.alarms).toEqual([]);
    expect(report.decisions.find((d) => d.id === 'swifteats-daily-202611290230')).toEqual({
      id: 'swifteats-daily-202611290230',
      database: 'swifteats',
      action: 'keep',
      codes: ['not-available'],
      reasons: ['not-available: status is "creating", not "available": in progress, kept until available (RDS reports no creation time before)'],
    });
  });
});

describe('retention λ: copies ordered by the time of their data (issue 10 fix 5)', () => {
  it('counts a copy re-run days later as old as its data: it takes no newer restore point\'s slot', async () => {
    // Prepare: DR copies of the last 10 days (yesterday's verified), and a copy of the
    // 10-day-old snapshot that failed back then and was re-run now.
    for (let day = 9; day >= 0; day -= 1) backup(CENTRAL, day, day === 1 ? { 'dr:verified': 'passed' } : {});
    const late = backup(WEST, 10);
    await copyOffsite(late);
    clock.advance(rds.durations.crossRegionCopyMs);
    const copy = rds.snapshot(CENTRAL, late);
    expect(copy?.Status).toBe('available');
    expect(copy?.SnapshotCreateTime).toEqual(new Date(Date.parse(NOW)));
    // Act
    const report = await core({ region: 'dr' }, deps);
    // Assess: the seven newest data points (days 0-6) keep their daily slots; the late copy holds data of day 10.
    expect(decisionOf(report, 'swifteats-daily-202611230200')).toEqual({ action: 'keep', codes: ['tier-daily'] }); // day 6
    expect(decisionOf(report, late)).toEqual({ action: 'delete', codes: ['outside-retention'] });
    expect(report.planned).toEqual(['swifteats-daily-202611190200', 'swifteats-daily-202611200200', 'swifteats-daily-202611210200']);
    // The newest data offsite is today's backup (02:00), not the late copy: 50 minutes old at 02:50.
    expect(report.metrics.LatestSnapshotAgeSeconds).toBe(3000);
  });
});

describe('retention λ: the plan\'s premise re-checked before deleting (issue 10 fix 6)', () => {
  it.each([
    ['re-tagged as failed', () => void rds.handle('AddTagsToResource', { ResourceName: rds.snapshotArn(WEST, ANCHOR), Tags: [{ Key: 'dr:verified', Value: 'failed' }] }, WEST), 'is now dr:verified=failed, dr:managed=true'],
    ['deleted', () => void rds.handle('DeleteDBSnapshot', { DBSnapshotIdentifier: ANCHOR }, WEST), 'no longer exists'],
  ])('stops deleting within one second of deletes when the newest verified snapshot is %s after the listing', async (_, change, why) => {
    // Prepare: the change lands after the 5th delete call; the anchor is re-read every 4 deletes (one second).
    seedHistory();
    atSleep.set(5, change);
    // Act
    const report = await core({ region: 'primary' }, deps);
    // Assess: deletes 1-8 ran (the check before the 5th passed), the check before the 9th stopped the rest.
    expect(report.deleted).toEqual(report.planned.slice(0, 8));
    expect(report.deferred).toEqual(report.planned.slice(8));
    expect(report.premiseChanged).toBe(`${ANCHOR}, the newest verified snapshot the plan rests on, ${why}`);
    expect(report.premiseChecks).toBe(3);
    // Act: the next run re-plans: no verified snapshot is left, so expiry freezes.
    const next = await core({ region: 'primary' }, deps);
    // Assess
    expect(next.planned).toEqual([]);
    expect(next.alarms.map((a) => a.code)).toEqual(['no-verified-snapshot']);
    expect(rds.callCount('DeleteDBSnapshot')).toBe(8 + (why === 'no longer exists' ? 1 : 0));
  });
});
