import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dataTimeOf } from '../../functions/domain/retention/data-time.ts';
import { planRetention, validateRetentionPolicy } from '../../functions/domain/retention/planner.ts';
import type { RetentionPlan, RetentionPolicy, SnapshotRecord } from '../../functions/domain/retention/model.ts';
import { TIERS, type Tier } from '../../functions/domain/snapshots/naming.ts';
import { RetentionSafetyError, ValidationError } from '../../functions/shared/errors.ts';

const POLICY: RetentionPolicy = {
  name: 'gfs',
  daily: 7,
  weekly: 4,
  monthly: 12,
  yearly: 3,
  minimumCount: 3,
  maxVerifiedAgeHours: 48,
  quota: { max: 100, headroom: 10 },
};

const DAY = 86_400_000;

/** `yyyymmddHHMM` in UTC, the stamp of a deterministic snapshot id. */
function stamp(time: Date): string {
  return time.toISOString().slice(0, 16).replace(/[-T:]/g, '');
}

/** A snapshot as the backup workflow creates it: `<db>-<tier>-<stamp>`, managed, under policy `gfs`. */
function backup(database: string, tier: string, iso: string, tags: Record<string, string> = {}, over: Partial<SnapshotRecord> = {}): SnapshotRecord {
  const createdAt = new Date(iso);
  return {
    id: `${database}-${tier}-${stamp(createdAt)}`,
    database,
    createdAt,
    status: 'available',
    type: 'manual',
    tags: { 'dr:managed': 'true', 'dr:tier': tier, 'dr:policy': 'gfs', ...tags },
    ...over,
  };
}

/** The tier the backup schedule gives a date: 1 January yearly, the 1st monthly, Sunday weekly, else daily. */
function tierOf(date: Date): Tier {
  if (date.getUTCMonth() === 0 && date.getUTCDate() === 1) return 'yearly';
  if (date.getUTCDate() === 1) return 'monthly';
  if (date.getUTCDay() === 0) return 'weekly';
  return 'daily';
}

function byId(plan: RetentionPlan, id: string) {
  const decision = plan.decisions.find((d) => d.id === id);
  if (!decision) throw new Error(`no decision for ${id}`);
  return decision;
}

function kept(plan: RetentionPlan): string[] {
  return plan.decisions.filter((d) => d.action === 'keep').map((d) => d.id);
}

function without(snapshots: readonly SnapshotRecord[], ids: readonly string[]): SnapshotRecord[] {
  const gone = new Set(ids);
  return snapshots.filter((s) => !gone.has(s.id));
}

