/**
 * The configuration's shape, declared once: every key, its type, its range or its words, built on
 * the house schema wrapper (functions/contracts/schema.ts) and typed against {@link DrConfig}.
 *
 * It runs twice in `resolveConfig` (load.ts): on the raw file, where only the keys it does not
 * allow are taken (so a misspelt key is named before defaults could hide it), and on the complete
 * configuration, where every field is checked. What depends on more than one field (quota
 * arithmetic, objective floors, what a topology supports, zones of the region) is a rule in
 * validate.ts that runs after it.
 *
 * Messages keep the configuration's own wording: `<value> must be an integer from 1 to 35`,
 * `<value> is not allowed; allowed: …`, `<value> is not <what>`, a value that is absent shown as
 * `missing value`.
 */
import { nullable, optional, pipe, rawCheck, string, check } from 'valibot';
import type { ObjectEntries } from 'valibot';
import { closed, fields, finiteNumber, listOf, oneOf, text, unchecked, whenObject, wholeNumber, worded, yesNo } from '../../functions/contracts/schema.ts';
import type { Message, Schema } from '../../functions/contracts/schema.ts';
import { FAILURE_MODES } from '../../functions/domain/rpo/objectives.ts';
import type { RetentionSettings } from '../../functions/domain/retention/model.ts';
import { parseSchedule } from '../../functions/domain/snapshots/schedule.ts';
import { TOPOLOGIES } from '../../functions/contracts/environment.ts';
import { MANUAL_SNAPSHOT_QUOTA } from './constants.ts';
import type { DrConfig, Objective } from './types.ts';

/** An AWS region name. */
export const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
/** A UTC window `hh:mm-hh:mm`. */
export const WINDOW = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;
/** A weekly UTC window `ddd:hh:mm-ddd:hh:mm`. */
export const MAINTENANCE = /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const INSTANCE_CLASS = /^db\.[a-z0-9-]+\.[a-z0-9]+$/;
const MONTH_DAY = /^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

// The configuration's wording of each kind of field.
/** A whole number from `min` to `max`, in the configuration's wording. */
export const integer = (min: number, max: number): Schema<number> => wholeNumber(min, max, undefined, worded(`must be an integer from ${min} to ${max}`));
const decimal = (min: number, max: number): Schema<number> => finiteNumber(min, max, undefined, worded(`must be a number from ${min} to ${max}`));
const flag = (): Schema<boolean> => yesNo(undefined, worded('must be true or false'));
const matching = (pattern: RegExp, what: string): Schema<string> => text(pattern, what, worded(`is not ${what}`));
const choice = <const T extends string>(allowed: readonly T[]): Schema<T> => oneOf(allowed, undefined, worded(`is not allowed; allowed: ${allowed.join(', ')}`));

/** Storage size in GiB from `min`: allocatedStorageGiB (20 for gp3, 100 for io1 and io2) and its autoscaling ceiling. */
export const storageGiB = (min: number): Schema<number> => integer(min, 65_536);

/** An object of the configuration at `path` ('' for the file itself): unknown keys listed with the allowed ones. */
function section<const E extends ObjectEntries>(path: string, entries: E) {
  const allowed = Object.keys(entries);
  return closed(fields(entries, 'an object', worded('must be an object')), allowed, `unknown key; allowed keys${path === '' ? '' : ` of ${path}`}: ${allowed.join(', ')}`);
}

/** A text field with one more check of its own, reported with `message`. */
function textThat(base: Schema<string>, ok: (value: string) => boolean, message: Message): Schema<string> {
  return pipe(base, check(ok, message));
}

/** True for a zone name `Intl` knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A recurring EventBridge Scheduler expression; each problem `parseSchedule` finds is one line. */
function scheduleExpression(): Schema<string> {
  return pipe(
    string(worded('must be a cron(...) or rate(...) expression')),
    rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const parsed = parseSchedule(dataset.value);
      if (!parsed.ok) for (const problem of parsed.problems) addIssue({ message: problem });
    }),
  );
}

/** True when the month-day occurs in every year (not 02-29, 02-30, 04-31, …). */
function occursEveryYear(monthDay: string): boolean {
  const [month, day] = monthDay.split('-').map(Number) as [number, number];
  return day <= new Date(Date.UTC(2027, month, 0)).getUTCDate();
}

/** One failure mode's objectives; a value that is not an object is judged by the objective rules (validate.ts). */
const objective = (mode: string): Schema<Objective | null> =>
  whenObject(section(`objectives.${mode}`, { rpoSeconds: integer(0, 31_536_000), rtoSeconds: integer(1, 31_536_000) })) as Schema<Objective | null>;

