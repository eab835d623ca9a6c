import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteDBInstanceCommand, DescribeDBInstanceAutomatedBackupsCommand, RDSClient, type DBInstanceAutomatedBackup, type Filter } from '@aws-sdk/client-rds';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CloudWatchMetricSource } from '../../functions/adapters/cloudwatch/metric-source.ts';
import type { RpoDatapoint } from '../../functions/domain/rpo/objectives.ts';
import type { RpoMonitorDeps } from '../../functions/handlers/rpo-monitor/index.ts';
import type { DatabaseControlPlane } from '../../functions/ports/database-control-plane.ts';
import type { MetricReading, MetricSource } from '../../functions/ports/metric-source.ts';
import { ConfigurationError } from '../../functions/shared/errors.ts';
import type { MetricName } from '../../functions/shared/metric-names.ts';
import { setHandlerEnv } from '../support/handler-env.ts';
import { RdsFake, VirtualClock } from '../support/rds-fake.ts';
import { CENTRAL, WEST, fakeRdsClient, instancePlanes } from '../support/rds-planes.ts';

const DB_ARN = 'arn:aws:rds:eu-west-1:123456789012:db:swifteats';

/** The sample configuration's objectives, as the construct passes them. */
const OBJECTIVES = {
  az: { rpoSeconds: 0, rtoSeconds: 300 },
  region: { rpoSeconds: 900, rtoSeconds: 3600 },
  corruption: { rpoSeconds: 600, rtoSeconds: 7200 },
  snapshotLoss: { rpoSeconds: 108_000, rtoSeconds: 14_400 },
};
const MONITOR_ENV = { OFFSITE_PATHS: 'backup-replication,snapshot-copy', OBJECTIVES: JSON.stringify(OBJECTIVES) };

/** The per-mode targets every run publishes, in publication order after the mode's RpoSeconds. */
const TARGETS: Record<string, [number, number]> = { az: [0, 300], region: [900, 3600], corruption: [600, 7200], 'snapshot-loss': [108_000, 14_400] };

/** What a run publishes: the plain ages, then per mode [RpoSeconds, RpoTargetSeconds, RtoTargetSeconds] (RpoSeconds left out when null). */
function expected(ages: Partial<Record<MetricName, number>>, rpo: Record<string, number | null>): RpoDatapoint[] {
  const points: RpoDatapoint[] = [];
  for (const name of ['PitrLagSeconds', 'LatestSnapshotAgeSeconds', 'LatestVerifiedSnapshotAgeSeconds', 'LatestOffsiteCopyAgeSeconds'] as const) {
    const value = ages[name];
    if (value !== undefined) points.push({ name, value, failureMode: null });
  }
  for (const mode of ['az', 'region', 'corruption', 'snapshot-loss']) {
    const value = rpo[mode];
    if (value !== null && value !== undefined) points.push({ name: 'RpoSeconds', value, failureMode: mode });
    const [rpoTarget, rtoTarget] = TARGETS[mode] as [number, number];
    points.push({ name: 'RpoTargetSeconds', value: rpoTarget, failureMode: mode }, { name: 'RtoTargetSeconds', value: rtoTarget, failureMode: mode });
  }
  return points;
}

setHandlerEnv(MONITOR_ENV);
let monitor: typeof import('../../functions/handlers/rpo-monitor/index.ts');
let metrics: typeof import('../../functions/shared/powertools.ts').metrics;
beforeAll(async () => {
  monitor = await import('../../functions/handlers/rpo-monitor/index.ts');
  // The same module instance the handler publishes through (a later resetModules makes new ones).
  ({ metrics } = await import('../../functions/shared/powertools.ts'));
});

/**
 * Replicated automated backups in the DR region, which the RDS fake does not model: the test
 * answers DescribeDBInstanceAutomatedBackups itself, filtered by the `db-instance-id` ARN.
 */