describe('planRetention, worked examples', () => {
  // 400 daily backups at 02:00 UTC ending Tuesday 2026-01-20; each one restore-tested at 06:00.
  const NOW = new Date('2026-01-20T07:00:00Z');
  const FAILED = 'swifteats-daily-202601160200';
  const history = Array.from({ length: 400 }, (_, i) => {
    const day = new Date(Date.UTC(2026, 0, 20, 2) - (399 - i) * DAY);
    return backup('swifteats', tierOf(day), day.toISOString(), { 'dr:verified': 'passed' });
  }).map((s) => (s.id === FAILED ? { ...s, tags: { ...s.tags, 'dr:verified': 'failed' } } : s));
  const policy: RetentionPolicy = { ...POLICY, quota: { max: 500, headroom: 20 } };
  const expectedKept = [
    'swifteats-yearly-202501010200',
    'swifteats-monthly-202502010200',
    'swifteats-monthly-202503010200',
    'swifteats-monthly-202504010200',
    'swifteats-monthly-202505010200',
    'swifteats-monthly-202506010200',
    'swifteats-monthly-202507010200',
    'swifteats-monthly-202508010200',
    'swifteats-monthly-202509010200',
    'swifteats-monthly-202510010200',
    'swifteats-monthly-202511010200',
    'swifteats-monthly-202512010200',
    'swifteats-yearly-202601010200',
    'swifteats-weekly-202601040200',
    'swifteats-weekly-202601110200',
    'swifteats-daily-202601130200',
    'swifteats-daily-202601140200',
    'swifteats-daily-202601150200',
    'swifteats-daily-202601170200',
    'swifteats-weekly-202601180200',
    'swifteats-daily-202601190200',
    'swifteats-daily-202601200200',
  ];

  it('keeps 7 daily, 4 weekly, 12 monthly and the yearly snapshots of a 400-day history', () => {
    // Prepare: the history above; 2026-01-16 failed its restore test.

    // Act
    const plan = planRetention(history, policy, NOW);

    // Assess
    expect(kept(plan)).toEqual(expectedKept);
    expect(plan.deletes).toHaveLength(378);
    expect(plan.deletes[0]).toBe('swifteats-daily-202412170200');
    expect(plan.deletes.at(-1)).toBe(FAILED);
    expect(byId(plan, 'swifteats-daily-202601200200').codes).toEqual(['newest-verified', 'tier-daily']);
    expect(byId(plan, 'swifteats-weekly-202601180200').codes).toEqual(['tier-daily', 'tier-weekly']);
    expect(byId(plan, 'swifteats-yearly-202601010200').codes).toEqual(['tier-weekly', 'tier-monthly', 'tier-yearly']);
    expect(byId(plan, 'swifteats-yearly-202501010200').codes).toEqual(['tier-yearly']);
    expect(byId(plan, 'swifteats-weekly-202512280200').reasons).toEqual([
      'outside-retention: outside every tier it belongs to (daily: 7 newest, weekly: 4 newest)',
    ]);
    expect(byId(plan, FAILED).reasons).toEqual([
      'verification-failed: failed its restore test (dr:verified=failed), so it holds no tier slot, and is older than swifteats-daily-202601200200, the newest verified snapshot',
    ]);
    expect(byId(plan, 'swifteats-daily-202601200200').reasons).toEqual([
      'newest-verified: the newest snapshot of swifteats that passed a restore test',
      'tier-daily: one of the 7 newest snapshots of swifteats of tier daily or above',
    ]);
    expect(plan.alarms).toEqual([]);
    expect(plan.quota).toEqual({ max: 500, headroom: 20, used: 400, usedAfter: 22 });
  });

  it('ends with the same 22 snapshots when it runs after every one of the 400 backups', () => {
    // Prepare
    let live: SnapshotRecord[] = [];
    const alarms: string[] = [];

    // Act: each day the backup lands, is verified, then retention runs and its deletes are applied.
    for (const snapshot of history) {
      live.push(snapshot);
      const runAt = new Date((snapshot.createdAt as Date).getTime() + 5 * 3_600_000);
      const plan = planRetention(live, policy, runAt);
      alarms.push(...plan.alarms.map((a) => a.code));
      live = without(live, plan.deletes);
    }

    // Assess
    expect(live.map((s) => s.id)).toEqual(expectedKept);
    expect(alarms).toEqual([]);
  });

  it('keeps the newest verified snapshot and every newer one while restore tests fail', () => {
    // Prepare: daily 2; restore tests stopped passing after day 2.
    const policy2: RetentionPolicy = { ...POLICY, daily: 2, weekly: 0, monthly: 0, yearly: 0, minimumCount: 1, maxVerifiedAgeHours: 168 };
    const snapshots = [
      backup('swifteats', 'daily', '2026-03-01T02:00:00Z', { 'dr:verified': 'passed' }),
      backup('swifteats', 'daily', '2026-03-02T02:00:00Z', { 'dr:verified': 'passed' }),
      backup('swifteats', 'daily', '2026-03-03T02:00:00Z'),
      backup('swifteats', 'daily', '2026-03-04T02:00:00Z', { 'dr:verified': 'failed' }),
      backup('swifteats', 'daily', '2026-03-05T02:00:00Z'),
      backup('swifteats', 'daily', '2026-03-06T02:00:00Z'),
    ];

    // Act
    const plan = planRetention(snapshots, policy2, new Date('2026-03-06T07:00:00Z'));

    // Assess
    expect(plan.decisions.map((d) => [d.id, d.action, d.codes])).toEqual([
      ['swifteats-daily-202603010200', 'delete', ['outside-retention']],
      ['swifteats-daily-202603020200', 'keep', ['newest-verified']],
      ['swifteats-daily-202603030200', 'keep', ['newer-than-verified']],
      ['swifteats-daily-202603040200', 'keep', ['newer-than-verified']],
      ['swifteats-daily-202603050200', 'keep', ['newer-than-verified', 'tier-daily']],
      ['swifteats-daily-202603060200', 'keep', ['newer-than-verified', 'tier-daily']],
    ]);
    expect(byId(plan, 'swifteats-daily-202603030200').reasons).toEqual([
      'newer-than-verified: data taken at or after that of swifteats-daily-202603020200, the newest verified snapshot of swifteats',
    ]);
    expect(plan.deletes).toEqual(['swifteats-daily-202603010200']);
  });

  it('counts a snapshot created in the same minute as the newest verified one as newer', () => {
    // Prepare
    const policy1: RetentionPolicy = { ...POLICY, daily: 1, weekly: 0, monthly: 0, yearly: 0, minimumCount: 1 };
    const verified = { ...backup('swifteats', 'daily', '2026-03-05T02:00:00Z', { 'dr:verified': 'passed' }), id: 'swifteats-b' };
    const twin = { ...backup('swifteats', 'daily', '2026-03-05T02:00:00Z'), id: 'swifteats-a' };
    const old = backup('swifteats', 'daily', '2026-03-04T02:00:00Z', { 'dr:verified': 'passed' });

    // Act
    const plan = planRetention([verified, twin, old], policy1, new Date('2026-03-05T07:00:00Z'));

    // Assess
    expect(plan.decisions.map((d) => [d.id, d.codes])).toEqual([
      [old.id, ['outside-retention']],
      ['swifteats-a', ['newer-than-verified']],
      ['swifteats-b', ['newest-verified', 'tier-daily']],
    ]);
  });

  it('freezes expiry and alarms when no snapshot has passed a restore test', () => {
    // Prepare
    const policy1: RetentionPolicy = { ...POLICY, daily: 1, weekly: 0, monthly: 0, yearly: 0, minimumCount: 1 };
    const snapshots = [
      backup('swifteats', 'daily', '2026-03-01T02:00:00Z', { 'dr:verified': 'failed' }),
      backup('swifteats', 'daily', '2026-03-02T02:00:00Z'),
      backup('swifteats', 'daily', '2026-03-03T02:00:00Z'),
    ];

    // Act
    const plan = planRetention(snapshots, policy1, new Date('2026-03-03T07:00:00Z'));

    // Assess
    expect(plan.deletes).toEqual([]);
    expect(plan.decisions.map((d) => d.codes)).toEqual([['expiry-frozen'], ['expiry-frozen'], ['tier-daily']]);
    expect(plan.decisions[0]?.reasons).toEqual([
      'expiry-frozen: would expire, but expiry is frozen: no snapshot of swifteats has passed a restore test',
    ]);
    expect(plan.alarms).toEqual([
      {
        code: 'no-verified-snapshot',
        database: 'swifteats',
        message: 'no snapshot of swifteats has passed a restore test: expiry is frozen, 2 snapshot(s) that would expire are kept',
      },
    ]);
  });

  it('freezes expiry and alarms when the newest verified snapshot is older than maxVerifiedAgeHours', () => {
    // Prepare: the last pass was 3 days and 5 hours ago; limit 48 h.
    const policy1: RetentionPolicy = { ...POLICY, daily: 1, weekly: 0, monthly: 0, yearly: 0, minimumCount: 1 };
    const snapshots = [
      backup('swifteats', 'daily', '2026-03-01T02:00:00Z', { 'dr:verified': 'passed' }),
      backup('swifteats', 'daily', '2026-03-02T02:00:00Z', { 'dr:verified': 'passed' }),
      backup('swifteats', 'daily', '2026-03-03T02:00:00Z', { 'dr:verified': 'failed' }),
      backup('swifteats', 'daily', '2026-03-04T02:00:00Z', { 'dr:verified': 'failed' }),
    ];

    // Act
    const plan = planRetention(snapshots, policy1, new Date('2026-03-05T07:00:00Z'));

    // Assess
    expect(plan.deletes).toEqual([]);
    expect(byId(plan, 'swifteats-daily-202603010200').codes).toEqual(['expiry-frozen']);
    expect(plan.alarms).toEqual([
      {
        code: 'verification-stale',
        database: 'swifteats',
        message:
          'swifteats-daily-202603020200, the newest verified snapshot of swifteats, is 77.0 h old, more than maxVerifiedAgeHours 48: expiry is frozen, 1 snapshot(s) that would expire are kept',
      },
    ]);
  });

  it('keeps snapshots it may not or cannot classify, with every reason, and alarms on unreadable ones', () => {
    // Prepare: all old enough to expire; one control that does. The held and unreadable
    // ones count toward the minimum of 3 (this policy's, available), so the control expires.
    const policy1: RetentionPolicy = { ...POLICY, daily: 1, weekly: 0, monthly: 0, yearly: 0, minimumCount: 3 };
    const at = '2026-03-01T02:00:00Z';
    const snapshots: SnapshotRecord[] = [
      { ...backup('swifteats', 'daily', at), id: 'unmanaged', tags: { 'dr:tier': 'daily', 'dr:policy': 'gfs' } },
      { ...backup('swifteats', 'daily', at), id: 'managed-false', tags: { 'dr:managed': 'false' } },
      { ...backup('swifteats', 'daily', at, { 'dr:legal-hold': 'case-4711' }), id: 'held' },
      { ...backup('swifteats', 'daily', at, { 'dr:legal-hold': '' }), id: 'held-empty' },
      { ...backup('swifteats', 'daily', at, { 'dr:legal-hold': 'false' }), id: 'hold-released' },
      { ...backup('swifteats', 'daily', at, {}, { type: 'automated' }), id: 'rds:swifteats-2026-03-01-02-00' },
      { ...backup('swifteats', 'daily', at, {}, { type: 'shared' }), id: 'shared' },
      { ...backup('swifteats', 'daily', at, {}, { status: 'creating' }), id: 'creating' },
      { ...backup('swifteats', 'daily', at, { 'dr:policy': 'legacy' }), id: 'other-policy' },
      { ...backup('swifteats', 'hourly', at), id: 'hourly' },
      { ...backup('swifteats', 'Weekly', at), id: 'capitalised' },
      { ...backup('swifteats', 'daily', at, { 'dr:verified': 'yes' }), id: 'verified-yes' },
      { ...backup('swifteats', 'daily', at), id: 'zoneless', createdAt: '2026-03-01T02:00:00' },
      { ...backup('swifteats', 'daily', at), id: 'invalid-date', createdAt: new Date(Number.NaN) },
      backup('swifteats', 'daily', '2026-03-02T02:00:00Z', { 'dr:verified': 'passed' }),
    ];

    // Act
    const plan = planRetention(snapshots, policy1, new Date('2026-03-02T07:00:00Z'));

    // Assess
    expect(Object.fromEntries(plan.decisions.map((d) => [d.id, [d.action, ...d.codes]]))).toEqual({
      unmanaged: ['keep', 'unmanaged'],
      'managed-false': ['keep', 'unmanaged'],
      held: ['keep', 'legal-hold'],
      'held-empty': ['keep', 'legal-hold'],
      'hold-released': ['delete', 'outside-retention'],
      'rds:swifteats-2026-03-01-02-00': ['keep', 'not-manual'],
      shared: ['keep', 'not-manual'],
      creating: ['keep', 'not-available'],
      'other-policy': ['keep', 'other-policy'],
      hourly: ['keep', 'unknown-tier'],
      capitalised: ['keep', 'unknown-tier'],
      'verified-yes': ['keep', 'unknown-verification'],
      zoneless: ['keep', 'invalid-created-at'],
      'invalid-date': ['keep', 'invalid-created-at'],
      'swifteats-daily-202603020200': ['keep', 'newest-verified', 'tier-daily'],
    });
    expect(byId(plan, 'unmanaged').reasons).toEqual(['unmanaged: dr:managed is missing, not "true": this system did not create it']);
    expect(byId(plan, 'held').reasons).toEqual(['legal-hold: dr:legal-hold is "case-4711": held until the tag is removed or set to "false"']);
    expect(byId(plan, 'other-policy').reasons).toEqual(['other-policy: dr:policy is "legacy", not "gfs": this policy does not govern it']);
    expect(byId(plan, 'hourly').reasons).toEqual(['unknown-tier: dr:tier is "hourly", not one of daily, weekly, monthly, yearly: kept until fixed']);
    expect(byId(plan, 'zoneless').reasons).toEqual([
      'invalid-created-at: createdAt "2026-03-01T02:00:00" is not a valid time with a zone: kept until fixed',
    ]);
    expect(byId(plan, 'rds:swifteats-2026-03-01-02-00').reasons).toEqual([
      'not-manual: type is "automated", not "manual": RDS or another account owns it',
    ]);
    expect(plan.deletes).toEqual(['hold-released']);
    expect(plan.alarms).toEqual([
      {
        code: 'unclassifiable-snapshots',
        database: 'swifteats',
        message:
          '5 managed snapshot(s) of swifteats have unreadable tags or times and are kept until fixed: invalid-date, zoneless, capitalised, hourly, verified-yes',
      },
    ]);
    // Every type but automated counts toward the quota: an early alarm beats a failed backup.
    expect(plan.quota).toEqual({ max: 100, headroom: 10, used: 14, usedAfter: 13 });
  });

  it('takes back expiring snapshots, restorable ones first and then the newest, until minimumCount remain', () => {
    // Prepare: daily 1, minimum 3; three of five failed their restore test. A snapshot of
    // another policy does not count toward the minimum: its own planner may delete it.
    const snapshots = [
      { ...backup('swifteats', 'daily', '2026-02-28T02:00:00Z', { 'dr:policy': 'legacy', 'dr:verified': 'passed' }), id: 'legacy' },
      backup('swifteats', 'daily', '2026-03-01T02:00:00Z', { 'dr:verified': 'passed' }),
      backup('swifteats', 'daily', '2026-03-02T02:00:00Z', { 'dr:verified': 'failed' }),
      backup('swifteats', 'daily', '2026-03-03T02:00:00Z', { 'dr:verified': 'failed' }),
      backup('swifteats', 'daily', '2026-03-04T02:00:00Z', { 'dr:verified': 'failed' }),
      backup('swifteats', 'daily', '2026-03-05T02:00:00Z', { 'dr:verified': 'passed' }),
    ];
    const policy1: RetentionPolicy = { ...POLICY, daily: 1, weekly: 0, monthly: 0, yearly: 0, minimumCount: 3 };

    // Act
    const plan = planRetention(snapshots, policy1, new Date('2026-03-05T07:00:00Z'));

    // Assess
    expect(plan.decisions.map((d) => [d.id, d.action, d.codes])).toEqual([
      ['legacy', 'keep', ['other-policy']],
      ['swifteats-daily-202603010200', 'keep', ['minimum-count']],
      ['swifteats-daily-202603020200', 'delete', ['verification-failed']],
      ['swifteats-daily-202603030200', 'delete', ['verification-failed']],
      ['swifteats-daily-202603040200', 'keep', ['minimum-count']],
      ['swifteats-daily-202603050200', 'keep', ['newest-verified', 'tier-daily']],
    ]);
    expect(byId(plan, 'swifteats-daily-202603040200').reasons).toEqual([
      'minimum-count: would expire, but swifteats keeps at least 3 available snapshots under policy gfs',
    ]);
    expect(plan.alarms).toEqual([
      {
        code: 'minimum-count-engaged',
        database: 'swifteats',
        message: 'the tiers keep fewer than minimumCount 3 available snapshots of swifteats under policy gfs; 2 snapshot(s) kept that would expire',
      },
    ]);
  });

  it('alarms when fewer than the headroom would stay free, without deleting kept snapshots', () => {
    // Prepare: 8 snapshots, quota 10 with headroom 4; the plan can free one slot.
    const policy2: RetentionPolicy = { ...POLICY, daily: 6, weekly: 0, monthly: 0, yearly: 0, minimumCount: 1, quota: { max: 10, headroom: 4 } };
    const snapshots = Array.from({ length: 7 }, (_, i) =>
      backup('swifteats', 'daily', `2026-03-0${i + 1}T02:00:00Z`, { 'dr:verified': 'passed' }),
    ).concat({ ...backup('other', 'daily', '2026-03-01T02:00:00Z'), id: 'someone-elses', tags: {} });

    // Act
    const plan = planRetention(snapshots, policy2, new Date('2026-03-07T07:00:00Z'));

    // Assess
    expect(plan.deletes).toEqual(['swifteats-daily-202603010200']);
    expect(plan.quota).toEqual({ max: 10, headroom: 4, used: 8, usedAfter: 7 });
    expect(plan.alarms).toEqual([
      {
        code: 'quota-near',
        database: null,
        message:
          '7 of 10 manual snapshots in use after this plan: 3 free, fewer than the headroom of 4; retention does not delete kept snapshots to make room: raise the quota or shrink the policy',
      },
    ]);
  });

  it('stays quiet with exactly the headroom free', () => {
    // Prepare: 8 snapshots, quota 10 with headroom 4; the plan frees two slots.
    const policy2: RetentionPolicy = { ...POLICY, daily: 6, weekly: 0, monthly: 0, yearly: 0, minimumCount: 1, quota: { max: 10, headroom: 4 } };
    const snapshots = Array.from({ length: 8 }, (_, i) => backup('swifteats', 'daily', `2026-03-0${i + 1}T02:00:00Z`, { 'dr:verified': 'passed' }));

    // Act
    const plan = planRetention(snapshots, policy2, new Date('2026-03-08T07:00:00Z'));

    // Assess
    expect(plan.deletes).toEqual(['swifteats-daily-202603010200', 'swifteats-daily-202603020200']);
    expect(plan.quota).toEqual({ max: 10, headroom: 4, used: 8, usedAfter: 6 });
    expect(plan.alarms).toEqual([]);
  });

  it.each([
    ['exactly maxVerifiedAgeHours', '2026-03-04T02:00:00Z', ['swifteats-daily-202603010200'], []],
    ['a minute more than maxVerifiedAgeHours', '2026-03-04T02:01:00Z', [], ['verification-stale']],
  ])('expires as usual while the newest verified snapshot is at most the limit old: %s', (_, now, deletes, alarms) => {
    // Prepare: the newest verified snapshot is from 2026-03-02 02:00; limit 48 h.
    const policy1: RetentionPolicy = { ...POLICY, daily: 1, weekly: 0, monthly: 0, yearly: 0, minimumCount: 1 };
    const snapshots = [
      backup('swifteats', 'daily', '2026-03-01T02:00:00Z', { 'dr:verified': 'passed' }),
      backup('swifteats', 'daily', '2026-03-02T02:00:00Z', { 'dr:verified': 'passed' }),
    ];

    // Act
    const plan = planRetention(snapshots, policy1, new Date(now));

    // Assess
    expect(plan.deletes).toEqual(deletes);
    expect(plan.alarms.map((a) => a.code)).toEqual(alarms);
  });

  it('alarms that the quota is reached using the account-wide usage when it exceeds the input', () => {
    // Prepare: the account holds 12 manual snapshots, only 2 of them listed here.
    const policy2: RetentionPolicy = { ...POLICY, daily: 2, weekly: 0, monthly: 0, yearly: 0, minimumCount: 1, quota: { max: 12, headroom: 2, used: 12 } };
    const snapshots = [
      backup('swifteats', 'daily', '2026-03-01T02:00:00Z', { 'dr:verified': 'passed' }),
      backup('swifteats', 'daily', '2026-03-02T02:00:00Z', { 'dr:verified': 'passed' }),
    ];

    // Act
    const plan = planRetention(snapshots, policy2, new Date('2026-03-02T07:00:00Z'));

    // Assess
    expect(plan.deletes).toEqual([]);
    expect(plan.quota).toEqual({ max: 12, headroom: 2, used: 12, usedAfter: 12 });
    expect(plan.alarms).toEqual([
      {
        code: 'quota-reached',
        database: null,
        message:
          '12 of 12 manual snapshots in use after this plan: the next snapshot or copy will fail; retention does not delete kept snapshots to make room: raise the quota or shrink the policy',
      },
    ]);
  });

  it('counts tiers and applies the safety rules per database, and orders deletes oldest first', () => {
    // Prepare: two databases, daily 1; "billing" has no verified snapshot.
    const policy1: RetentionPolicy = { ...POLICY, daily: 1, weekly: 0, monthly: 0, yearly: 0, minimumCount: 1 };
    const snapshots = [
      backup('orders', 'daily', '2026-03-03T02:00:00Z', { 'dr:verified': 'passed' }),
      backup('users', 'daily', '2026-03-02T02:00:00Z', { 'dr:verified': 'passed' }),
      backup('orders', 'daily', '2026-03-01T02:00:00Z', { 'dr:verified': 'passed' }),
      backup('billing', 'daily', '2026-03-01T02:00:00Z'),
      backup('users', 'daily', '2026-03-03T02:00:00Z', { 'dr:verified': 'passed' }),
      backup('billing', 'daily', '2026-03-02T02:00:00Z'),
      backup('orders', 'daily', '2026-03-02T02:00:00Z', { 'dr:verified': 'passed' }),
    ];

    // Act
    const plan = planRetention(snapshots, policy1, new Date('2026-03-03T07:00:00Z'));

    // Assess
    expect(plan.deletes).toEqual(['orders-daily-202603010200', 'orders-daily-202603020200', 'users-daily-202603020200']);
    expect(plan.decisions.map((d) => `${d.id} ${d.action}`)).toEqual([
      'billing-daily-202603010200 keep',
      'billing-daily-202603020200 keep',
      'orders-daily-202603010200 delete',
      'orders-daily-202603020200 delete',
      'orders-daily-202603030200 keep',
      'users-daily-202603020200 delete',
      'users-daily-202603030200 keep',
    ]);
    expect(plan.alarms.map((a) => [a.code, a.database])).toEqual([['no-verified-snapshot', 'billing']]);
  });

  it('refuses an invalid policy, an invalid now and a listing that names an id twice', () => {
    // Prepare
    const snapshot = backup('swifteats', 'daily', '2026-03-01T02:00:00Z');
    const now = new Date('2026-03-02T00:00:00Z');

    // Act
    const badPolicy = () => planRetention([snapshot], { ...POLICY, minimumCount: 0 }, now);
    const badNow = () => planRetention([snapshot], POLICY, new Date('not a date'));
    const twice = () => planRetention([snapshot, { ...snapshot }], POLICY, now);

    // Assess
    expect(badPolicy).toThrow(ValidationError);
    expect(badPolicy).toThrow('1 problem(s): minimumCount: 0 must be an integer >= 1');
    expect(badNow).toThrow(ValidationError);
    expect(badNow).toThrow('1 problem(s): now: null must be a valid Date');
    expect(twice).toThrow(RetentionSafetyError);
    expect(twice).toThrow('snapshot id "swifteats-daily-202603010200" appears twice in the input; nothing was planned');
  });
});

