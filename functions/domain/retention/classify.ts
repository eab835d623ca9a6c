/**
 * Step 2 of the retention planner: what it knows about each snapshot (its database, data time,
 * tier and restore-test verdict) and every reason that makes it no candidate for deletion (not
 * manual, not ours, on legal hold, another policy's, not available, unreadable tags or times).
 * Pure; the rules that decide between candidates are in `planner.ts`.
 */
import { TAG, TIERS, type Tier } from '../snapshots/naming.ts';
import type { RetentionPolicy, RetentionReasonCode, SnapshotRecord } from './model.ts';

/** A reason under construction. */
export interface Reason {
  readonly code: RetentionReasonCode;
  readonly text: string;
}

/** A snapshot with what the planner knows about it; `reasons` and `action` fill in as planning goes. */
export interface Classified {
  readonly record: SnapshotRecord;
  readonly id: string;
  readonly database: string;
  /** Data time in milliseconds since the epoch; NaN when unknown. */
  readonly time: number;
  /** Managed, manual and available: may anchor expiry when verified. */
  readonly restorable: boolean;
  /** Managed, manual and under this policy: its database's alarms concern this policy. */
  readonly governed: boolean;
  /** Governed and available: counts toward the minimum. */
  readonly counted: boolean;
  readonly tier: Tier | null;
  readonly verification: 'passed' | 'failed' | 'unverified' | null;
  /** Non-empty: never deleted. */
  readonly exclusions: readonly Reason[];
  reasons: Reason[];
  action: 'keep' | 'delete';
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Classifies one snapshot under a policy; a snapshot with exclusions is never deleted. */
export function classify(record: SnapshotRecord, policy: RetentionPolicy): Classified {
  const tags = record.tags;
  const managed = tag(tags, TAG.managed) === 'true';
  const manual = record.type === 'manual';
  const available = record.status === 'available';
  const timeValue = record.dataTime ?? record.createdAt;
  const time = parseTime(timeValue);
  const tierTag = tag(tags, TAG.tier);
  const tier = (TIERS as readonly string[]).includes(tierTag ?? '') ? (tierTag as Tier) : null;
  const verifiedTag = tag(tags, TAG.verified);
  const verification = verifiedTag === undefined ? 'unverified' : verifiedTag === 'passed' || verifiedTag === 'failed' ? verifiedTag : null;
  const hold = tag(tags, TAG.legalHold);
  const policyTag = tag(tags, TAG.policy);

  const exclusions: Reason[] = [];
  if (!manual) exclusions.push({ code: 'not-manual', text: `type is ${show(record.type)}, not "manual": RDS or another account owns it` });
  if (!managed) {
    exclusions.push({ code: 'unmanaged', text: `${TAG.managed} is ${showTag(tags, TAG.managed)}, not "true": this system did not create it` });
  }
  if (hold !== undefined && hold !== 'false') {
    exclusions.push({ code: 'legal-hold', text: `${TAG.legalHold} is ${show(hold)}: held until the tag is removed or set to "false"` });
  }
  // Tags below only mean something on a snapshot this system manages.
  if (managed && policyTag !== policy.name) {
    exclusions.push({ code: 'other-policy', text: `${TAG.policy} is ${showTag(tags, TAG.policy)}, not ${show(policy.name)}: this policy does not govern it` });
  }
  if (!available) {
    exclusions.push({
      code: 'not-available',
      text: `status is ${show(record.status)}, not "available"${IN_PROGRESS.has(record.status) ? ': in progress, kept until available (RDS reports no creation time before)' : ''}`,
    });
  }
  if (managed && tier === null) {
    exclusions.push({ code: 'unknown-tier', text: `${TAG.tier} is ${showTag(tags, TAG.tier)}, not one of ${TIERS.join(', ')}: kept until fixed` });
  }
  if (managed && verification === null) {
    exclusions.push({
      code: 'unknown-verification',
      text: `${TAG.verified} is ${show(verifiedTag)}, not "passed", "failed" or absent: kept until fixed`,
    });
  }
  // A snapshot that is not available has no SnapshotCreateTime yet in RDS: expected, not unreadable.
  if (Number.isNaN(time) && (available || timeValue !== null)) {
    const field = record.dataTime !== undefined && record.dataTime !== null ? 'dataTime' : 'createdAt';
    exclusions.push({ code: 'invalid-created-at', text: `${field} ${showTime(timeValue)} is not a valid time with a zone: kept until fixed` });
  }

  return {
    record,
    id: record.id,
    database: record.database,
    time,
    restorable: managed && manual && available,
    governed: managed && manual && policyTag === policy.name,
    counted: managed && manual && policyTag === policy.name && available,
    tier,
    verification,
    exclusions,
    reasons: [...exclusions],
    action: 'keep',
  };
}

/** RDS snapshot statuses of a snapshot still being made or copied. */
const IN_PROGRESS: ReadonlySet<string> = new Set(['creating', 'pending', 'copying']);

function tag(tags: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(tags, key) ? tags[key] : undefined;
}

function parseTime(value: Date | string | null): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string' && ISO_WITH_ZONE.test(value)) return Date.parse(value);
  return Number.NaN;
}

/** A value as reasons and problems quote it: JSON, or `missing`. */
export function show(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value) ?? String(value);
}

function showTag(tags: Readonly<Record<string, string>>, key: string): string {
  return show(tag(tags, key));
}

function showTime(value: unknown): string {
  return value instanceof Date ? 'Invalid Date' : show(value);
}
