/**
 * Snapshot retention, the GFS rules: a pure planner that decides, for every snapshot it is shown,
 * keep or delete, with the reasons. It reads no clock (`now` is an input), calls no
 * AWS API and deletes nothing; the retention handler lists, applies and paces.
 *
 * The rules, decided here and relied on by the handler, the runbook and the tests:
 *
 * - **Candidates.** Only a snapshot that is `manual`, tagged `dr:managed=true`,
 *   `dr:policy=<policy.name>`, `available`, without a legal hold, with a known
 *   `dr:tier`, a known or absent `dr:verified` and a creation time with a zone can ever
 *   be deleted. Anything else is kept, with every reason that excludes it (fail closed:
 *   a snapshot we cannot classify is one we cannot prove expendable).
 * - **Tiers nest.** A snapshot belongs to its `dr:tier` and to every lower tier, so a
 *   weekly is also a daily and a yearly is also a monthly. Tier `t` with count `n` keeps
 *   the `n` newest candidates of tier `t` or above. Why: an SRE reads `daily: 7` as
 *   "a restore point for each of the last seven runs", Sunday's included, and
 *   `monthly: 12` as "the last twelve month starts", 1 January included.
 * - **Failed restore tests hold no slot.** A `dr:verified=failed` snapshot is not a
 *   restore point, so it never pushes a restorable one out of its tier; once older than
 *   the newest verified snapshot it expires. Unverified (no tag) is the normal state
 *   and counts like passed.
 * - **Data time orders everything.** Age, "newest" and "at or after" compare the time of
 *   a snapshot's data (`dataTime`: for an RDS copy its `OriginalSnapshotCreateTime`, not
 *   the copy's own `SnapshotCreateTime`; see {@link dataTimeOf}), so a copy re-run days
 *   later is as old as the data it holds.
 * - **Newest verified anchor.** Per database, the newest managed, available snapshot
 *   with `dr:verified=passed`, and every snapshot whose data is as new or newer, is kept.
 * - **In use wins over expiry.** A candidate a restore test is restoring from (a
 *   `dr:temporary` database tagged `dr:source-snapshot` with its id exists) or whose copy
 *   in the DR region is still in progress is kept (`restore-test-in-progress`,
 *   `copy-in-progress`) whatever the tiers, a failed verdict or the minimum count say;
 *   the next run after the test or the copy ends decides by the other rules.
 * - **In progress is not unclassifiable.** RDS reports no `SnapshotCreateTime` until a
 *   snapshot is `available`; a snapshot that is not available is kept (`not-available`)
 *   and its missing time raises no alarm.
 * - **Expiry never outruns failing backups.** When a database has no verified snapshot,
 *   or its newest one is older than `maxVerifiedAgeHours`, nothing of that database is
 *   deleted (`expiry-frozen`) and an alarm says why.
 * - **Minimum count.** Per database, at least `minimumCount` manual, available snapshots
 *   under this policy (`dr:managed=true`, `dr:policy=<policy.name>`) remain; the planner
 *   takes back the most useful deletes (not failed, then newest) until they do. Snapshots
 *   of another policy do not count: their own planner may delete them.
 * - **Quota.** Only alarms: `quota-near` when fewer than `quota.headroom` manual
 *   snapshots would remain free after the plan, `quota-reached` when none would. A kept
 *   snapshot is never deleted to make room: trading a promised restore point for a
 *   future one is a decision for a person (raise the quota or shrink the policy).
 *
 * Tiers are counted per database (`SnapshotRecord.database`), so the handler may pass
 * every manual snapshot of the account and region, which is what the quota counts.
 */

import { RetentionSafetyError, ValidationError } from '../../shared/errors.ts';
import { TAG, TIERS, type Tier } from '../snapshots/naming.ts';
import { classify, show, type Classified } from './classify.ts';
import { RETENTION_REASON_CODES, type RetentionAlarm, type RetentionDecision, type RetentionPlan, type RetentionPolicy, type RetentionReasonCode, type SnapshotRecord } from './model.ts';

/**
 * Checks a policy. Returns every problem, each starting with the field it names
 * (`quota.headroom: ...`); an empty list means the policy can be planned with. A
 * caller holding the policy under a prefix (`retention.`) adds it.
 */