describe('planRetention, snapshots in use and data time', () => {
  const policy2: RetentionPolicy = { ...POLICY, daily: 2, weekly: 0, monthly: 0, yearly: 0, minimumCount: 1, maxVerifiedAgeHours: 168 };
  const history = () => [
    backup('swifteats', 'daily', '2026-03-01T02:00:00Z'),
    backup('swifteats', 'daily', '2026-03-02T02:00:00Z', { 'dr:verified': 'failed' }),
    backup('swifteats', 'daily', '2026-03-03T02:00:00Z'),
    backup('swifteats', 'daily', '2026-03-04T02:00:00Z'),
    backup('swifteats', 'daily', '2026-03-05T02:00:00Z', { 'dr:verified': 'passed' }),
    backup('swifteats', 'daily', '2026-03-06T02:00:00Z'),
  ];

  it('keeps what a restore test or an unfinished offsite copy uses, over the tiers and a failed verdict, and names the rule that wins', () => {
    // Prepare
    const snapshots = history().map((s) => {
      if (s.id === 'swifteats-daily-202603010200') return { ...s, restoreTest: 'swifteats-vfy-d202603010200' };
      if (s.id === 'swifteats-daily-202603020200') return { ...s, offsiteCopy: { region: 'eu-central-1', status: 'pending' } };
      if (s.id === 'swifteats-daily-202603030200') return { ...s, offsiteCopy: { region: 'eu-central-1', status: 'available' } };
      if (s.id === 'swifteats-daily-202603040200') return { ...s, offsiteCopy: { region: 'eu-central-1', status: 'failed' }, restoreTest: null };
      return s;
    });

    // Act
    const plan = planRetention(snapshots, policy2, new Date('2026-03-06T07:00:00Z'));

    // Assess
    expect(plan.decisions.map((d) => [d.id, d.action, d.codes])).toEqual([
      ['swifteats-daily-202603010200', 'keep', ['restore-test-in-progress']],
      ['swifteats-daily-202603020200', 'keep', ['copy-in-progress']],
      ['swifteats-daily-202603030200', 'delete', ['outside-retention']],
      ['swifteats-daily-202603040200', 'delete', ['outside-retention']],
      ['swifteats-daily-202603050200', 'keep', ['newest-verified', 'tier-daily']],
      ['swifteats-daily-202603060200', 'keep', ['newer-than-verified', 'tier-daily']],
    ]);
    expect(byId(plan, 'swifteats-daily-202603010200').reasons).toEqual([
      'restore-test-in-progress: temporary database swifteats-vfy-d202603010200 is being restored from it for a restore test: kept while that database exists (this rule wins over expiry)',
    ]);
    expect(byId(plan, 'swifteats-daily-202603020200').reasons).toEqual([
      'copy-in-progress: its copy in eu-central-1 is "pending", not yet available: deleting the source could fail the copy (this rule wins over expiry)',
    ]);
    expect(plan.deletes).toEqual(['swifteats-daily-202603030200', 'swifteats-daily-202603040200']);
    expect(plan.anchors).toEqual([{ database: 'swifteats', id: 'swifteats-daily-202603050200' }]);
  });

  it('orders by the time of the data: a copy made days later is as old as its source', () => {
    // Prepare: the copy of 1 March was re-run on 6 March at 05:00; its data is of 1 March.
    const snapshots = history().map((s) => (s.id === 'swifteats-daily-202603010200' ? { ...s, createdAt: new Date('2026-03-06T05:00:00Z'), dataTime: '2026-03-01T02:00:00Z' } : s));

    // Act
    const plan = planRetention(snapshots, policy2, new Date('2026-03-06T07:00:00Z'));

    // Assess: by copy time it would be the newest daily and push out 5 March's.
    expect(byId(plan, 'swifteats-daily-202603010200')).toMatchObject({ action: 'delete', codes: ['outside-retention'] });
    expect(plan.deletes[0]).toBe('swifteats-daily-202603010200');
    expect(kept(plan)).toEqual(['swifteats-daily-202603050200', 'swifteats-daily-202603060200']);
  });

  it('keeps a snapshot in progress without a time as not-available, and raises no unclassifiable alarm for it', () => {
    // Prepare: RDS reports no SnapshotCreateTime until a snapshot is available.
    const snapshots = [...history(), backup('swifteats', 'daily', '2026-03-06T06:00:00Z', {}, { createdAt: null, status: 'creating' })];

    // Act
    const plan = planRetention(snapshots, policy2, new Date('2026-03-06T07:00:00Z'));

    // Assess
    expect(byId(plan, 'swifteats-daily-202603060600')).toEqual({
      id: 'swifteats-daily-202603060600',
      database: 'swifteats',
      action: 'keep',
      codes: ['not-available'],
      reasons: ['not-available: status is "creating", not "available": in progress, kept until available (RDS reports no creation time before)'],
    });
    expect(plan.alarms).toEqual([]);
    // An available snapshot without a time is still unreadable.
    const broken = planRetention([...history(), backup('swifteats', 'daily', '2026-03-06T06:00:00Z', {}, { createdAt: null })], policy2, new Date('2026-03-06T07:00:00Z'));
    expect(broken.alarms.map((a) => a.code)).toEqual(['unclassifiable-snapshots']);
  });

  it('dataTimeOf takes the earliest time RDS reports, and null when it reports none', () => {
    const at = (iso: string) => new Date(iso);
    expect(dataTimeOf({ createdAt: at('2026-03-06T05:00:00Z'), originalCreatedAt: at('2026-03-01T02:00:00Z') })).toEqual(at('2026-03-01T02:00:00Z'));
    expect(dataTimeOf({ createdAt: at('2026-03-06T05:00:00Z'), originalCreatedAt: at('2026-03-06T05:00:00Z'), databaseTime: at('2026-03-06T04:59:58Z') })).toEqual(at('2026-03-06T04:59:58Z'));
    expect(dataTimeOf({ createdAt: null, originalCreatedAt: at('2026-03-01T02:00:00Z') })).toEqual(at('2026-03-01T02:00:00Z'));
    expect(dataTimeOf({ createdAt: at('2026-03-06T05:00:00Z') })).toEqual(at('2026-03-06T05:00:00Z'));
    expect(dataTimeOf({ createdAt: null, originalCreatedAt: null, databaseTime: null })).toBeNull();
  });
});