function replicatedBackups(stub: AwsClientStub<RDSClient>, latest: Map<string, Date>): void {
  stub.on(DescribeDBInstanceAutomatedBackupsCommand).callsFake((input: { Filters?: Filter[] }, getClient: () => RDSClient) => {
    // getClient must be called before any await (see RdsFake.install).
    const client = getClient();
    return (async () => {
      const region = await client.config.region();
      const arns = input.Filters?.find((f) => f.Name === 'db-instance-id')?.Values ?? [];
      const backups: DBInstanceAutomatedBackup[] =
        region === CENTRAL
          ? [...latest].filter(([arn]) => arns.includes(arn)).map(([arn, time]) => ({ DBInstanceArn: arn, Region: WEST, Status: 'replicating', RestoreWindow: { EarliestTime: new Date(time.getTime() - 86_400_000), LatestTime: time } }))
          : [];
      return { DBInstanceAutomatedBackups: backups };
    })();
  });
}

let clock: VirtualClock;
let rds: RdsFake;
let stub: AwsClientStub<RDSClient>;
let replicated: Map<string, Date>;
let published: RpoDatapoint[];
let primary: DatabaseControlPlane;
let dr: DatabaseControlPlane;
let deps: RpoMonitorDeps;

beforeEach(() => {
  clock = new VirtualClock('2026-11-19T02:00:00Z');
  rds = new RdsFake({ clock });
  stub = rds.install();
  replicated = new Map();
  replicatedBackups(stub, replicated);
  published = [];
  ({ primary, dr } = instancePlanes());
  deps = { primary, dr, metricSource: null, now: () => clock.now(), publish: (point) => published.push(point) };
});

afterEach(() => {
  stub.restore();
});

/** Runs the backup workflow's RDS steps the way the backup state machine does: snapshot, wait, copy. */
async function backup(id: string, copyOffsite: boolean): Promise<void> {
  await primary.createSnapshot('swifteats', id, { 'dr:managed': 'true', 'dr:tier': 'daily', 'dr:policy': 'swifteats-gfs', 'dr:database': 'swifteats' });
  clock.advance(rds.durations.snapshotCreateMs);
  if (!copyOffsite) return;
  const source = await primary.getSnapshot(id);
  await dr.copySnapshot({ sourceArn: source.arn, sourceRegion: WEST, targetId: id, kmsKeyId: 'alias/swifteats-dr', tags: { 'dr:managed': 'true', 'dr:copy-of': source.arn } });
}

/** The restore test's verdict tags on the snapshot and its offsite copy. */
async function verified(id: string, at: string): Promise<void> {
  const tags = { 'dr:verified': 'passed', 'dr:verified-at': at };
  await primary.addTags(rds.snapshotArn(WEST, id), tags);
  await dr.addTags(rds.snapshotArn(CENTRAL, id), tags);
}

