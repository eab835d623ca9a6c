import { verifiedCopyAgeFloorSeconds } from '../../functions/domain/rpo/objectives.ts';
import { longestGapSeconds, parseSchedule } from '../../functions/domain/snapshots/schedule.ts';
import { parseAssertions } from '../../functions/contracts/documents/assertions.ts';
import { exactCountTableProblems } from '../../functions/domain/verification/exact-counts.ts';
import { findProblems, isPlainObject, type Problem } from '../../functions/contracts/schema.ts';
import { ValidationError } from '../../functions/shared/errors.ts';
import { offsitePaths } from './resolve.ts';
import { CLUSTER_CLASS_FAMILIES, MANUAL_SNAPSHOT_QUOTA, PITR_LAG_SECONDS, PROBE_PERIOD_SECONDS, RDS_FAILOVER_SECONDS, SUPPORTED_MAJORS, WRITER_DOWN_PROBES } from './constants.ts';
import { CONFIG_SCHEMA, MAINTENANCE, storageGiB, WINDOW } from './schema.ts';
import type { GenericSchema } from 'valibot';
import { FAILURE_MODES, type DrConfig, type FailureMode } from './types.ts';

/**
 * Configuration validation: the shape (schema.ts, {@link CONFIG_SCHEMA}), then the rules that
 * relate fields to each other. Every check runs; the result lists every problem, each starting
 * with the field's path, so one synth shows everything to fix.
 */

/** Where the configuration's problems are reported: fields by their bare path, the file as `(root)`. */
const PLACE = { label: '(root)', prefix: '' } as const;

/**
 * The keys of the raw input that the configuration does not allow, at any level. Runs before
 * defaults are applied, so a misspelt key is reported instead of silently ignored.
 */
export function unknownKeys(input: unknown): string[] {
  // In the order the file lists them, depth first.
  const place = (path: string): number[] => {
    let at: unknown = input;
    return path.split('.').map((key) => {
      const index = isPlainObject(at) ? Object.keys(at).indexOf(key) : -1;
      at = isPlainObject(at) ? at[key] : undefined;
      return index;
    });
  };
  const before = (a: number[], b: number[]): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i += 1) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
    return a.length - b.length;
  };
  return findProblems(CONFIG_SCHEMA, input, PLACE)
    .filter((problem) => problem.unknownKey)
    .sort((a, b) => before(place(a.path), place(b.path)))
    .map(line);
}

function line(problem: Problem): string {
  return `${problem.path}: ${problem.message}`;
}

/** The rules' view of the shape check: which fields passed it. */
class Problems {
  readonly list: (Problem & { readonly after: string })[] = [];
  private readonly failed: readonly string[];

  constructor(shape: readonly Problem[]) {
    this.failed = shape.map((problem) => problem.path);
  }

  /** Reports `message` at `path`, sorted with `after`'s problems (default: the path's own). */
  add(path: string, message: string, after = path): void {
    this.list.push({ path, message, unknownKey: false, after });
  }

  /** Checks one field whose schema depends on another field's value; true when it passes. */
  check(path: string, value: unknown, schema: GenericSchema): boolean {
    const found = findProblems(schema, value, { label: path });
    for (const problem of found) this.add(path, problem.message);
    return found.length === 0;
  }

  /** Reports a line a domain reader made (`path: message`), sorted with `after`'s problems. */
  addLine(line: string, after: string): void {
    const at = line.indexOf(': ');
    this.list.push({ path: line.slice(0, at), message: line.slice(at + 2), unknownKey: false, after });
  }

  /** True when each field at `paths` and the objects holding it passed the shape check. */
  ok(...paths: string[]): boolean {
    return paths.every((path) => !this.failed.some((bad) => bad === path || path.startsWith(`${bad}.`) || path.startsWith(`${bad}[`)));
  }
}

function show(value: unknown): string {
  return value === undefined ? 'missing value' : JSON.stringify(value);
}

/**
 * The order problems are reported in: the order a reader fixes the file, each field's shape
 * problem followed by the rules about it. A problem sorts at the longest entry its path starts
 * with; a rule reported on a whole object names the field it follows (`Problems.add`'s `after`).
 */