describe('validateRetentionPolicy', () => {
  it('accepts the sample policy', () => {
    // Prepare: POLICY. Act
    const problems = validateRetentionPolicy(POLICY);

    // Assess
    expect(problems).toEqual([]);
  });

  it.each<[string, RetentionPolicy, string[]]>([
    ['negative and fractional counts', { ...POLICY, daily: -1, weekly: 1.5 }, ['daily: -1 must be an integer >= 0', 'weekly: 1.5 must be an integer >= 0']],
    [
      'all tiers zero',
      { ...POLICY, daily: 0, weekly: 0, monthly: 0, yearly: 0 },
      ['daily, weekly, monthly, yearly: all are 0, so the policy would keep nothing; keep at least one tier'],
    ],
    ['minimumCount below 1', { ...POLICY, minimumCount: 0 }, ['minimumCount: 0 must be an integer >= 1']],
    ['no name', { ...POLICY, name: '' }, ['name: "" must be a non-empty string']],
    ['maxVerifiedAgeHours not positive', { ...POLICY, maxVerifiedAgeHours: 0 }, ['maxVerifiedAgeHours: 0 must be a number > 0']],
    ['headroom equal to max', { ...POLICY, quota: { max: 100, headroom: 100 } }, ['quota.headroom: 100 must be less than quota.max (100)']],
    [
      'bad quota numbers',
      { ...POLICY, quota: { max: 0, headroom: -1, used: -2 } },
      ['quota.max: 0 must be an integer >= 1', 'quota.headroom: -1 must be an integer >= 0', 'quota.used: -2 must be an integer >= 0'],
    ],
    [
      'tiers larger than the quota allows',
      { ...POLICY, quota: { max: 30, headroom: 5 } },
      ['daily, weekly, monthly, yearly: keep up to 26 snapshots, more than quota.max 30 less quota.headroom 5'],
    ],
    ['a missing quota', { ...POLICY, quota: undefined } as unknown as RetentionPolicy, ['quota: missing must be an object { max, headroom }']],
  ])('names the field: %s', (_, policy, expected) => {
    // Prepare: the policy above. Act
    const problems = validateRetentionPolicy(policy);

    // Assess
    expect(problems).toEqual(expected);
  });
});

