/**
 * An independent oracle of the retention rules, written from docs/backups.md ("How retention
 * decides") and issue 10 item 5 (age is the time of the data), NOT from functions/domain/retention/planner.ts.
 * It judges one delete against the snapshot list of its region just before the delete. Each rule
 * is its own invariant id, so the integrator can switch them on one by one.
 *
 * Deliberately simple: it only says what the docs say must be KEPT; it never asks for a delete.
 */
import type { DBSnapshot } from '@aws-sdk/client-rds';

/** The retention policy the layer runs with (RETENTION_POLICY of the handler). */
export const POLICY = { daily: 3, weekly: 2, monthly: 1, yearly: 1, minimumCount: 3, quotaHeadroom: 10, deletesPerSecond: 2, maxVerifiedAgeHours: 72 } as const;
export const POLICY_NAME = 'swifteats-gfs';

const RANK: Record<string, number> = { daily: 0, weekly: 1, monthly: 2, yearly: 3 };

function tags(s: DBSnapshot): Record<string, string> {
  return Object.fromEntries((s.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/** The time of a snapshot's data: the source's creation time for a copy (issue 10 item 5). */
export function dataTime(s: DBSnapshot): number {
  const t = s.OriginalSnapshotCreateTime ?? s.SnapshotCreateTime;
  return t === undefined ? Number.NaN : new Date(t).getTime();
}

/** Rule 1: a candidate at all (managed, this policy, no legal hold, available, readable tags). */
export function isCandidate(s: DBSnapshot): boolean {
  const t = tags(s);
  return t['dr:managed'] === 'true' && t['dr:policy'] === POLICY_NAME && !('dr:legal-hold' in t) && s.Status === 'available' && (s.SnapshotType ?? 'manual') === 'manual' && !Number.isNaN(dataTime(s));
}

/** A reason the docs give to keep `victim`, judged on `before` (its region's list just before the delete), or null. */
export function keepReasons(victim: DBSnapshot, before: readonly DBSnapshot[], now: Date): { rule: string; why: string }[] {
  const reasons: { rule: string; why: string }[] = [];
  const t = tags(victim);
  if (t['dr:managed'] !== 'true') reasons.push({ rule: 'never-delete-unmanaged', why: 'no dr:managed=true' });
  if ('dr:legal-hold' in t) reasons.push({ rule: 'never-delete-legal-hold', why: `dr:legal-hold=${t['dr:legal-hold']}` });
  if (reasons.length > 0) return reasons;
  if (!isCandidate(victim)) reasons.push({ rule: 'retention-candidates-only', why: `not a candidate (status ${victim.Status}, policy ${t['dr:policy']})` });
  const candidates = before.filter(isCandidate);
  const passed = candidates.filter((s) => tags(s)['dr:verified'] === 'passed');
  const newestVerified = passed.reduce<number>((m, s) => Math.max(m, dataTime(s)), Number.NEGATIVE_INFINITY);
  // Rule 2: the newest verified and everything newer are kept.
  if (dataTime(victim) >= newestVerified) reasons.push({ rule: 'retention-newest-verified', why: newestVerified === Number.NEGATIVE_INFINITY ? 'no verified snapshot at all' : `data time ${new Date(dataTime(victim)).toISOString()} >= newest verified ${new Date(newestVerified).toISOString()}` });
  // Rule 3: nothing is deleted without a snapshot verified within maxVerifiedAgeHours (by data time or by verified-at).
  const horizon = now.getTime() - POLICY.maxVerifiedAgeHours * 3_600_000;
  const fresh = passed.some((s) => dataTime(s) >= horizon || Date.parse(tags(s)['dr:verified-at'] ?? '') >= horizon);
  if (!fresh) reasons.push({ rule: 'retention-verified-fresh', why: `no snapshot verified within ${POLICY.maxVerifiedAgeHours} h` });
  // Rule 5: never fewer than minimumCount managed available snapshots.
  const managedAvailable = before.filter((s) => tags(s)['dr:managed'] === 'true' && tags(s)['dr:policy'] === POLICY_NAME && s.Status === 'available');
  if (managedAvailable.length - 1 < POLICY.minimumCount) reasons.push({ rule: 'retention-minimum-count', why: `${managedAvailable.length} managed, minimum ${POLICY.minimumCount}` });
  // GFS slots: per tier, the newest N snapshots of that tier or higher (tiers nest); a failed one holds no slot (rule 4).
  const slotHolders = candidates.filter((s) => tags(s)['dr:verified'] !== 'failed').sort((a, b) => dataTime(b) - dataTime(a));
  for (const [tier, count] of Object.entries({ daily: POLICY.daily, weekly: POLICY.weekly, monthly: POLICY.monthly, yearly: POLICY.yearly })) {
    const kept = slotHolders.filter((s) => (RANK[tags(s)['dr:tier'] ?? ''] ?? -1) >= (RANK[tier] ?? 0)).slice(0, count);
    if (kept.some((s) => s.DBSnapshotIdentifier === victim.DBSnapshotIdentifier)) reasons.push({ rule: 'retention-tier-slot', why: `one of the newest ${count} ${tier}` });
  }
  return reasons;
}
