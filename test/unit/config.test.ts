import { describe, expect, it } from 'vitest';
import { applyDefaults, defaultConfig } from '../../infra/config/defaults.ts';
import { ConfigError, loadConfigFile, resolveConfig } from '../../infra/config/load.ts';
import { objectiveFloors, validateConfig } from '../../infra/config/validate.ts';

/** Runs resolveConfig and returns the problems it reports (none when valid). */
function problemsOf(input: unknown): readonly string[] {
  try {
    resolveConfig(input);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('configuration defaults', () => {
  it('gives the sample swifteats deployment with no problem', () => {
    // Act
    const config = resolveConfig({});
    // Assess
    expect(config.database).toMatchObject({ name: 'swifteats', engineVersion: '18.3', topology: 'multi-az-instance', instanceClass: 'db.m7g.large', backupRetentionDays: 14 });
    expect(config.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(config.dr).toEqual({ region: 'eu-central-1', snapshotCopy: true, backupReplication: true, readReplica: false });
    expect(config.retention).toEqual({ daily: 7, weekly: 5, monthly: 12, yearly: 3, minimumCount: 3, quotaHeadroom: 10, deletesPerSecond: 2, maxVerifiedAgeHours: 72 });
  });

  it('follows the topology for cluster defaults: supported class, io2 storage, no offsite objectives', () => {
    const config = resolveConfig({ database: { topology: 'multi-az-cluster' } });
    expect(config.database).toMatchObject({ instanceClass: 'db.m6gd.large', storageType: 'io2', iops: 3000 });
    expect(config.dr).toMatchObject({ snapshotCopy: false, backupReplication: false, readReplica: false });
    expect(config.objectives.region).toBeNull();
    expect(config.objectives.snapshotLoss).toBeNull();
    // RDS's 35 s plus two failed probe minutes before WriterDown: the floor is 155 s, the default above it.
    expect(config.objectives.az).toEqual({ rpoSeconds: 0, rtoSeconds: 180 });
    expect(() => resolveConfig({ database: { topology: 'multi-az-cluster' }, objectives: { az: { rpoSeconds: 0, rtoSeconds: 150 } } })).toThrow(
      'objectives.az.rtoSeconds: 150 is below what Multi-AZ failover can reach (155: RDS failover takes up to 35 s plus 120 s to detect: 2 failed probe minutes)',
    );
  });

  it('merges nested objects key by key and replaces arrays', () => {
    const config = applyDefaults({ retention: { daily: 10 }, notificationEmails: ['sre@example.com'] });
    expect(config.retention.daily).toBe(10);
    expect(config.retention.weekly).toBe(5);
    expect(config.notificationEmails).toEqual(['sre@example.com']);
  });

  it('loads both shipped configuration files', () => {
    expect(loadConfigFile('infra/config/swifteats.json').database.topology).toBe('multi-az-instance');
    expect(loadConfigFile('infra/config/swifteats-cluster.json').database.topology).toBe('multi-az-cluster');
  });
});

describe('configuration validation', () => {
  it('lists every problem at once, each with its field path', () => {
    // Prepare
    const input = {
      region: 'eu-west-1',
      foo: 1,
      database: { topology: 'multi-az-cluster', instanceClass: 'db.m7g.large', bar: 2 },
      dr: { region: 'eu-west-1', snapshotCopy: true },
      objectives: { corruption: { rpoSeconds: 60, rtoSeconds: 100 } },
      schedules: { backup: 'cron(0 2 * * * *)', timezone: 'Mars/Base' },
      retention: { daily: 90, weekly: 10 },
    };
    // Act
    const problems = problemsOf(input);
    // Assess
    expect(problems).toEqual([
      'foo: unknown key; allowed keys: region, availabilityZones, database, dr, objectives, schedules, retention, notificationEmails, failover, restoreTest, archiveRetentionDays',
      'database.bar: unknown key; allowed keys of database: name, engineVersion, topology, instanceClass, storageType, allocatedStorageGiB, maxAllocatedStorageGiB, iops, readReplicas, backupRetentionDays, preferredBackupWindow, preferredMaintenanceWindow, port, masterUsername',
      'database.instanceClass: db.m7g.large cannot run a Multi-AZ DB cluster; allowed families: db.m5d, db.m6gd, db.m6id, db.m6idn, db.r5d, db.r6gd, db.r6id, db.r6idn, db.c6gd, db.x2iedn',
      'dr.region: must differ from region (eu-west-1): a copy in the same region does not survive region loss',
      'dr.snapshotCopy: not supported with multi-az-cluster: RDS does not support copying Multi-AZ DB cluster snapshots to another region; set it to false',
      'objectives.corruption.rpoSeconds: 60 is below what point-in-time restore can reach (300: LatestRestorableTime trails the present by about 5 minutes)',
      'schedules.timezone: "Mars/Base" is not an IANA time zone (e.g. UTC, Europe/London)',
      'schedules.backup: exactly one of day-of-month and day-of-week must be "?"',
      'retention: keeps up to 115 snapshots, more than the manual-snapshot quota of 100 less quotaHeadroom 10',
    ]);
  });

  it('throws one ConfigError whose message lists the problems', () => {
    expect(() => resolveConfig({ database: { port: 80 } })).toThrowError(
      new ConfigError('(inline)', ['database.port: 80 must be an integer from 1150 to 65535']),
    );
    expect(() => resolveConfig({ database: { port: 80 } })).toThrow('Invalid configuration (inline) (1 problem):\n  - database.port: 80 must be an integer from 1150 to 65535');
  });

  it.each([
    [{ region: 'mars-1' }, ['region: "mars-1" is not an AWS region name (e.g. eu-west-1)']],
    [{ availabilityZones: ['eu-west-1a', 'eu-west-1b'] }, ['availabilityZones: ["eu-west-1a","eu-west-1b"] must list 3 distinct availability zones']],
    [{ availabilityZones: ['eu-west-1a', 'eu-west-1b', 'us-east-1c'] }, ['availabilityZones[2]: "us-east-1c" is not an availability zone of eu-west-1']],
    [{ database: { engineVersion: '12.9' } }, ['database.engineVersion: major 12 is not supported; allowed majors: 14, 15, 16, 17, 18']],
    [{ database: { engineVersion: '18' } }, ['database.engineVersion: "18" is not a full PostgreSQL version like 18.3']],
    [{ database: { topology: 'aurora' } }, ['database.topology: "aurora" is not allowed; allowed: multi-az-instance, multi-az-cluster']],
    [{ database: { topology: 'multi-az-cluster', engineVersion: '14.3' } }, ['database.engineVersion: 14.3 cannot run a Multi-AZ DB cluster; PostgreSQL 14 needs 14.5 or later']],
    [{ database: { instanceClass: 'db.t4g.medium' } }, ['database.instanceClass: db.t4g.medium is burstable: production databases need a fixed-performance class']],
    [{ database: { storageType: 'io1' } }, ['database.iops: required with storageType io1']],
    [{ database: { storageType: 'io1', iops: 10000, allocatedStorageGiB: 100 } }, ['database.iops: 10000 IOPS on 100 GiB is a ratio of 100.0; io1 allows 0.5 to 50 IOPS per GiB']],
    [{ database: { allocatedStorageGiB: 600 } }, ['database.maxAllocatedStorageGiB: 500 is below allocatedStorageGiB 600']],
    [{ database: { topology: 'multi-az-cluster', readReplicas: 1 } }, ['database.readReplicas: must be 0 with multi-az-cluster: its two standbys already serve reads']],
    [{ database: { backupRetentionDays: 0 } }, ['database.backupRetentionDays: 0 must be an integer from 1 to 35']],
    [{ database: { preferredBackupWindow: '04:00-04:10' } }, ['database.preferredBackupWindow: 04:00-04:10 is shorter than the 30 minutes RDS requires']],
    [{ database: { preferredBackupWindow: '03:10-03:50' } }, ['database.preferredMaintenanceWindow: sun:03:00-sun:03:30 overlaps preferredBackupWindow 03:10-03:50; RDS requires them apart']],
    [{ database: { masterUsername: 'postgres' } }, ['database.masterUsername: "postgres" is reserved by RDS or PostgreSQL']],
    [{ database: { name: 'a--b' } }, ['database.name: "a--b" is not a name of 1-40 lower-case letters, digits and single hyphens starting with a letter']],
    [{ dr: { region: null } }, [
      'dr.snapshotCopy: needs dr.region',
      'dr.backupReplication: needs dr.region',
      'objectives.region: this configuration has no recovery path for region (dr.region is null); set it to null to accept that, or add the path',
      'objectives.snapshotLoss: this configuration has no recovery path for snapshotLoss (dr.region is null); set it to null to accept that, or add the path',
    ]],
    [{ dr: { region: null, snapshotCopy: false, backupReplication: false }, objectives: { region: null, snapshotLoss: null } }, []],
    [{ objectives: { az: null } }, ['objectives.az: must be { rpoSeconds, rtoSeconds }: Multi-AZ failover protects against this failure']],
    [{ objectives: { az: { rpoSeconds: 0, rtoSeconds: 60 } } }, ['objectives.az.rtoSeconds: 60 is below what Multi-AZ failover can reach (240: RDS failover takes up to 120 s plus 120 s to detect: 2 failed probe minutes)']],
    [{ objectives: { az: { rpoSeconds: -1, rtoSeconds: 600 } } }, ['objectives.az.rpoSeconds: -1 must be an integer from 0 to 31536000']],
    [{ dr: { backupReplication: false }, objectives: { region: { rpoSeconds: 3600, rtoSeconds: 3600 } } }, ['objectives.region.rpoSeconds: 3600 is below what snapshot copies can reach (86400: the backup schedule runs at most every 86400 s)']],
    [{ dr: { readReplica: true }, objectives: { region: { rpoSeconds: 0, rtoSeconds: 600 } } }, ['objectives.region.rpoSeconds: 0 is below what cross-region read replica can reach (1: replication to the replica is asynchronous)']],
    [{ schedules: { backup: 'at(2026-12-01T02:00:00)' } }, ['schedules.backup: one-time at(...) expressions are not allowed: the job must recur; use cron(...) or rate(...)']],
    [{ schedules: { restoreTest: 'rate(1 hours)' } }, ['schedules.restoreTest: rate(1 hours): use the singular unit for 1 and the plural otherwise']],
    [{ schedules: { restoreTest: 'cron(0 25 * * ? *)' } }, ['schedules.restoreTest: hours value 25 is outside 0-23']],
    [{ schedules: { tiers: { weeklyOn: 'SUNDAY', monthlyOnDay: 31, yearlyOn: '02-30' } } }, [
      'schedules.tiers.weeklyOn: "SUNDAY" is not allowed; allowed: MON, TUE, WED, THU, FRI, SAT, SUN',
      'schedules.tiers.monthlyOnDay: 31 must be an integer from 1 to 28',
      'schedules.tiers.yearlyOn: 02-30 does not occur every year',
    ]],
    [{ retention: { daily: 0, weekly: 0, monthly: 0, yearly: 0 } }, ['retention: every tier keeps 0 snapshots: keep at least one tier']],
    [{ retention: { minimumCount: 0, deletesPerSecond: 20 } }, ['retention.minimumCount: 0 must be an integer from 1 to 100', 'retention.deletesPerSecond: 20 must be a number from 0.1 to 10']],
    [{ notificationEmails: ['sre@example.com', 'not-an-email'] }, ['notificationEmails[1]: "not-an-email" is not an email address']],
    [{ failover: { auto: 'yes' } }, ['failover.auto: "yes" must be true or false']],
    [{ database: { port: null } }, ['database.port: null must be an integer from 1150 to 65535']],
    [{ restoreTest: { assertions: [{ name: 'no-negative', query: 'select count(*) from orders where total < 0', expect: { equal: 0 } }, { query: 'select 1', expect: { atLeast: 'x' } }] } }, [
      'restoreTest.assertions[0].expect.equal: unknown operator (allowed: equals, atLeast, atMost, between)',
      'restoreTest.assertions[1].name: required, a name matching ^[a-z][a-z0-9-]{0,62}$',
      'restoreTest.assertions[1].expect.atLeast: "x" is not a finite number',
    ]],
    [{ restoreTest: { temporaryTtlHours: 0, instanceClass: 'large' } }, [
      'restoreTest.instanceClass: "large" is not a DB instance class like db.m7g.large, or null for the database\'s own',
      'restoreTest.temporaryTtlHours: 0 must be an integer from 1 to 48',
    ]],
    [{ restoreTest: { maxBracketShare: 0, bracketMaxWaitSeconds: 900 } }, [
      'restoreTest.maxBracketShare: 0 must be a number from 0.0001 to 1',
      'restoreTest.bracketMaxWaitSeconds: 900 must be an integer from 0 to 780',
    ]],
    [{ restoreTest: { contentDigest: 'off' } }, ['restoreTest.contentDigest: "off" must be true or false']],
    [{ restoreTest: { exactCounts: { tables: ['shop.orders', 'Shop.Orders', 'shop.orders', 'dr.heartbeat', 'orders'] } } }, [
      'restoreTest.exactCounts.tables[1]: "Shop.Orders" is not schema.table with lower-case unquoted identifiers',
      'restoreTest.exactCounts.tables[2]: shop.orders is listed twice',
      "restoreTest.exactCounts.tables[3]: dr.heartbeat is the DR tooling's own table, not application data",
      'restoreTest.exactCounts.tables[4]: "orders" is not schema.table with lower-case unquoted identifiers',
    ]],
    [{ restoreTest: { exactCounts: { table: ['shop.orders'] } } }, [
      'restoreTest.exactCounts.table: unknown key; allowed keys of restoreTest.exactCounts: tables',
    ]],
  ])('refuses %j with exact messages', (input, expected) => {
    expect(problemsOf(input)).toEqual(expected);
  });

  it('reports a section that is not an object instead of failing on it, and sizes io storage from 100 GiB', () => {
    expect(problemsOf({ database: null, failover: [] })).toEqual(['database: null must be an object', 'failover: [] must be an object']);
    expect(problemsOf({ database: { storageType: 'io2', iops: 3000, allocatedStorageGiB: 50 } })).toEqual(['database.allocatedStorageGiB: 50 must be an integer from 100 to 65536']);
    expect(problemsOf({ objectives: { az: { rpoSeconds: 0, rtoSeconds: 600, rto: 1 } } })).toEqual(['objectives.az.rto: unknown key; allowed keys of objectives.az: rpoSeconds, rtoSeconds']);
  });

  it('refuses every cross-region feature on a Multi-AZ DB cluster, naming the RDS limitation', () => {
    const problems = problemsOf({ database: { topology: 'multi-az-cluster' }, dr: { snapshotCopy: true, backupReplication: true, readReplica: true } });
    expect(problems).toEqual([
      'dr.snapshotCopy: not supported with multi-az-cluster: RDS does not support copying Multi-AZ DB cluster snapshots to another region; set it to false',
      'dr.backupReplication: not supported with multi-az-cluster: RDS does not support cross-region automated backup replication for Multi-AZ DB clusters; set it to false',
      'dr.readReplica: not supported with multi-az-cluster: RDS does not support cross-region read replicas of Multi-AZ DB clusters; set it to false',
    ]);
  });

  it('names the missing offsite path when a cluster configuration asks for offsite objectives', () => {
    const problems = problemsOf({ database: { topology: 'multi-az-cluster' }, objectives: { snapshotLoss: { rpoSeconds: 86400, rtoSeconds: 14400 } } });
    expect(problems).toEqual([
      'objectives.snapshotLoss: this configuration has no recovery path for snapshotLoss (RDS cannot copy Multi-AZ DB cluster snapshots or backups to another region); set it to null to accept that, or add the path',
    ]);
  });

  it('derives objective floors from the topology and the backup schedule', () => {
    const instance = objectiveFloors(defaultConfig());
    const cluster = objectiveFloors(defaultConfig('eu-west-1', 'multi-az-cluster'));
    const weekly = objectiveFloors({ ...defaultConfig(), schedules: { ...defaultConfig().schedules, backup: 'cron(0 2 ? * SUN *)' } });
    expect([instance.az.rtoSeconds, cluster.az.rtoSeconds]).toEqual([240, 155]);
    expect(instance.region).toMatchObject({ path: 'replicated automated backups', rpoSeconds: 300 });
    expect(cluster.region.path).toBeNull();
    expect(weekly.snapshotLoss.rpoSeconds).toBe(7 * 86400);
  });

  it('accepts the defaults of both topologies', () => {
    expect(validateConfig(defaultConfig())).toEqual([]);
    expect(validateConfig(defaultConfig('us-east-1', 'multi-az-cluster'))).toEqual([]);
  });
});

describe('configuration validation: recovery targets that make no sense', () => {
  it.each([
    [{ objectives: { corruption: { rpoSeconds: 600, rtoSeconds: -60 } } }, ['objectives.corruption.rtoSeconds: -60 must be an integer from 1 to 31536000']],
    [{ objectives: { region: { rpoSeconds: -900, rtoSeconds: 0 } } }, ['objectives.region.rpoSeconds: -900 must be an integer from 0 to 31536000', 'objectives.region.rtoSeconds: 0 must be an integer from 1 to 31536000']],
    [{ objectives: { corruption: { rpoSeconds: 599.5, rtoSeconds: 7200 } } }, ['objectives.corruption.rpoSeconds: 599.5 must be an integer from 0 to 31536000']],
    [{ objectives: { region: { rpoSeconds: 120, rtoSeconds: 3600 } } }, ['objectives.region.rpoSeconds: 120 is below what replicated automated backups can reach (300: replicated backups trail the source by at least the PITR lag of about 5 minutes)']],
    [{ objectives: { snapshotLoss: { rpoSeconds: 3600, rtoSeconds: 14400 } } }, ['objectives.snapshotLoss.rpoSeconds: 3600 is below what offsite snapshot copies can reach (86400: the backup schedule runs at most every 86400 s)']],
    // Above the backup gap, yet unreachable: the RPO is measured on the newest *verified* copy, and
    // with the 06:00 restore test the newest verified backup is 28 h old just before each test.
    [{ objectives: { snapshotLoss: { rpoSeconds: 100_000, rtoSeconds: 14400 } } }, [
      'objectives.snapshotLoss.rpoSeconds: 100000 is below what verified offsite copies can reach (100800: the newest copy that passed a restore test ages that long between restore tests, with schedules.backup cron(0 2 * * ? *) and schedules.restoreTest cron(0 6 * * ? *))',
    ]],
    [{ schedules: { restoreTest: 'cron(0 6 ? * SUN *)' } }, [
      'objectives.snapshotLoss.rpoSeconds: 108000 is below what verified offsite copies can reach (619200: the newest copy that passed a restore test ages that long between restore tests, with schedules.backup cron(0 2 * * ? *) and schedules.restoreTest cron(0 6 ? * SUN *))',
    ]],
    [{ schedules: { restoreTest: 'cron(0 6 ? * SUN *)' }, objectives: { snapshotLoss: { rpoSeconds: 619_200, rtoSeconds: 14400 } } }, []],
  ])('refuses %j with the reason', (input, expected) => {
    expect(problemsOf(input)).toEqual(expected);
  });
});
