import { verifiedCopyAgeFloorSeconds } from '../../functions/domain/rpo/objectives.ts';
import { longestGapSeconds, parseSchedule } from '../../functions/domain/snapshots/schedule.ts';
import { parseAssertions } from '../../functions/contracts/documents/assertions.ts';
import { exactCountTableProblems } from '../../functions/domain/verification/exact-counts.ts';
import { ValidationError } from '../../functions/shared/errors.ts';
import { isPlainObject } from './defaults.ts';
import { offsitePaths } from './resolve.ts';
import { CLUSTER_CLASS_FAMILIES, MANUAL_SNAPSHOT_QUOTA, PITR_LAG_SECONDS, PROBE_PERIOD_SECONDS, RDS_FAILOVER_SECONDS, SUPPORTED_MAJORS, WRITER_DOWN_PROBES } from './constants.ts';
import { FAILURE_MODES, type DrConfig, type FailureMode, type Topology } from './types.ts';

/**
 * Configuration validation. Every check runs; the result lists every problem, each
 * starting with the field's path, so one synth shows everything to fix.
 */

/** Allowed keys per object path; `*` marks a record whose keys are checked elsewhere. */
const KEYS: Record<string, readonly string[]> = {
  '': ['region', 'availabilityZones', 'database', 'dr', 'objectives', 'schedules', 'retention', 'notificationEmails', 'failover', 'restoreTest', 'archiveRetentionDays'],
  database: ['name', 'engineVersion', 'topology', 'instanceClass', 'storageType', 'allocatedStorageGiB', 'maxAllocatedStorageGiB', 'iops', 'readReplicas', 'backupRetentionDays', 'preferredBackupWindow', 'preferredMaintenanceWindow', 'port', 'masterUsername'],
  dr: ['region', 'snapshotCopy', 'backupReplication', 'readReplica'],
  objectives: FAILURE_MODES,
  'objectives.az': ['rpoSeconds', 'rtoSeconds'],
  'objectives.region': ['rpoSeconds', 'rtoSeconds'],
  'objectives.corruption': ['rpoSeconds', 'rtoSeconds'],
  'objectives.snapshotLoss': ['rpoSeconds', 'rtoSeconds'],
  schedules: ['timezone', 'backup', 'restoreTest', 'tiers'],
  'schedules.tiers': ['weeklyOn', 'monthlyOnDay', 'yearlyOn'],
  retention: ['daily', 'weekly', 'monthly', 'yearly', 'minimumCount', 'quotaHeadroom', 'deletesPerSecond', 'maxVerifiedAgeHours'],
  failover: ['auto', 'maxLagOnFailoverSeconds', 'cooldownMinutes'],
  restoreTest: ['instanceClass', 'temporaryTtlHours', 'assertions', 'maxBracketShare', 'bracketMaxWaitSeconds', 'contentDigest', 'exactCounts'],
  'restoreTest.exactCounts': ['tables'],
};

/**
 * Checks that the raw input has no unknown key at any level. Runs before defaults are
 * applied, so a misspelt key is reported instead of silently ignored.
 */
export function unknownKeys(input: unknown, path = ''): string[] {
  if (!isPlainObject(input)) return [];
  const allowed = KEYS[path];
  if (allowed === undefined) return [];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    const child = path === '' ? key : `${path}.${key}`;
    if (!allowed.includes(key)) {
      problems.push(`${child}: unknown key; allowed keys${path === '' ? '' : ` of ${path}`}: ${allowed.join(', ')}`);
    } else {
      problems.push(...unknownKeys(value, child));
    }
  }
  return problems;
}

/** A tiny collector so each rule reads as one line. */
class Problems {
  readonly list: string[] = [];

  add(path: string, message: string): void {
    this.list.push(`${path}: ${message}`);
  }