// ---------------------------------------------------------------------------------
// Properties over random histories. The oracles below restate the rules from the
// tags, independently of the planner's code.

const BASE = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

/** Attribute distributions: `clean` is what the backup workflow writes, with rare damage; `noisy` is anything. */
const ROW = {
  clean: {
    form: fc.constantFrom('date', 'iso', 'offset'),
    status: fc.constantFrom('available', 'available', 'available', 'available', 'available', 'available', 'creating'),
    type: fc.constantFrom('manual'),
    managed: fc.constantFrom('true'),
    tier: fc.constantFrom('daily', 'daily', 'daily', 'daily', 'weekly', 'weekly', 'monthly', 'yearly'),
    verified: fc.constantFrom(undefined, 'passed', 'passed', 'passed', 'failed'),
    policy: fc.constantFrom('gfs', 'gfs', 'gfs', 'gfs', 'gfs', 'gfs', 'legacy'),
    hold: fc.constantFrom(undefined, undefined, undefined, undefined, undefined, undefined, 'case-1'),
  },
  noisy: {
    form: fc.constantFrom('date', 'date', 'iso', 'offset', 'zoneless'),
    status: fc.constantFrom('available', 'available', 'available', 'available', 'creating', 'deleting'),
    type: fc.constantFrom('manual', 'manual', 'manual', 'manual', 'automated', 'shared'),
    managed: fc.constantFrom('true', 'true', 'true', 'true', 'false', 'TRUE', undefined),
    tier: fc.constantFrom('daily', 'daily', 'daily', 'weekly', 'weekly', 'monthly', 'yearly', 'hourly', undefined),
    verified: fc.constantFrom(undefined, undefined, 'passed', 'passed', 'failed', 'ok'),
    policy: fc.constantFrom('gfs', 'gfs', 'gfs', 'gfs', 'legacy', undefined),
    hold: fc.constantFrom(undefined, undefined, undefined, undefined, 'false', 'case-1', ''),
  },
};

