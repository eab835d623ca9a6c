/**
 * Snapshot identity: deterministic ids and the GFS tier of a backup run.
 *
 * The id `<db>-<tier>-<yyyymmddHHMM>` is derived from the run's *scheduled* time, not the
 * wall clock, so a duplicate delivery of the same schedule (EventBridge Scheduler is
 * at-least-once) names the same snapshot and the second attempt is a no-op.
 */

/**
 * Snapshot identifiers the functions and the CLI accept: a letter, then letters, digits and hyphens,
 * 255 characters at most (RDS DBSnapshotIdentifier; RDS stores identifiers lower-case).
 */
export const SNAPSHOT_ID = /^[a-z][a-z0-9-]{0,254}$/;
/** DB instance or cluster identifiers the functions accept: the same alphabet, 63 characters at most. */
export const DB_ID = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * A name for a new DB instance or cluster, by RDS's rules: 1-63 letters, digits and hyphens, a
 * letter first, no `--` and no trailing `-` (what a point-in-time restore and the CLI accept).
 */
export const NEW_DB_ID = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,62}$/;

/** GFS tiers, lowest first; for retention a snapshot counts in its own tier and every lower one. */
export const TIERS = ['daily', 'weekly', 'monthly', 'yearly'] as const;
/** One tier. */
export type Tier = (typeof TIERS)[number];

/** Tags every managed snapshot carries. */
export const TAG = {
  managed: 'dr:managed',
  tier: 'dr:tier',
  policy: 'dr:policy',
  verified: 'dr:verified',
  verifiedAt: 'dr:verified-at',
  legalHold: 'dr:legal-hold',
  database: 'dr:database',
  temporary: 'dr:temporary',
  expiresAt: 'dr:expires-at',
  /** On an offsite copy: the ARN of the snapshot it copies. */
  copyOf: 'dr:copy-of',
  /** On a temporary restore: the snapshot it proves. */
  sourceSnapshot: 'dr:source-snapshot',
  /** On a point-in-time restore: the requested target (ISO time or `latest`). */
  pitrTarget: 'dr:pitr-target',
} as const;

/** Tier rules from configuration (`schedules.tiers`). */
export interface TierRules {
  /** Three-letter upper-case day name, e.g. `SUN`. */
  readonly weeklyOn: string;
  /** 1-28. */
  readonly monthlyOnDay: number;
  /** `MM-DD`. */
  readonly yearlyOn: string;
}

const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** Calendar fields of an instant in an IANA time zone. */
interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly weekday: string;
}

function localDate(instant: Date, timeZone: string): LocalDate {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    weekday: 'short',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    weekday: get('weekday').toUpperCase().slice(0, 3),
  };
}

/**
 * The tier of a backup run: the highest tier whose rule matches the run's local date.
 * One run makes one snapshot, so 1 January (also the 1st of a month, maybe a Sunday)
 * yields one yearly snapshot rather than four.
 */
export function tierFor(scheduledAt: Date, rules: TierRules, timeZone: string): Tier {
  const d = localDate(scheduledAt, timeZone);
  const mmdd = `${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
  if (mmdd === rules.yearlyOn) return 'yearly';
  if (d.day === rules.monthlyOnDay) return 'monthly';
  if (d.weekday === rules.weeklyOn && DAY_NAMES.includes(rules.weeklyOn)) return 'weekly';
  return 'daily';
}

/** `<db>-<tier>-<yyyymmddHHMM>` in the schedule's time zone. */
export function snapshotId(database: string, tier: Tier, scheduledAt: Date, timeZone: string): string {
  const d = localDate(scheduledAt, timeZone);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${database}-${tier}-${d.year}${pad(d.month)}${pad(d.day)}${pad(d.hour)}${pad(d.minute)}`;
}

/** Parses an id made by {@link snapshotId}; null for any other id (never ours). */
export function parseSnapshotId(id: string): { database: string; tier: Tier; stamp: string } | null {
  const match = /^([a-z][a-z0-9-]*)-(daily|weekly|monthly|yearly)-(\d{12})$/.exec(id);
  if (!match) return null;
  return { database: match[1] ?? '', tier: match[2] as Tier, stamp: match[3] ?? '' };
}

/** The tags a new managed snapshot gets. */
export function managedSnapshotTags(database: string, tier: Tier, policy: string): Record<string, string> {
  return { [TAG.managed]: 'true', [TAG.tier]: tier, [TAG.policy]: policy, [TAG.database]: database };
}