export function validateRetentionPolicy(policy: RetentionPolicy): string[] {
  const problems: string[] = [];
  const integer = (field: string, value: unknown, min: number): value is number => {
    if (typeof value === 'number' && Number.isInteger(value) && value >= min) return true;
    problems.push(`${field}: ${show(value)} must be an integer >= ${min}`);
    return false;
  };

  if (typeof policy.name !== 'string' || policy.name === '') problems.push(`name: ${show(policy.name)} must be a non-empty string`);
  const counts = TIERS.filter((tier) => integer(tier, policy[tier], 0));
  const kept = counts.reduce((sum, tier) => sum + policy[tier], 0);
  if (counts.length === TIERS.length && kept === 0) {
    problems.push('daily, weekly, monthly, yearly: all are 0, so the policy would keep nothing; keep at least one tier');
  }
  integer('minimumCount', policy.minimumCount, 1);
  const age = policy.maxVerifiedAgeHours;
  if (typeof age !== 'number' || !Number.isFinite(age) || age <= 0) problems.push(`maxVerifiedAgeHours: ${show(age)} must be a number > 0`);

  const quota = policy.quota as RetentionPolicy['quota'] | undefined;
  if (quota === undefined || quota === null || typeof quota !== 'object') {
    problems.push(`quota: ${show(quota)} must be an object { max, headroom }`);
    return problems;
  }
  const maxOk = integer('quota.max', quota.max, 1);
  const headroomOk = integer('quota.headroom', quota.headroom, 0);
  if (quota.used !== undefined) integer('quota.used', quota.used, 0);
  if (maxOk && headroomOk) {
    if (quota.headroom >= quota.max) {
      problems.push(`quota.headroom: ${quota.headroom} must be less than quota.max (${quota.max})`);
    } else if (counts.length === TIERS.length && kept > quota.max - quota.headroom) {
      problems.push(
        `daily, weekly, monthly, yearly: keep up to ${kept} snapshots, more than quota.max ${quota.max} less quota.headroom ${quota.headroom}`,
      );
    }
  }
  return problems;
}

/**
 * Plans retention for a list of snapshots, in these steps:
 * 1. Refuses an invalid policy or `now` (`ValidationError`) and a list naming an id
 *    twice (`RetentionSafetyError`: a repeated page means the listing cannot be trusted).
 * 2. Classifies each snapshot; one that is not a candidate is kept with every reason
 *    that excludes it.
 * 3. Per database: finds the newest verified snapshot and keeps it and everything whose
 *    data is as new or newer; keeps what a restore test or an offsite copy is using.
 * 4. Per database: fills each tier's slots with its newest candidates of that tier or
 *    above, failed restore tests excepted; a candidate in no slot would expire.
 * 5. Per database: freezes expiry when there is no fresh verified snapshot.
 * 6. Per database: takes back expiring snapshots until `minimumCount` remain.
 * 7. Computes quota usage after the plan and raises the alarms.
 * 8. Orders decisions (database, time, id) and deletes (oldest first) so that the plan
 *    does not depend on the order of the input.
 *
 * A pure function: the same input, in any order, gives the same plan; applying any
 * prefix of `deletes` and planning again deletes exactly the rest.
 *
 * @param snapshots Every manual snapshot the quota counts (automated ones may be included; they are kept).
 * @param policy A policy that {@link validateRetentionPolicy} accepts.
 * @param now The planning time; only the freshness of the newest verified snapshot depends on it.
 */