/** Up to 40 snapshots of two databases over 20 days; hours collide now and then, so ties occur. */
const historyArb = fc.constantFrom('clean', 'clean', 'noisy').chain((kind) =>
  fc
    .array(fc.record({ database: fc.constantFrom('orders', 'users'), hour: fc.integer({ min: 0, max: 24 * 20 }), ...ROW[kind as 'clean' | 'noisy'] }), { maxLength: 40, size: 'max' })
    .map((rows) =>
      rows.map((row, i): SnapshotRecord => {
        const time = new Date(BASE + row.hour * HOUR);
        const iso = time.toISOString();
        const createdAt =
          row.form === 'date'
            ? time
            : row.form === 'iso'
              ? iso
              : row.form === 'offset'
                ? new Date(time.getTime() + 2 * HOUR).toISOString().replace('Z', '+02:00')
                : iso.slice(0, 19);
        const tags: Record<string, string> = {};
        if (row.managed !== undefined) tags['dr:managed'] = row.managed;
        if (row.tier !== undefined) tags['dr:tier'] = row.tier;
        if (row.verified !== undefined) tags['dr:verified'] = row.verified;
        if (row.policy !== undefined) tags['dr:policy'] = row.policy;
        if (row.hold !== undefined) tags['dr:legal-hold'] = row.hold;
        return { id: `${row.database}-${row.tier ?? 'x'}-${i}`, database: row.database, createdAt, status: row.status, type: row.type, tags };
      }),
    ),
);