  integer(path: string, value: unknown, min: number, max: number): value is number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.add(path, `${show(value)} must be an integer from ${min} to ${max}`);
      return false;
    }
    return true;
  }

  number(path: string, value: unknown, min: number, max: number): value is number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      this.add(path, `${show(value)} must be a number from ${min} to ${max}`);
      return false;
    }
    return true;
  }

  boolean(path: string, value: unknown): value is boolean {
    if (typeof value !== 'boolean') {
      this.add(path, `${show(value)} must be true or false`);
      return false;
    }
    return true;
  }

  pattern(path: string, value: unknown, re: RegExp, what: string): value is string {
    if (typeof value !== 'string' || !re.test(value)) {
      this.add(path, `${show(value)} is not ${what}`);
      return false;
    }
    return true;
  }

  oneOf<T extends string>(path: string, value: unknown, allowed: readonly T[]): value is T {
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.add(path, `${show(value)} is not allowed; allowed: ${allowed.join(', ')}`);
      return false;
    }
    return true;
  }
}

function show(value: unknown): string {
  return value === undefined ? 'missing value' : JSON.stringify(value);
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const WINDOW = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;
const MAINTENANCE = /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Validates a complete configuration (defaults applied). Returns every problem; an
 * empty list means the configuration can be deployed.
 */
export function validateConfig(config: DrConfig): string[] {
  const p = new Problems();
  const db = config.database;
  const cluster = db.topology === 'multi-az-cluster';

  // Regions and zones.
  const regionOk = p.pattern('region', config.region, REGION, 'an AWS region name (e.g. eu-west-1)');
  const azs = config.availabilityZones;
  if (!Array.isArray(azs) || azs.length !== 3 || new Set(azs).size !== 3) {
    p.add('availabilityZones', `${show(azs)} must list 3 distinct availability zones`);
  } else if (regionOk) {
    azs.forEach((az, i) => {
      if (typeof az !== 'string' || !new RegExp(`^${config.region}[a-z]$`).test(az)) {
        p.add(`availabilityZones[${i}]`, `${show(az)} is not an availability zone of ${config.region}`);
      }
    });
  }

  // Database.
  p.pattern('database.name', db.name, /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,39}$/, 'a name of 1-40 lower-case letters, digits and single hyphens starting with a letter');
  if (p.pattern('database.engineVersion', db.engineVersion, /^\d+\.\d+$/, 'a full PostgreSQL version like 18.3')) {
    const major = Number(db.engineVersion.split('.')[0]);
    const minor = Number(db.engineVersion.split('.')[1]);
    if (!(SUPPORTED_MAJORS as readonly number[]).includes(major)) {
      p.add('database.engineVersion', `major ${major} is not supported; allowed majors: ${SUPPORTED_MAJORS.join(', ')}`);
    } else if (cluster && major === 14 && minor < 5) {
      p.add('database.engineVersion', `${db.engineVersion} cannot run a Multi-AZ DB cluster; PostgreSQL 14 needs 14.5 or later`);
    }
  }
  p.oneOf('database.topology', db.topology, ['multi-az-instance', 'multi-az-cluster'] as const);
  if (p.pattern('database.instanceClass', db.instanceClass, /^db\.[a-z0-9-]+\.[a-z0-9]+$/, 'a DB instance class like db.m7g.large')) {
    const family = db.instanceClass.split('.')[1] ?? '';
    if (cluster && !(CLUSTER_CLASS_FAMILIES as readonly string[]).includes(family)) {
      p.add('database.instanceClass', `${db.instanceClass} cannot run a Multi-AZ DB cluster; allowed families: ${CLUSTER_CLASS_FAMILIES.map((f) => `db.${f}`).join(', ')}`);
    }
    if (family.startsWith('t')) {
      p.add('database.instanceClass', `${db.instanceClass} is burstable: production databases need a fixed-performance class`);
    }
  }
  if (p.oneOf('database.storageType', db.storageType, ['gp3', 'io1', 'io2'] as const)) {
    const minStorage = db.storageType === 'gp3' ? 20 : 100;
    p.integer('database.allocatedStorageGiB', db.allocatedStorageGiB, minStorage, 65_536);
    if (db.storageType !== 'gp3' && db.iops === undefined) p.add('database.iops', `required with storageType ${db.storageType}`);
  }
  if (db.iops !== undefined && p.integer('database.iops', db.iops, 1000, 256_000) && db.storageType === 'io1' && typeof db.allocatedStorageGiB === 'number') {
    const ratio = db.iops / db.allocatedStorageGiB;
    if (ratio < 0.5 || ratio > 50) p.add('database.iops', `${db.iops} IOPS on ${db.allocatedStorageGiB} GiB is a ratio of ${ratio.toFixed(1)}; io1 allows 0.5 to 50 IOPS per GiB`);
  }
  if (!cluster && p.integer('database.maxAllocatedStorageGiB', db.maxAllocatedStorageGiB, 20, 65_536) && typeof db.allocatedStorageGiB === 'number' && db.maxAllocatedStorageGiB < db.allocatedStorageGiB) {
    p.add('database.maxAllocatedStorageGiB', `${db.maxAllocatedStorageGiB} is below allocatedStorageGiB ${db.allocatedStorageGiB}`);
  }
  if (p.integer('database.readReplicas', db.readReplicas, 0, 5) && cluster && db.readReplicas > 0) {
    p.add('database.readReplicas', 'must be 0 with multi-az-cluster: its two standbys already serve reads');
  }
  p.integer('database.backupRetentionDays', db.backupRetentionDays, 1, 35);
  const backupOk = p.pattern('database.preferredBackupWindow', db.preferredBackupWindow, WINDOW, 'a UTC window hh:mm-hh:mm');
  const maintOk = p.pattern('database.preferredMaintenanceWindow', db.preferredMaintenanceWindow, MAINTENANCE, 'a UTC window ddd:hh:mm-ddd:hh:mm');
  if (backupOk) checkWindows(p, db.preferredBackupWindow, maintOk ? db.preferredMaintenanceWindow : null);
  p.integer('database.port', db.port, 1150, 65_535);
  if (p.pattern('database.masterUsername', db.masterUsername, /^[a-z][a-z0-9_]{0,62}$/, 'a user name of lower-case letters, digits and underscores') && ['postgres', 'rdsadmin', 'admin', 'rdsrepladmin'].includes(db.masterUsername)) {
    p.add('database.masterUsername', `"${db.masterUsername}" is reserved by RDS or PostgreSQL`);
  }

  // DR region and what RDS supports per topology.
  const dr = config.dr;
  const drRegion = dr.region;
  if (drRegion !== null && p.pattern('dr.region', drRegion, REGION, 'an AWS region name or null') && drRegion === config.region) {
    p.add('dr.region', `must differ from region (${config.region}): a copy in the same region does not survive region loss`);
  }
  const features = [
    ['snapshotCopy', 'copying Multi-AZ DB cluster snapshots to another region'],
    ['backupReplication', 'cross-region automated backup replication for Multi-AZ DB clusters'],
    ['readReplica', 'cross-region read replicas of Multi-AZ DB clusters'],
  ] as const;
  for (const [key, limitation] of features) {
    if (!p.boolean(`dr.${key}`, dr[key]) || !dr[key]) continue;
    if (cluster) p.add(`dr.${key}`, `not supported with multi-az-cluster: RDS does not support ${limitation}; set it to false`);
    else if (drRegion === null) p.add(`dr.${key}`, 'needs dr.region');
  }

  checkObjectives(p, config);

  // Schedules.
  const sch = config.schedules;
  if (typeof sch.timezone !== 'string' || !isTimeZone(sch.timezone)) {
    p.add('schedules.timezone', `${show(sch.timezone)} is not an IANA time zone (e.g. UTC, Europe/London)`);
  }
  for (const key of ['backup', 'restoreTest'] as const) {
    const value = sch[key];
    if (typeof value !== 'string') {
      p.add(`schedules.${key}`, `${show(value)} must be a cron(...) or rate(...) expression`);
      continue;
    }
    const parsed = parseSchedule(value);
    if (!parsed.ok) for (const problem of parsed.problems) p.add(`schedules.${key}`, problem);
  }
  p.oneOf('schedules.tiers.weeklyOn', sch.tiers.weeklyOn, ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const);
  p.integer('schedules.tiers.monthlyOnDay', sch.tiers.monthlyOnDay, 1, 28);
  if (p.pattern('schedules.tiers.yearlyOn', sch.tiers.yearlyOn, /^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a month-day MM-DD')) {
    const [month, day] = sch.tiers.yearlyOn.split('-').map(Number) as [number, number];
    if (day > new Date(Date.UTC(2027, month, 0)).getUTCDate()) p.add('schedules.tiers.yearlyOn', `${sch.tiers.yearlyOn} does not occur every year`);
  }

  // Retention.
  const r = config.retention;
  const tiers = (['daily', 'weekly', 'monthly', 'yearly'] as const).filter((t) => p.integer(`retention.${t}`, r[t], 0, 1000));
  const kept = tiers.reduce((sum, t) => sum + r[t], 0);
  if (tiers.length === 4 && kept === 0) p.add('retention', 'every tier keeps 0 snapshots: keep at least one tier');
  p.integer('retention.minimumCount', r.minimumCount, 1, MANUAL_SNAPSHOT_QUOTA);
  if (p.integer('retention.quotaHeadroom', r.quotaHeadroom, 0, MANUAL_SNAPSHOT_QUOTA - 1) && tiers.length === 4 && kept > MANUAL_SNAPSHOT_QUOTA - r.quotaHeadroom) {
    p.add('retention', `keeps up to ${kept} snapshots, more than the manual-snapshot quota of ${MANUAL_SNAPSHOT_QUOTA} less quotaHeadroom ${r.quotaHeadroom}`);
  }
  p.number('retention.deletesPerSecond', r.deletesPerSecond, 0.1, 10);
  p.integer('retention.maxVerifiedAgeHours', r.maxVerifiedAgeHours, 24, 8760);

  // Notifications, failover, archive.
  if (!Array.isArray(config.notificationEmails)) {
    p.add('notificationEmails', `${show(config.notificationEmails)} must be a list of email addresses`);
  } else {
    config.notificationEmails.forEach((email, i) => p.pattern(`notificationEmails[${i}]`, email, EMAIL, 'an email address'));
  }
  p.boolean('failover.auto', config.failover.auto);
  p.integer('failover.maxLagOnFailoverSeconds', config.failover.maxLagOnFailoverSeconds, 0, 86_400);
  p.integer('failover.cooldownMinutes', config.failover.cooldownMinutes, 0, 1440);
  p.integer('archiveRetentionDays', config.archiveRetentionDays, 1, 36_500);

  // Restore tests.
  const rt = config.restoreTest;
  if (rt.instanceClass !== null) p.pattern('restoreTest.instanceClass', rt.instanceClass, /^db\.[a-z0-9-]+\.[a-z0-9]+$/, 'a DB instance class like db.m7g.large, or null for the database\'s own');
  p.integer('restoreTest.temporaryTtlHours', rt.temporaryTtlHours, 1, 48);
  p.number('restoreTest.maxBracketShare', rt.maxBracketShare, 0.0001, 1);
  // The manifest function runs at most 15 minutes: the wait, one flush interval and the reads must fit.
  p.integer('restoreTest.bracketMaxWaitSeconds', rt.bracketMaxWaitSeconds, 0, 780);
  p.boolean('restoreTest.contentDigest', rt.contentDigest);
  p.list.push(...exactCountTableProblems(rt.exactCounts?.tables, 'restoreTest.exactCounts.tables'));
  try {
    parseAssertions(rt.assertions, 'restoreTest.assertions');
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    p.list.push(...error.problems);
  }
  return p.list;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function minutesOf(hh: string, mm: string): number {
  return Number(hh) * 60 + Number(mm);
}

/** RDS requires windows of at least 30 minutes that do not overlap. */
function checkWindows(p: Problems, backup: string, maintenance: string | null): void {
  const [, bh1 = '', bm1 = '', bh2 = '', bm2 = ''] = WINDOW.exec(backup) ?? [];
  const bStart = minutesOf(bh1, bm1);
  const bEnd = minutesOf(bh2, bm2);
  const bLength = (bEnd - bStart + 1440) % 1440;
  if (bLength < 30) p.add('database.preferredBackupWindow', `${backup} is shorter than the 30 minutes RDS requires`);
  if (maintenance === null) return;
  const [, , mh1 = '', mm1 = '', , mh2 = '', mm2 = ''] = MAINTENANCE.exec(maintenance) ?? [];
  const mStart = minutesOf(mh1, mm1);
  const mEnd = minutesOf(mh2, mm2);
  const inWindow = (t: number, start: number, end: number): boolean => (start <= end ? t >= start && t < end : t >= start || t < end);
  if (inWindow(mStart, bStart, bEnd) || inWindow(bStart, mStart, mEnd)) {
    p.add('database.preferredMaintenanceWindow', `${maintenance} overlaps preferredBackupWindow ${backup}; RDS requires them apart`);
  }
}

/** The recovery path of each failure mode, and the lowest RPO/RTO it can reach. */
export interface ObjectiveFloor {
  /** What limits the mode, for messages and docs; null when no path exists. */
  readonly path: string | null;
  readonly rpoSeconds: number;
  readonly rtoSeconds: number;
  readonly rpoReason: string;
  readonly rtoReason: string;
}

/**
 * The floors each failure mode's objectives must sit at or above, from the
 * configuration's topology and DR features (docs/architecture.md, "Recovery objectives per failure mode").
 */
export function objectiveFloors(config: DrConfig): Record<FailureMode, ObjectiveFloor> {
  const topology = config.database.topology;
  const failover = RDS_FAILOVER_SECONDS[topology] ?? RDS_FAILOVER_SECONDS['multi-az-instance'];
  const parsed = typeof config.schedules.backup === 'string' ? parseSchedule(config.schedules.backup) : null;
  // NaN when the schedule itself is invalid: that problem is reported once, under schedules.backup.
  const backupGap = parsed?.ok ? longestGapSeconds(parsed.schedule) : Number.NaN;
  const backupReason = `the backup schedule runs at most every ${backupGap} s`;
  const detectionSeconds = WRITER_DOWN_PROBES * PROBE_PERIOD_SECONDS;
  const detection = `RDS failover takes up to ${failover} s plus ${detectionSeconds} s to detect: ${WRITER_DOWN_PROBES} failed probe minutes`;
  const offsite = offsitePaths(config);
  const regionPath = offsite.readReplica ? 'cross-region read replica' : offsite.backupReplication ? 'replicated automated backups' : offsite.snapshotCopy ? 'snapshot copies' : null;
  return {
    az: { path: 'Multi-AZ failover', rpoSeconds: 0, rtoSeconds: failover + detectionSeconds, rpoReason: 'the standby is synchronous', rtoReason: detection },
    region: {
      path: regionPath,
      rpoSeconds: regionPath === 'cross-region read replica' ? 1 : regionPath === 'replicated automated backups' ? PITR_LAG_SECONDS : backupGap,
      rtoSeconds: 1,
      rpoReason:
        regionPath === 'cross-region read replica'
          ? 'replication to the replica is asynchronous'
          : regionPath === 'replicated automated backups'
            ? 'replicated backups trail the source by at least the PITR lag of about 5 minutes'
            : backupReason,
      rtoReason: 'it must be positive',
    },
    corruption: { path: 'point-in-time restore', rpoSeconds: PITR_LAG_SECONDS, rtoSeconds: 1, rpoReason: 'LatestRestorableTime trails the present by about 5 minutes', rtoReason: 'it must be positive' },
    snapshotLoss: { path: offsite.snapshotCopy ? 'offsite snapshot copies' : null, rpoSeconds: backupGap, rtoSeconds: 1, rpoReason: backupReason, rtoReason: 'it must be positive' },
  };
}

function checkObjectives(p: Problems, config: DrConfig): void {
  const floors = objectiveFloors(config);
  for (const mode of FAILURE_MODES) {
    const objective = config.objectives[mode];
    const floor = floors[mode];
    const path = `objectives.${mode}`;
    if (floor.path === null) {
      if (objective !== null) p.add(path, `this configuration has no recovery path for ${mode} (${noPathReason(config, mode)}); set it to null to accept that, or add the path`);
      continue;
    }
    if (objective === null || !isPlainObject(objective)) {
      p.add(path, `must be { rpoSeconds, rtoSeconds }: ${floor.path} protects against this failure`);
      continue;
    }
    if (p.integer(`${path}.rpoSeconds`, objective.rpoSeconds, 0, 31_536_000) && objective.rpoSeconds < floor.rpoSeconds) {
      p.add(`${path}.rpoSeconds`, `${objective.rpoSeconds} is below what ${floor.path} can reach (${floor.rpoSeconds}: ${floor.rpoReason})`);
    } else if (mode === 'snapshotLoss' && typeof objective.rpoSeconds === 'number') {
      checkVerifiedCopyFloor(p, config, objective.rpoSeconds);
    }
    if (p.integer(`${path}.rtoSeconds`, objective.rtoSeconds, 1, 31_536_000) && objective.rtoSeconds < floor.rtoSeconds) {
      p.add(`${path}.rtoSeconds`, `${objective.rtoSeconds} is below what ${floor.path} can reach (${floor.rtoSeconds}: ${floor.rtoReason})`);
    }
  }
}

/**
 * The snapshot-loss RPO is measured on the newest offsite copy that passed a restore test, so it
 * also depends on when restore tests run: just before a test proves a newer backup, the newest
 * verified one is the previous test's (functions/domain/rpo/objectives.ts, verifiedCopyAgeFloorSeconds).
 */
function checkVerifiedCopyFloor(p: Problems, config: DrConfig, rpoSeconds: number): void {
  const backup = typeof config.schedules.backup === 'string' ? parseSchedule(config.schedules.backup) : null;
  const restoreTest = typeof config.schedules.restoreTest === 'string' ? parseSchedule(config.schedules.restoreTest) : null;
  if (!backup?.ok || !restoreTest?.ok) return; // reported under schedules.*
  const floor = verifiedCopyAgeFloorSeconds(backup.schedule, restoreTest.schedule);
  if (rpoSeconds < floor) {
    p.add(
      'objectives.snapshotLoss.rpoSeconds',
      `${rpoSeconds} is below what verified offsite copies can reach (${floor}: the newest copy that passed a restore test ages that long between restore tests, with schedules.backup ${config.schedules.backup} and schedules.restoreTest ${config.schedules.restoreTest})`,
    );
  }
}

function noPathReason(config: DrConfig, mode: FailureMode): string {
  if (config.dr.region === null) return 'dr.region is null';
  if (config.database.topology === 'multi-az-cluster') return 'RDS cannot copy Multi-AZ DB cluster snapshots or backups to another region';
  return mode === 'snapshotLoss' ? 'dr.snapshotCopy is false' : 'dr.snapshotCopy, dr.backupReplication and dr.readReplica are all false';
}