export function planRetention(snapshots: readonly SnapshotRecord[], policy: RetentionPolicy, now: Date): RetentionPlan {
  // 1. Inputs.
  const problems = validateRetentionPolicy(policy);
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) problems.push(`now: ${show(now)} must be a valid Date`);
  if (problems.length > 0) throw new ValidationError(problems);
  const seen = new Set<string>();
  for (const snapshot of snapshots) {
    if (seen.has(snapshot.id)) {
      throw new RetentionSafetyError(`snapshot id "${snapshot.id}" appears twice in the input; nothing was planned`);
    }
    seen.add(snapshot.id);
  }

  // 2. Classification.
  const classified = snapshots.map((record) => classify(record, policy));
  const byDatabase = new Map<string, Classified[]>();
  for (const snapshot of classified) {
    const group = byDatabase.get(snapshot.database);
    if (group) group.push(snapshot);
    else byDatabase.set(snapshot.database, [snapshot]);
  }

  const alarms: RetentionAlarm[] = [];
  const anchors = new Map<string, string>();
  for (const database of [...byDatabase.keys()].sort(compareText)) {
    alarms.push(...planDatabase(database, byDatabase.get(database) ?? [], policy, now.getTime(), anchors));
  }

  // 7. Quota.
  const deleted = classified.filter((s) => s.action === 'delete').sort(oldestFirst);
  const counted = classified.filter((s) => s.record.type !== 'automated').length;
  const used = Math.max(counted, policy.quota.used ?? 0);
  const usedAfter = used - deleted.length;
  const free = policy.quota.max - usedAfter;
  const holding = `${usedAfter} of ${policy.quota.max} manual snapshots in use after this plan`;
  const noRoom = 'retention does not delete kept snapshots to make room: raise the quota or shrink the policy';
  if (free <= 0) {
    alarms.push({ code: 'quota-reached', database: null, message: `${holding}: the next snapshot or copy will fail; ${noRoom}` });
  } else if (free < policy.quota.headroom) {
    alarms.push({
      code: 'quota-near',
      database: null,
      message: `${holding}: ${free} free, fewer than the headroom of ${policy.quota.headroom}; ${noRoom}`,
    });
  }

  // 8. Output.
  const decisions = [...classified].sort(byDatabaseThenTime).map(toDecision);
  const deleting = new Set(deleted.map((s) => s.database));
  return {
    decisions,
    deletes: deleted.map((s) => s.id),
    alarms,
    quota: { max: policy.quota.max, headroom: policy.quota.headroom, used, usedAfter },
    anchors: [...anchors].filter(([database]) => deleting.has(database)).sort(([a], [b]) => compareText(a, b)).map(([database, id]) => ({ database, id })),
  };
}

/** Steps 3 to 6 for one database; sets `reasons` and `action` on its snapshots, returns its alarms. */
function planDatabase(database: string, group: Classified[], policy: RetentionPolicy, now: number, anchors: Map<string, string>): RetentionAlarm[] {
  const alarms: RetentionAlarm[] = [];
  const candidates = group.filter((s) => s.exclusions.length === 0).sort(newestFirst);

  // 3. The anchor: any managed restorable snapshot that passed, whatever its policy or tier.
  const anchor = group
    .filter((s) => s.restorable && s.verification === 'passed' && !Number.isNaN(s.time))
    .sort(newestFirst)[0];
  if (anchor) anchors.set(database, anchor.id);
  for (const s of candidates) {
    if (s === anchor) s.reasons.push({ code: 'newest-verified', text: `the newest snapshot of ${database} that passed a restore test` });
    else if (anchor && s.time >= anchor.time) {
      s.reasons.push({ code: 'newer-than-verified', text: `data taken at or after that of ${anchor.id}, the newest verified snapshot of ${database}` });
    }
    // In use: these win over every expiry rule (tiers, a failed verdict, the minimum count).
    if (s.record.restoreTest) {
      s.reasons.push({
        code: 'restore-test-in-progress',
        text: `temporary database ${s.record.restoreTest} is being restored from it for a restore test: kept while that database exists (this rule wins over expiry)`,
      });
    }
    const copy = s.record.offsiteCopy;
    if (copy && !COPY_SETTLED.has(copy.status)) {
      s.reasons.push({
        code: 'copy-in-progress',
        text: `its copy in ${copy.region} is ${show(copy.status)}, not yet available: deleting the source could fail the copy (this rule wins over expiry)`,
      });
    }
  }

  // 4. Tier slots, lowest tier first so reasons read daily to yearly.
  TIERS.forEach((tier, rank) => {
    const count = policy[tier];
    const members = candidates.filter((s) => s.verification !== 'failed' && TIERS.indexOf(s.tier as Tier) >= rank);
    for (const s of members.slice(0, count)) {
      s.reasons.push({ code: `tier-${tier}`, text: `one of the ${count} newest snapshots of ${database} of tier ${tier} or above` });
    }
  });
  const expiring = candidates.filter((s) => s.reasons.length === 0);

  // 5. Freeze.
  const frozenBecause =
    anchor === undefined
      ? `no snapshot of ${database} has passed a restore test`
      : now - anchor.time > policy.maxVerifiedAgeHours * HOUR
        ? `${anchor.id}, the newest verified snapshot of ${database}, is ${hours(now - anchor.time)} h old, more than maxVerifiedAgeHours ${policy.maxVerifiedAgeHours}`
        : null;
  if (frozenBecause !== null && group.some((s) => s.governed)) {
    alarms.push({
      code: anchor === undefined ? 'no-verified-snapshot' : 'verification-stale',
      database,
      message: `${frozenBecause}: expiry is frozen, ${expiring.length} snapshot(s) that would expire are kept`,
    });
  }
  if (frozenBecause !== null) {
    for (const s of expiring) s.reasons.push({ code: 'expiry-frozen', text: `would expire, but expiry is frozen: ${frozenBecause}` });
  } else {
    // 6. Minimum count. Taking back in a fixed order keeps a re-plan after a partial apply identical.
    const remaining = group.filter((s) => s.counted).length - expiring.length;
    const rescued = [...expiring].sort(mostUsefulFirst).slice(0, Math.max(0, policy.minimumCount - remaining));
    for (const s of rescued) {
      s.reasons.push({ code: 'minimum-count', text: `would expire, but ${database} keeps at least ${policy.minimumCount} available snapshots under policy ${policy.name}` });
    }
    if (rescued.length > 0) {
      alarms.push({
        code: 'minimum-count-engaged',
        database,
        message: `the tiers keep fewer than minimumCount ${policy.minimumCount} available snapshots of ${database} under policy ${policy.name}; ${rescued.length} snapshot(s) kept that would expire`,
      });
    }
    for (const s of expiring) {
      if (s.reasons.length > 0) continue;
      s.action = 'delete';
      if (s.verification === 'failed') {
        s.reasons.push({
          code: 'verification-failed',
          text: `failed its restore test (${TAG.verified}=failed), so it holds no tier slot, and is older than ${anchor?.id ?? ''}, the newest verified snapshot`,
        });
      } else {
        const slots = TIERS.slice(0, TIERS.indexOf(s.tier as Tier) + 1).map((t) => `${t}: ${policy[t]} newest`);
        s.reasons.push({ code: 'outside-retention', text: `outside every tier it belongs to (${slots.join(', ')})` });
      }
    }
  }

  const unclassifiable = group
    .filter((s) => s.governed && s.exclusions.some((r) => UNCLASSIFIABLE.has(r.code)))
    .sort(oldestFirst)
    .map((s) => s.id);
  if (unclassifiable.length > 0) {
    alarms.push({
      code: 'unclassifiable-snapshots',
      database,
      message: `${unclassifiable.length} managed snapshot(s) of ${database} have unreadable tags or times and are kept until fixed: ${unclassifiable.join(', ')}`,
    });
  }
  return alarms;
}