const policyArb = fc
  .record({
    daily: fc.integer({ min: 0, max: 6 }),
    weekly: fc.integer({ min: 0, max: 3 }),
    monthly: fc.integer({ min: 0, max: 3 }),
    yearly: fc.integer({ min: 0, max: 2 }),
    minimumCount: fc.integer({ min: 1, max: 8 }),
    maxVerifiedAgeHours: fc.constantFrom(24, 24 * 7, 24 * 90),
    max: fc.integer({ min: 10, max: 60 }),
    headroom: fc.integer({ min: 0, max: 9 }),
  })
  .map(({ max, headroom, ...rest }): RetentionPolicy => ({ name: 'gfs', ...rest, quota: { max, headroom } }))
  .filter((policy) => validateRetentionPolicy(policy).length === 0);

/** A history, a policy, and a planning time from two days before to two days after the newest snapshot. */
const caseArb = fc.tuple(historyArb, policyArb, fc.integer({ min: -48, max: 48 })).map(([history, policy, offset]) => {
  const newest = Math.max(BASE, ...history.map(timeOf).filter((t) => !Number.isNaN(t)));
  return { history, policy, now: new Date(newest + offset * HOUR) };
});

function timeOf(s: SnapshotRecord): number {
  const value = s.dataTime ?? s.createdAt;
  if (value instanceof Date) return value.getTime();
  if (value === null) return Number.NaN;
  return /(Z|[+-]\d\d:\d\d)$/.test(value) ? Date.parse(value) : Number.NaN;
}
const isRestorable = (s: SnapshotRecord) => s.tags['dr:managed'] === 'true' && s.type === 'manual' && s.status === 'available';
const isHeld = (s: SnapshotRecord) => s.tags['dr:legal-hold'] !== undefined && s.tags['dr:legal-hold'] !== 'false';
const isCandidate = (s: SnapshotRecord) =>
  isRestorable(s) &&
  !isHeld(s) &&
  s.tags['dr:policy'] === 'gfs' &&
  (TIERS as readonly string[]).includes(s.tags['dr:tier'] ?? '') &&
  [undefined, 'passed', 'failed'].includes(s.tags['dr:verified']) &&
  !Number.isNaN(timeOf(s));

/** Creation time of the newest restorable snapshot of the database that passed, or undefined. */
function anchorTime(history: readonly SnapshotRecord[], database: string): number | undefined {
  const times = history
    .filter((s) => s.database === database && isRestorable(s) && s.tags['dr:verified'] === 'passed' && !Number.isNaN(timeOf(s)))
    .map(timeOf);
  return times.length === 0 ? undefined : Math.max(...times);
}

function deletedOf(history: readonly SnapshotRecord[], plan: RetentionPlan): SnapshotRecord[] {
  const ids = new Set(plan.deletes);
  return history.filter((s) => ids.has(s.id));
}

const DATABASES = ['orders', 'users'];
const RUNS = { numRuns: 500 };