const REPORT_ORDER = [
  'region', 'availabilityZones',
  ...['name', 'engineVersion', 'topology', 'instanceClass', 'storageType', 'allocatedStorageGiB', 'iops', 'maxAllocatedStorageGiB', 'readReplicas', 'backupRetentionDays', 'preferredBackupWindow', 'preferredMaintenanceWindow', 'port', 'masterUsername'].map((key) => `database.${key}`),
  'dr.region', 'dr.snapshotCopy', 'dr.backupReplication', 'dr.readReplica',
  ...FAILURE_MODES.flatMap((mode) => [`objectives.${mode}`, `objectives.${mode}.rpoSeconds`, `objectives.${mode}.rtoSeconds`]),
  'schedules.timezone', 'schedules.backup', 'schedules.restoreTest', 'schedules.tiers.weeklyOn', 'schedules.tiers.monthlyOnDay', 'schedules.tiers.yearlyOn',
  ...['daily', 'weekly', 'monthly', 'yearly', 'minimumCount', 'quotaHeadroom', 'deletesPerSecond', 'maxVerifiedAgeHours'].map((key) => `retention.${key}`),
  'notificationEmails', 'failover.auto', 'failover.maxLagOnFailoverSeconds', 'failover.cooldownMinutes', 'archiveRetentionDays',
  ...['instanceClass', 'temporaryTtlHours', 'maxBracketShare', 'bracketMaxWaitSeconds', 'contentDigest', 'exactCounts', 'assertions'].map((key) => `restoreTest.${key}`),
];

/** Where a problem at `path` sorts in {@link REPORT_ORDER}: its field's place, a whole object's at its first field. */
function reportPosition(path: string): number {
  let best = -1;
  REPORT_ORDER.forEach((entry, index) => {
    if ((path === entry || path.startsWith(`${entry}.`) || path.startsWith(`${entry}[`)) && (best === -1 || entry.length > (REPORT_ORDER[best] as string).length)) best = index;
  });
  if (best !== -1) return best;
  const first = REPORT_ORDER.findIndex((entry) => entry.startsWith(`${path}.`));
  return first === -1 ? REPORT_ORDER.length : first;
}

/**
 * Validates a complete configuration (defaults applied). Returns every problem; an
 * empty list means the configuration can be deployed. Keys it does not allow are left to
 * {@link unknownKeys}, which sees the input before defaults.
 */
