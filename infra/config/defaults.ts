import { isPlainObject } from '../../functions/contracts/schema.ts';
import type { DrConfig, DrConfigInput, Topology } from './types.ts';

/**
 * The one place defaults live: the sample `swifteats` deployment.
 *
 * Objectives are targets, not claims: the monitoring measures the real values and
 * alarms against these. Each default sits at or above the floor that the recovery
 * path can reach (see `objectiveFloors` in validate.ts). Every value here passes the schema
 * (schema.ts) and the rules (validate.ts) for both topologies (test/unit/config.test.ts).
 */
export function defaultConfig(region = 'eu-west-1', topology: Topology = 'multi-az-instance'): DrConfig {
  const cluster = topology === 'multi-az-cluster';
  return {
    region,
    availabilityZones: [`${region}a`, `${region}b`, `${region}c`],
    database: {
      name: 'swifteats',
      engineVersion: '18.3',
      topology,
      instanceClass: cluster ? 'db.m6gd.large' : 'db.m7g.large',
      storageType: cluster ? 'io2' : 'gp3',
      allocatedStorageGiB: 100,
      maxAllocatedStorageGiB: 500,
      iops: cluster ? 3000 : undefined,
      readReplicas: 0,
      backupRetentionDays: 14,
      preferredBackupWindow: '01:00-01:30',
      preferredMaintenanceWindow: 'sun:03:00-sun:03:30',
      port: 5432,
      masterUsername: 'dr_admin',
    },
    dr: {
      region: region === 'eu-central-1' ? 'eu-west-1' : 'eu-central-1',
      snapshotCopy: !cluster,
      backupReplication: !cluster,
      readReplica: false,
    },
    objectives: {
      az: { rpoSeconds: 0, rtoSeconds: cluster ? 180 : 300 },
      region: cluster ? null : { rpoSeconds: 900, rtoSeconds: 3600 },
      corruption: { rpoSeconds: 600, rtoSeconds: 7200 },
      snapshotLoss: cluster ? null : { rpoSeconds: 30 * 3600, rtoSeconds: 4 * 3600 },
    },
    schedules: {
      timezone: 'UTC',
      backup: 'cron(0 2 * * ? *)',
      restoreTest: 'cron(0 6 * * ? *)',
      tiers: { weeklyOn: 'SUN', monthlyOnDay: 1, yearlyOn: '01-01' },
    },
    retention: {
      daily: 7,
      weekly: 5,
      monthly: 12,
      yearly: 3,
      minimumCount: 3,
      quotaHeadroom: 10,
      deletesPerSecond: 2,
      maxVerifiedAgeHours: 72,
    },
    notificationEmails: [],
    failover: { auto: false, maxLagOnFailoverSeconds: 60, cooldownMinutes: 30 },
    restoreTest: { instanceClass: null, temporaryTtlHours: 6, assertions: [], maxBracketShare: 0.05, bracketMaxWaitSeconds: 300, contentDigest: true, exactCounts: { tables: [] } },
    archiveRetentionDays: 365,
  };
}

/**
 * Fills every field the input leaves out. Objects merge key by key; arrays and
 * scalars replace. `null` is kept as given so validation can refuse it where a value
 * is required (and accept it where it means "none", e.g. `dr.region`).
 *
 * Topology- and region-dependent defaults follow the input's own topology and region.
 */
export function applyDefaults(input: DrConfigInput): DrConfig {
  const region = typeof input.region === 'string' ? input.region : undefined;
  const topology = input.database?.topology;
  const base = defaultConfig(region, topology === 'multi-az-cluster' ? topology : 'multi-az-instance');
  return merge(base, input) as DrConfig;
}

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(over)) out[key] = merge(base[key], value);
    return out;
  }
  return over;
}