describe('rpo-monitor λ against the RDS fake', () => {
  it('measures a database with no snapshots yet: only the PITR-based objectives have values', async () => {
    // Prepare
    rds.addInstance({ id: 'swifteats', region: WEST });
    clock.advance(8 * 3600_000); // 10:00

    // Act
    const output = await monitor.core({ scheduledAt: '2026-11-19T10:00:00Z' }, deps);

    // Assess: region and snapshot loss have no path yet (no replicated backup, no copy): unpublished.
    expect(published).toEqual(expected({ PitrLagSeconds: 300 }, { az: 0, region: null, corruption: 300, 'snapshot-loss': null }));
    expect(output.unread).toEqual([]);
    expect(output.measurement.rpo.region).toEqual({
      seconds: null,
      basis: 'unmeasured',
      detail: 'no replicated automated backups; no offsite copy',
    });
  });

  it('measures a database without LatestRestorableTime: no PITR lag, corruption unmeasured, az still 0', async () => {
    // Prepare: automated backups off (BackupRetentionPeriod 0), so RDS reports no restorable time.
    rds.addInstance({ id: 'swifteats', region: WEST, BackupRetentionPeriod: 0 });
    replicated.set(DB_ARN, new Date('2026-11-19T01:55:00Z'));

    // Act
    const output = await monitor.core({}, deps);

    // Assess
    expect(published).toEqual(expected({}, { az: 0, region: 300, corruption: null, 'snapshot-loss': null }));
    expect(output.measurement.rpo.corruption).toEqual({ seconds: null, basis: 'unmeasured', detail: 'RDS reports no LatestRestorableTime (status available)' });
  });

  it('measures a database being deleted from PITR, then, once it is gone, only what survives it', async () => {
    // Prepare: yesterday's backup, copied and verified; today's, not yet copied.
    rds.addInstance({ id: 'swifteats', region: WEST });
    await backup('swifteats-daily-202611190200', true);
    clock.advance(rds.durations.crossRegionCopyMs);
    await verified('swifteats-daily-202611190200', '2026-11-19T06:30:00Z');
    clock.advance(24 * 3600_000 - rds.durations.snapshotCreateMs - rds.durations.crossRegionCopyMs); // 2026-11-20T02:00
    await backup('swifteats-daily-202611200200', false);
    replicated.set(DB_ARN, new Date('2026-11-20T02:00:00Z'));
    await fakeRdsClient(WEST).send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'swifteats', SkipFinalSnapshot: true }));
    clock.advance(60_000); // 02:06

    // Act
    const deleting = await monitor.core({}, deps);
    const whileDeleting = published.splice(0);
    clock.advance(rds.durations.instanceDeleteMs); // 02:11, the instance is gone
    const gone = await monitor.core({}, deps);

    // Assess: while deleting, the standby no longer counts and az falls back to the PITR lag.
    expect(deleting.measurement.rpo.az).toEqual({ seconds: 300, basis: 'pitr-lag', detail: 'status deleting does not keep the standby in sync; LatestRestorableTime 2026-11-20T02:01:00.000Z' });
    expect(whileDeleting).toEqual(
      expected(
        { PitrLagSeconds: 300, LatestSnapshotAgeSeconds: 360, LatestVerifiedSnapshotAgeSeconds: 86_760, LatestOffsiteCopyAgeSeconds: 86_760 },
        { az: 300, region: 360, corruption: 300, 'snapshot-loss': 86_760 },
      ),
    );
    // Gone: no PITR, no standby, and without its ARN the replicated backups cannot be found, so
    // region falls back to the newest offsite copy. Not an error: the monitor saw the database gone.
    expect(published).toEqual(
      expected(
        { LatestSnapshotAgeSeconds: 660, LatestVerifiedSnapshotAgeSeconds: 87_060, LatestOffsiteCopyAgeSeconds: 87_060 },
        { az: null, region: 87_060, corruption: null, 'snapshot-loss': 87_060 },
      ),
    );
    expect(gone.unread).toEqual([]);
    expect(stub.commandCalls(DescribeDBInstanceAutomatedBackupsCommand).map((call) => call.args[0].input)).toEqual([{ Filters: [{ Name: 'db-instance-id', Values: [DB_ARN] }], MaxRecords: 100 }]);
  });

  it('reports an offsite copy older than the local snapshot while today\'s copy is still copying', async () => {
    // Prepare: Wednesday 02:00's snapshot is available at 02:05 and its copy takes 20 minutes.
    rds.addInstance({ id: 'swifteats', region: WEST });
    await backup('swifteats-daily-202611190200', true);
    clock.advance(rds.durations.crossRegionCopyMs);
    await verified('swifteats-daily-202611190200', '2026-11-19T06:30:00Z');
    clock.advance(24 * 3600_000 - rds.durations.snapshotCreateMs - rds.durations.crossRegionCopyMs);
    await backup('swifteats-daily-202611200200', true);
    clock.advance(5 * 60_000); // 02:10

    // Act
    const output = await monitor.core({}, deps);

    // Assess: local 10 min; offsite, Tuesday's copy of 2026-11-19T02:00 (24 h 10 min), not its copy time.
    expect(rds.snapshot(CENTRAL, 'swifteats-daily-202611200200')?.Status).toBe('copying');
    expect(published).toEqual(
      expected(
        { PitrLagSeconds: 300, LatestSnapshotAgeSeconds: 600, LatestVerifiedSnapshotAgeSeconds: 87_000, LatestOffsiteCopyAgeSeconds: 87_000 },
        { az: 0, region: 87_000, corruption: 300, 'snapshot-loss': 87_000 },
      ),
    );
    expect(output.measurement.rpo.region?.basis).toBe('offsite-copy');
  });

  it('publishes what it could read, then throws MeasurementIncompleteError naming the unread source', async () => {
    // Prepare
    rds.addInstance({ id: 'swifteats', region: WEST });
    replicated.set(DB_ARN, new Date('2026-11-19T01:50:00Z'));
    rds.throttle(1, { region: CENTRAL, commands: ['DescribeDBSnapshots'] });

    // Act / Assess
    await expect(monitor.core({}, deps)).rejects.toMatchObject({
      name: 'MeasurementIncompleteError',
      message: 'not read: offsite-snapshots (ThrottledError: DescribeDBSnapshots: Throttling: Rate exceeded)',
    });
    expect(published).toEqual(expected({ PitrLagSeconds: 300 }, { az: 0, region: 600, corruption: 300, 'snapshot-loss': null }));
  });

  it('rejects a malformed event before any read', async () => {
    await expect(monitor.core({ scheduledAt: 'yesterday' }, deps)).rejects.toMatchObject({
      name: 'ValidationError',
      problems: ['scheduledAt: "yesterday" is not an ISO-8601 time with a zone'],
    });
    expect(rds.calls()).toEqual([]);
    expect(published).toEqual([]);
  });
});