export function validateConfig(config: DrConfig): string[] {
  const shape = findProblems(CONFIG_SCHEMA, config, PLACE).filter((problem) => !problem.unknownKey);
  if (shape.some((problem) => problem.path === PLACE.label)) return shape.map(line);
  const p = new Problems(shape);
  const db = config.database;
  const cluster = isPlainObject(db) && db.topology === 'multi-az-cluster';

  // Zones of the region.
  if (p.ok('region', 'availabilityZones')) {
    config.availabilityZones.forEach((az, i) => {
      if (!new RegExp(`^${config.region}[a-z]$`).test(az)) p.add(`availabilityZones[${i}]`, `${show(az)} is not an availability zone of ${config.region}`);
    });
  }

  // Database: what the engine, the topology and the storage allow together.
  if (p.ok('database.engineVersion')) {
    const major = Number(db.engineVersion.split('.')[0]);
    const minor = Number(db.engineVersion.split('.')[1]);
    if (!(SUPPORTED_MAJORS as readonly number[]).includes(major)) {
      p.add('database.engineVersion', `major ${major} is not supported; allowed majors: ${SUPPORTED_MAJORS.join(', ')}`);
    } else if (cluster && major === 14 && minor < 5) {
      p.add('database.engineVersion', `${db.engineVersion} cannot run a Multi-AZ DB cluster; PostgreSQL 14 needs 14.5 or later`);
    }
  }
  if (p.ok('database.instanceClass')) {
    const family = db.instanceClass.split('.')[1] ?? '';
    if (cluster && !(CLUSTER_CLASS_FAMILIES as readonly string[]).includes(family)) {
      p.add('database.instanceClass', `${db.instanceClass} cannot run a Multi-AZ DB cluster; allowed families: ${CLUSTER_CLASS_FAMILIES.map((f) => `db.${f}`).join(', ')}`);
    }
    if (family.startsWith('t')) {
      p.add('database.instanceClass', `${db.instanceClass} is burstable: production databases need a fixed-performance class`);
    }
  }
  if (p.ok('database.storageType')) {
    p.check('database.allocatedStorageGiB', db.allocatedStorageGiB, storageGiB(db.storageType === 'gp3' ? 20 : 100));
    if (db.storageType !== 'gp3' && db.iops === undefined) p.add('database.iops', `required with storageType ${db.storageType}`);
  }
  if (p.ok('database.iops') && db.iops !== undefined && db.storageType === 'io1' && typeof db.allocatedStorageGiB === 'number') {
    const ratio = db.iops / db.allocatedStorageGiB;
    if (ratio < 0.5 || ratio > 50) p.add('database.iops', `${db.iops} IOPS on ${db.allocatedStorageGiB} GiB is a ratio of ${ratio.toFixed(1)}; io1 allows 0.5 to 50 IOPS per GiB`);
  }
  if (!cluster && p.ok('database') && p.check('database.maxAllocatedStorageGiB', db.maxAllocatedStorageGiB, storageGiB(20)) && typeof db.allocatedStorageGiB === 'number' && db.maxAllocatedStorageGiB < db.allocatedStorageGiB) {
    p.add('database.maxAllocatedStorageGiB', `${db.maxAllocatedStorageGiB} is below allocatedStorageGiB ${db.allocatedStorageGiB}`);
  }
  if (p.ok('database.readReplicas') && cluster && db.readReplicas > 0) {
    p.add('database.readReplicas', 'must be 0 with multi-az-cluster: its two standbys already serve reads');
  }
  if (p.ok('database.preferredBackupWindow')) checkWindows(p, db.preferredBackupWindow, p.ok('database.preferredMaintenanceWindow') ? db.preferredMaintenanceWindow : null);
  if (p.ok('database.masterUsername') && ['postgres', 'rdsadmin', 'admin', 'rdsrepladmin'].includes(db.masterUsername)) {
    p.add('database.masterUsername', `"${db.masterUsername}" is reserved by RDS or PostgreSQL`);
  }

  // DR region and what RDS supports per topology.
  const dr = config.dr;
  if (p.ok('dr.region') && dr.region !== null && dr.region === config.region) {
    p.add('dr.region', `must differ from region (${config.region}): a copy in the same region does not survive region loss`);
  }
  const features = [
    ['snapshotCopy', 'copying Multi-AZ DB cluster snapshots to another region'],
    ['backupReplication', 'cross-region automated backup replication for Multi-AZ DB clusters'],
    ['readReplica', 'cross-region read replicas of Multi-AZ DB clusters'],
  ] as const;
  for (const [key, limitation] of features) {
    if (!p.ok(`dr.${key}`) || !dr[key]) continue;
    if (cluster) p.add(`dr.${key}`, `not supported with multi-az-cluster: RDS does not support ${limitation}; set it to false`);
    else if (dr.region === null) p.add(`dr.${key}`, 'needs dr.region');
  }

  if (p.ok('objectives', 'database', 'dr', 'schedules')) checkObjectives(p, config);

  // Retention: what the tiers keep, against the account's manual-snapshot quota.
  const r = config.retention;
  const tiers = (['daily', 'weekly', 'monthly', 'yearly'] as const).filter((t) => p.ok(`retention.${t}`));
  const kept = tiers.reduce((sum, t) => sum + r[t], 0);
  if (tiers.length === 4 && kept === 0) p.add('retention', 'every tier keeps 0 snapshots: keep at least one tier', 'retention.yearly');
  if (p.ok('retention.quotaHeadroom') && tiers.length === 4 && kept > MANUAL_SNAPSHOT_QUOTA - r.quotaHeadroom) {
    p.add('retention', `keeps up to ${kept} snapshots, more than the manual-snapshot quota of ${MANUAL_SNAPSHOT_QUOTA} less quotaHeadroom ${r.quotaHeadroom}`, 'retention.quotaHeadroom');
  }

  // Restore tests: exact mode's tables and the SQL assertions, by their own readers.
  const rt = config.restoreTest;
  if (p.ok('restoreTest.exactCounts')) for (const problem of exactCountTableProblems(rt.exactCounts.tables, 'restoreTest.exactCounts.tables')) p.addLine(problem, 'restoreTest.exactCounts');
  if (p.ok('restoreTest')) {
    try {
      parseAssertions(rt.assertions, 'restoreTest.assertions');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      for (const problem of error.problems) p.addLine(problem, 'restoreTest.assertions');
    }
  }
  // Stable: a field's shape problem comes before the rules about it.
  const all = [...shape.map((problem) => ({ ...problem, after: problem.path })), ...p.list];
  return all
    .map((problem, index) => ({ problem, index, at: reportPosition(problem.after) }))
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map(({ problem }) => line(problem));
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
    if (p.ok(`${path}.rpoSeconds`) && objective.rpoSeconds < floor.rpoSeconds) {
      p.add(`${path}.rpoSeconds`, `${objective.rpoSeconds} is below what ${floor.path} can reach (${floor.rpoSeconds}: ${floor.rpoReason})`);
    } else if (mode === 'snapshotLoss' && typeof objective.rpoSeconds === 'number') {
      checkVerifiedCopyFloor(p, config, objective.rpoSeconds);
    }
    if (p.ok(`${path}.rtoSeconds`) && objective.rtoSeconds < floor.rtoSeconds) {
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