const objectives = section('objectives', Object.fromEntries(FAILURE_MODES.map((mode) => [mode, objective(mode)])) as Record<(typeof FAILURE_MODES)[number], Schema<Objective | null>>);

const retentionEntries = {
  daily: integer(0, 1000),
  weekly: integer(0, 1000),
  monthly: integer(0, 1000),
  yearly: integer(0, 1000),
  minimumCount: integer(1, MANUAL_SNAPSHOT_QUOTA),
  quotaHeadroom: integer(0, MANUAL_SNAPSHOT_QUOTA - 1),
  deletesPerSecond: decimal(0.1, 10),
  maxVerifiedAgeHours: integer(24, 8760),
} satisfies Record<keyof RetentionSettings, Schema<number>>;

/** The complete configuration (docs/configuration.md describes each key). */
export const CONFIG_SCHEMA: Schema<DrConfig> = section('', {
  region: matching(REGION, 'an AWS region name (e.g. eu-west-1)'),
  availabilityZones: pipe(
    listOf(() => string(), worded('must list 3 distinct availability zones')),
    check((zones) => zones.length === 3 && new Set(zones).size === 3, worded('must list 3 distinct availability zones')),
  ),
  database: section('database', {
    name: matching(/^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,39}$/, 'a name of 1-40 lower-case letters, digits and single hyphens starting with a letter'),
    engineVersion: matching(/^\d+\.\d+$/, 'a full PostgreSQL version like 18.3'),
    topology: choice(TOPOLOGIES),
    instanceClass: matching(INSTANCE_CLASS, 'a DB instance class like db.m7g.large'),
    storageType: choice(['gp3', 'io1', 'io2'] as const),
    // Rules in validate.ts, with `storageGiB`: the lowest size depends on storageType (20 GiB for
    // gp3, 100 for io1 and io2), and the ceiling applies to the instance topology only.
    allocatedStorageGiB: unchecked<number>(),
    maxAllocatedStorageGiB: unchecked<number>(),
    iops: optional(integer(1000, 256_000)),
    readReplicas: integer(0, 5),
    backupRetentionDays: integer(1, 35),
    preferredBackupWindow: matching(WINDOW, 'a UTC window hh:mm-hh:mm'),
    preferredMaintenanceWindow: matching(MAINTENANCE, 'a UTC window ddd:hh:mm-ddd:hh:mm'),
    port: integer(1150, 65_535),
    masterUsername: matching(/^[a-z][a-z0-9_]{0,62}$/, 'a user name of lower-case letters, digits and underscores'),
  }),
  dr: section('dr', {
    region: nullable(matching(REGION, 'an AWS region name or null')),
    snapshotCopy: flag(),
    backupReplication: flag(),
    readReplica: flag(),
  }),
  objectives,
  schedules: section('schedules', {
    timezone: textThat(string(worded('is not an IANA time zone (e.g. UTC, Europe/London)')), isTimeZone, worded('is not an IANA time zone (e.g. UTC, Europe/London)')),
    backup: scheduleExpression(),
    restoreTest: scheduleExpression(),
    tiers: section('schedules.tiers', {
      weeklyOn: choice(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const),
      monthlyOnDay: integer(1, 28),
      yearlyOn: textThat(matching(MONTH_DAY, 'a month-day MM-DD'), (value) => !MONTH_DAY.test(value) || occursEveryYear(value), (issue) => `${String(issue.input)} does not occur every year`),
    }),
  }),
  retention: section('retention', retentionEntries),
  notificationEmails: listOf(() => matching(EMAIL, 'an email address'), worded('must be a list of email addresses')),
  failover: section('failover', {
    auto: flag(),
    maxLagOnFailoverSeconds: integer(0, 86_400),
    cooldownMinutes: integer(0, 1440),
  }),
  restoreTest: section('restoreTest', {
    instanceClass: nullable(matching(INSTANCE_CLASS, "a DB instance class like db.m7g.large, or null for the database's own")),
    temporaryTtlHours: integer(1, 48),
    // The assertions are parsed by their own reader (a rule in validate.ts), which names each problem's path.
    assertions: unchecked<readonly unknown[]>(),
    maxBracketShare: decimal(0.0001, 1),
    // The manifest function runs at most 15 minutes: the wait, one flush interval and the reads must fit.
    bracketMaxWaitSeconds: integer(0, 780),
    contentDigest: flag(),
    exactCounts: section('restoreTest.exactCounts', { tables: unchecked<readonly string[]>() }),
  }),
  archiveRetentionDays: integer(1, 36_500),
});