describe('rpo-monitor λ with a cross-region read replica', () => {
  let withReplica: typeof import('../../functions/handlers/rpo-monitor/index.ts');
  beforeAll(async () => {
    // The environment is read at module load: a fresh module instance with the replica path.
    vi.resetModules();
    setHandlerEnv({ ...MONITOR_ENV, OFFSITE_PATHS: 'read-replica,backup-replication,snapshot-copy' });
    withReplica = await import('../../functions/handlers/rpo-monitor/index.ts');
    setHandlerEnv(MONITOR_ENV);
  });

  it('takes the region RPO from the probe\'s replica heartbeat age, read for the last 5 minutes', async () => {
    // Prepare
    rds.addInstance({ id: 'swifteats', region: WEST });
    const asked: [MetricName, string, string][] = [];
    const source: MetricSource = {
      newest: async (name, since, until): Promise<MetricReading | null> => {
        asked.push([name, since.toISOString(), until.toISOString()]);
        return { value: 0.8, at: new Date('2026-11-19T01:59:00Z') };
      },
    };

    // Act
    const output = await withReplica.core({}, { ...deps, metricSource: source });

    // Assess
    expect(asked).toEqual([['ReplicaHeartbeatAgeSeconds', '2026-11-19T01:55:00.000Z', '2026-11-19T02:00:00.000Z']]);
    expect(output.measurement.rpo.region).toEqual({ seconds: 0.8, basis: 'replica-heartbeat', detail: 'replica heartbeat measured at 2026-11-19T01:59:00.000Z' });
  });
});