describe('planRetention, properties over random histories', () => {
  it('generates histories where the rules matter (guards the generator, not the planner)', () => {
    // Prepare
    let planned = 0;
    let withDeletes = 0;
    let minimumEngaged = 0;
    let frozen = 0;

    // Act
    fc.assert(
      fc.property(caseArb, ({ history, policy, now }) => {
        const plan = planRetention(history, policy, now);
        planned += 1;
        if (plan.deletes.length > 0) withDeletes += 1;
        if (plan.alarms.some((a) => a.code === 'minimum-count-engaged')) minimumEngaged += 1;
        if (plan.alarms.some((a) => a.code === 'no-verified-snapshot' || a.code === 'verification-stale')) frozen += 1;
      }),
      { ...RUNS, seed: 42 },
    );

    // Assess: with this seed, each rule is exercised in a fair share of cases.
    expect(planned).toBe(500);
    expect(withDeletes).toBeGreaterThan(120);
    expect(minimumEngaged).toBeGreaterThan(50);
    expect(frozen).toBeGreaterThan(120);
  });

  it('never deletes the newest verified snapshot nor anything at or after it', () => {
    fc.assert(
      fc.property(caseArb, ({ history, policy, now }) => {
        // Act
        const plan = planRetention(history, policy, now);

        // Assess
        for (const s of deletedOf(history, plan)) {
          const anchor = anchorTime(history, s.database);
          expect(anchor).toBeDefined();
          expect(timeOf(s)).toBeLessThan(anchor as number);
        }
      }),
      RUNS,
    );
  });

  it('never deletes an unmanaged, automated, held, unavailable, foreign or unclassifiable snapshot', () => {
    fc.assert(
      fc.property(caseArb, ({ history, policy, now }) => {
        // Act
        const plan = planRetention(history, policy, now);

        // Assess
        for (const s of deletedOf(history, plan)) expect(isCandidate(s)).toBe(true);
      }),
      RUNS,
    );
  });

  it('never leaves a database with fewer than minimumCount snapshots than it had, under the policy or managed at all', () => {
    const counted = (s: SnapshotRecord) => isRestorable(s) && s.tags['dr:policy'] === 'gfs';
    fc.assert(
      fc.property(caseArb, ({ history, policy, now }) => {
        // Act
        const plan = planRetention(history, policy, now);

        // Assess
        const after = without(history, plan.deletes);
        for (const database of DATABASES) {
          for (const rule of [counted, isRestorable]) {
            const before = history.filter((s) => s.database === database && rule(s)).length;
            const remaining = after.filter((s) => s.database === database && rule(s)).length;
            expect(remaining).toBeGreaterThanOrEqual(Math.min(policy.minimumCount, before));
          }
        }
      }),
      RUNS,
    );
  });

  it('deletes nothing of a database whose newest verified snapshot is missing or stale, and alarms', () => {
    fc.assert(
      fc.property(caseArb, ({ history, policy, now }) => {
        // Act
        const plan = planRetention(history, policy, now);

        // Assess
        for (const database of DATABASES) {
          const anchor = anchorTime(history, database);
          if (anchor !== undefined && now.getTime() - anchor <= policy.maxVerifiedAgeHours * HOUR) continue;
          expect(deletedOf(history, plan).filter((s) => s.database === database)).toEqual([]);
          const governed = history.some((s) => s.database === database && s.type === 'manual' && s.tags['dr:managed'] === 'true' && s.tags['dr:policy'] === 'gfs');
          const expected = anchor === undefined ? 'no-verified-snapshot' : 'verification-stale';
          expect(plan.alarms.filter((a) => a.database === database && a.code === expected)).toHaveLength(governed ? 1 : 0);
        }
      }),
      RUNS,
    );
  });

  it('deletes nothing when no snapshot has passed a restore test', () => {
    const unverifiedArb = caseArb.map((c) => ({
      ...c,
      history: c.history.map((s) => (s.tags['dr:verified'] === 'passed' ? { ...s, tags: { ...s.tags, 'dr:verified': 'failed' } } : s)),
    }));
    fc.assert(
      fc.property(unverifiedArb, ({ history, policy, now }) => {
        // Act
        const plan = planRetention(history, policy, now);

        // Assess
        expect(plan.deletes).toEqual([]);
      }),
      RUNS,
    );
  });

  it('keeps the newest candidates of each tier that did not fail their restore test', () => {
    fc.assert(
      fc.property(caseArb, ({ history, policy, now }) => {
        // Act
        const plan = planRetention(history, policy, now);

        // Assess
        const deleted = new Set(plan.deletes);
        for (const database of DATABASES) {
          TIERS.forEach((tier, rank) => {
            const slots = history
              .filter((s) => s.database === database && isCandidate(s) && s.tags['dr:verified'] !== 'failed')
              .filter((s) => TIERS.indexOf(s.tags['dr:tier'] as Tier) >= rank)
              .sort((a, b) => timeOf(b) - timeOf(a) || (a.id < b.id ? 1 : -1))
              .slice(0, policy[tier]);
            for (const s of slots) expect(deleted.has(s.id)).toBe(false);
          });
        }
      }),
      RUNS,
    );
  });

  it('gives one decision per snapshot, with reasons, and lists the deletes oldest first', () => {
    fc.assert(
      fc.property(caseArb, ({ history, policy, now }) => {
        // Act
        const plan = planRetention(history, policy, now);

        // Assess
        expect(plan.decisions.map((d) => d.id).sort()).toEqual(history.map((s) => s.id).sort());
        for (const d of plan.decisions) {
          expect(d.codes.length).toBeGreaterThan(0);
          expect(d.reasons.map((r) => r.slice(0, r.indexOf(': ')))).toEqual(d.codes);
        }
        expect(new Set(plan.deletes)).toEqual(new Set(plan.decisions.filter((d) => d.action === 'delete').map((d) => d.id)));
        const times = plan.deletes.map((id) => timeOf(history.find((s) => s.id === id) as SnapshotRecord));
        expect(times).toEqual([...times].sort((a, b) => a - b));
        expect(plan.quota.usedAfter).toBe(plan.quota.used - plan.deletes.length);
      }),
      RUNS,
    );
  });

  it('is deterministic: the same snapshots in any order give the same plan', () => {
    const shuffledArb = caseArb.chain((c) =>
      fc.shuffledSubarray(c.history, { minLength: c.history.length, maxLength: c.history.length }).map((shuffled) => ({ ...c, shuffled })),
    );
    fc.assert(
      fc.property(shuffledArb, ({ history, shuffled, policy, now }) => {
        // Act
        const first = planRetention(history, policy, now);
        const second = planRetention(shuffled, policy, now);

        // Assess
        expect(second).toEqual(first);
      }),
      RUNS,
    );
  });

  it('converges after a run stopped part-way, and deletes nothing once applied', () => {
    const interruptedArb = caseArb.chain((c) =>
      fc.integer({ min: 0, max: planRetention(c.history, c.policy, c.now).deletes.length }).map((done) => ({ ...c, done })),
    );
    fc.assert(
      fc.property(interruptedArb, ({ history, policy, now, done }) => {
        // Prepare: the first run deleted only its first `done` snapshots.
        const plan = planRetention(history, policy, now);
        const whole = without(history, plan.deletes);
        const partial = without(history, plan.deletes.slice(0, done));

        // Act
        const rerun = planRetention(partial, policy, now);
        const final = without(partial, rerun.deletes);
        const again = planRetention(whole, policy, now);

        // Assess
        expect(rerun.deletes).toEqual(plan.deletes.slice(done));
        expect(final.map((s) => s.id)).toEqual(whole.map((s) => s.id));
        expect(again.deletes).toEqual([]);
      }),
      RUNS,
    );
  });

  it('depends on the time of the data only: copies made any time later plan as their data', () => {
    // Prepare: the same history as copies, each made 0 to 5 days after its data (dataTime = the data's time).
    const copiedArb = caseArb.chain((c) =>
      fc.array(fc.integer({ min: 0, max: 5 * 24 }), { minLength: c.history.length, maxLength: c.history.length }).map((delays) => ({
        ...c,
        copies: c.history.map((s, i): SnapshotRecord => {
          const time = timeOf(s);
          return Number.isNaN(time) ? s : { ...s, createdAt: new Date(time + (delays[i] ?? 0) * HOUR), dataTime: s.createdAt };
        }),
      })),
    );
    fc.assert(
      fc.property(copiedArb, ({ history, copies, policy, now }) => {
        // Act
        const asData = planRetention(history, policy, now);
        const asCopies = planRetention(copies, policy, now);

        // Assess
        expect(asCopies).toEqual(asData);
      }),
      RUNS,
    );
  });

  it('never deletes a snapshot a restore test or an unfinished copy uses, and deletes the oldest data first', () => {
    const inUseArb = caseArb.chain((c) =>
      fc
        .array(fc.record({ test: fc.boolean(), copy: fc.constantFrom(null, 'pending', 'copying', 'available', 'failed') }), { minLength: c.history.length, maxLength: c.history.length })
        .map((uses) => ({
          ...c,
          history: c.history.map((s, i): SnapshotRecord => ({
            ...s,
            restoreTest: uses[i]?.test === true ? `${s.database}-vfy-${i}` : null,
            offsiteCopy: uses[i]?.copy ? { region: 'eu-central-1', status: uses[i]?.copy as string } : null,
          })),
        })),
    );
    fc.assert(
      fc.property(inUseArb, ({ history, policy, now }) => {
        // Act
        const plan = planRetention(history, policy, now);

        // Assess
        for (const s of deletedOf(history, plan)) {
          expect(s.restoreTest).toBeNull();
          expect(['available', 'failed', undefined]).toContain(s.offsiteCopy?.status);
        }
        // Deletes run oldest data first: a re-run after any prefix never finds newer data gone before older.
        const times = plan.deletes.map((id) => timeOf(history.find((s) => s.id === id) as SnapshotRecord));
        expect(times).toEqual([...times].sort((a, b) => a - b));
      }),
      RUNS,
    );
  });
});