/** Statuses of an offsite copy after which its source is no longer needed by it. */
const COPY_SETTLED: ReadonlySet<string> = new Set(['available', 'failed', 'deleting']);
const UNCLASSIFIABLE: ReadonlySet<RetentionReasonCode> = new Set(['unknown-tier', 'unknown-verification', 'invalid-created-at']);
const HOUR = 3_600_000;

function toDecision(s: Classified): RetentionDecision {
  const reasons = [...s.reasons].sort((a, b) => RETENTION_REASON_CODES.indexOf(a.code) - RETENTION_REASON_CODES.indexOf(b.code));
  return {
    id: s.id,
    database: s.database,
    action: s.action,
    codes: reasons.map((r) => r.code),
    reasons: reasons.map((r) => `${r.code}: ${r.text}`),
  };
}

// Ordering uses code-unit comparison, never localeCompare: the plan must not depend on the machine's locale.
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sort key for time; an unknown time sorts as the oldest. */
function timeKey(s: Classified): number {
  return Number.isNaN(s.time) ? Number.NEGATIVE_INFINITY : s.time;
}

function oldestFirst(a: Classified, b: Classified): number {
  return timeKey(a) - timeKey(b) || compareText(a.id, b.id);
}

function newestFirst(a: Classified, b: Classified): number {
  return oldestFirst(b, a);
}

function mostUsefulFirst(a: Classified, b: Classified): number {
  return Number(a.verification === 'failed') - Number(b.verification === 'failed') || newestFirst(a, b);
}

function byDatabaseThenTime(a: Classified, b: Classified): number {
  return compareText(a.database, b.database) || oldestFirst(a, b);
}

function hours(ms: number): string {
  return (ms / HOUR).toFixed(1);
}