describe('rpo-monitor λ: environment and publishing', () => {
  it('names every bad variable at once', () => {
    const env = { AWS_REGION: WEST, DATABASE_ID: 'swifteats', TOPOLOGY: 'aurora', DR_REGION: 'none', OFFSITE_PATHS: 'snapshot-copy', OBJECTIVES: '{"az":null' };
    expect(() => monitor.rpoMonitorConfigFromEnv(env)).toThrow(
      new ConfigurationError(
        'invalid environment: TOPOLOGY: "aurora" is not multi-az-instance or multi-az-cluster; ' +
          'DR_REGION: required (not none) with backup-replication or snapshot-copy in OFFSITE_PATHS; ' +
          "OBJECTIVES: not valid JSON (Expected ',' or '}' after property value in JSON at position 10 (line 1 column 11))",
      ),
    );
    expect(() => monitor.rpoMonitorConfigFromEnv({ AWS_REGION: WEST })).toThrow(new ConfigurationError('missing environment variable(s): DATABASE_ID, TOPOLOGY, DR_REGION, OFFSITE_PATHS, OBJECTIVES'));
  });

  it('reads the environment the construct sets', () => {
    const config = monitor.rpoMonitorConfigFromEnv({ AWS_REGION: WEST, DATABASE_ID: 'swifteats', TOPOLOGY: 'multi-az-cluster', DR_REGION: 'none', OFFSITE_PATHS: 'none', OBJECTIVES: JSON.stringify({ ...OBJECTIVES, region: null, snapshotLoss: null }) });
    expect(config).toEqual({
      region: WEST,
      databaseId: 'swifteats',
      topology: 'multi-az-cluster',
      drRegion: null,
      paths: { readReplica: false, backupReplication: false, snapshotCopy: false },
      objectives: { ...OBJECTIVES, region: null, snapshotLoss: null },
    });
  });

  it('publishes plain values under the service and Database dimensions the alarms name, per-mode ones with FailureMode added', () => {
    // Prepare
    const single = { addDimension: vi.fn(), addMetric: vi.fn() };
    const spy = vi.spyOn(metrics, 'singleMetric').mockReturnValue(single as unknown as ReturnType<typeof metrics.singleMetric>);

    // Act
    monitor.publishDatapoint({ name: 'PitrLagSeconds', value: 300, failureMode: null });
    monitor.publishDatapoint({ name: 'RpoSeconds', value: 0, failureMode: 'snapshot-loss' });
    const emf = metrics.serializeMetrics();
    metrics.clearMetrics();
    spy.mockRestore();

    // Assess
    expect(emf._aws.CloudWatchMetrics).toEqual([{ Namespace: 'RdsDr', Dimensions: [['service', 'Database']], Metrics: [{ Name: 'PitrLagSeconds', Unit: 'Seconds' }] }]);
    expect(emf).toMatchObject({ service: 'rds-dr', Database: 'swifteats', PitrLagSeconds: 300 });
    expect(single.addDimension.mock.calls).toEqual([['FailureMode', 'snapshot-loss']]);
    expect(single.addMetric.mock.calls).toEqual([['RpoSeconds', 'Seconds', 0]]);
  });
});

describe('CloudWatchMetricSource', () => {
  it('asks for the one-minute Maximum under the published dimensions, newest first, and returns the newest', async () => {
    // Prepare
    const cw = mockClient(CloudWatchClient);
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [{ Id: 'newest', Timestamps: [new Date('2026-11-19T01:59:00Z'), new Date('2026-11-19T01:58:00Z')], Values: [0.8, 0.5], StatusCode: 'Complete' }],
    });
    const source = new CloudWatchMetricSource(new CloudWatchClient({ region: WEST }), 'swifteats');

    // Act
    const reading = await source.newest('ReplicaHeartbeatAgeSeconds', new Date('2026-11-19T01:55:00Z'), new Date('2026-11-19T02:00:00Z'));
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'newest', Timestamps: [], Values: [] }] });
    const none = await source.newest('ReplicaHeartbeatAgeSeconds', new Date('2026-11-19T01:55:00Z'), new Date('2026-11-19T02:00:00Z'));

    // Assess
    expect(reading).toEqual({ value: 0.8, at: new Date('2026-11-19T01:59:00Z') });
    expect(none).toBeNull();
    expect(cw.commandCalls(GetMetricDataCommand)[0]?.args[0].input).toEqual({
      StartTime: new Date('2026-11-19T01:55:00Z'),
      EndTime: new Date('2026-11-19T02:00:00Z'),
      ScanBy: 'TimestampDescending',
      MetricDataQueries: [
        {
          Id: 'newest',
          ReturnData: true,
          MetricStat: {
            Period: 60,
            Stat: 'Maximum',
            Metric: { Namespace: 'RdsDr', MetricName: 'ReplicaHeartbeatAgeSeconds', Dimensions: [{ Name: 'service', Value: 'rds-dr' }, { Name: 'Database', Value: 'swifteats' }] },
          },
        },
      ],
    });
    cw.restore();
  });
});
