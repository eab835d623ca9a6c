import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluatePrechecks, isConfiguredPrimaryEndpoint, mayProceedAfterFence, newWriterReady, postCheckVerdict, primaryUnreachable, waitPlan, type PrecheckFacts } from '../../functions/domain/failover/rules.ts';
import type { Confirmation, FailoverRequest } from '../../functions/domain/failover/model.ts';
import { parseFailoverInput } from '../../functions/contracts/events/failover-start.ts';
import type { RequestContext } from '../../functions/domain/failover/request.ts';
import { rollbackPlan, switchPlan } from '../../functions/domain/failover/endpoint.ts';
import { epochSeconds, heldRecord, lockExit, lockKey, lockRefusal, lockStatus } from '../../functions/domain/failover/lock.ts';
import { dataLoss, failoverTimeline } from '../../functions/domain/failover/measure.ts';
import { assessPostCheck } from '../../functions/domain/failover/takeover.ts';
import { requestToken } from '../../functions/domain/failover/switch-endpoint.ts';
import { runChanged, runNotification, type RunRecord } from '../../functions/domain/failover/record-run.ts';
import type { WriterState } from '../../functions/ports/database-control-plane.ts';
import type { LockRecord } from '../../functions/ports/failover-lock.ts';
import {
  DatabaseNotFoundError,
  FailoverCooldownError,
  FailoverLockedError,
  markUnreachable,
  PostCheckFailedError,
  PrecheckFailedError,
  ThrottledError,
  ValidationError,
} from '../../functions/shared/errors.ts';

const START = new Date('2026-11-29T02:01:00.000Z');
const CONTEXT: RequestContext = { database: 'swifteats', topology: 'multi-az-instance', region: 'eu-west-1', hasReplica: true, startedAt: START };

function problems(input: unknown, context: RequestContext = CONTEXT): readonly string[] {
  try {
    parseFailoverInput(input, context);
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseFailoverInput: manual starts', () => {
  it('fills the defaults: no dry run, not forced, detected at the start', () => {
    // Act
    const request = parseFailoverInput({ mode: 'az', reason: '  writer hung  ' }, CONTEXT);
    // Assess
    expect(request).toEqual({
      mode: 'az',
      reason: 'writer hung',
      dryRun: false,
      force: false,
      detectedAt: '2026-11-29T02:01:00.000Z',
      startedAt: '2026-11-29T02:01:00.000Z',
      trigger: { source: 'manual', id: null },
    });
  });

  it('keeps an operator-given detection time', () => {
    expect(parseFailoverInput({ mode: 'region', reason: 'outage', detectedAt: '2026-11-29T01:55:00+00:00', dryRun: true, force: true }, CONTEXT)).toMatchObject({
      detectedAt: '2026-11-29T01:55:00.000Z',
      dryRun: true,
      force: true,
    });
  });

  it('lists every problem, each naming its field', () => {
    expect(problems({ mode: 'observe', reason: '   ', dryRun: 'yes', force: true, detectedAt: '2026-11-29T03:00:00Z', region: 'eu' })).toEqual([
      'region: unknown field; a manual start takes mode, reason, dryRun, force, detectedAt',
      'reason: must not be blank',
      'dryRun: "yes" is not true or false',
      'detectedAt: 2026-11-29T03:00:00.000Z is after the start of this execution (2026-11-29T02:01:00.000Z)',
      'force: only for modes az and region; observe never acts',
    ]);
  });

  it('refuses region mode without a cross-region replica, and a non-object input', () => {
    expect(problems({ mode: 'region', reason: 'x' }, { ...CONTEXT, hasReplica: false })).toEqual([
      'mode: "region" needs a cross-region read replica, and none is configured (dr.readReplica)',
    ]);
    expect(problems('failover now')).toEqual(['event: must be a JSON object, got string', 'mode: required, one of az, region, observe', 'reason: required, a non-empty string']);
  });

  it('clips a long reason to 500 characters', () => {
    expect(parseFailoverInput({ mode: 'az', reason: 'x'.repeat(600) }, CONTEXT).reason).toBe(`${'x'.repeat(499)}…`);
  });
});

describe('parseFailoverInput: EventBridge events', () => {
  const alarm = (detail: Record<string, unknown>): Record<string, unknown> => ({ source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', detail });

  it('the writer alarm entering ALARM is an AZ failover detected at the transition (CloudWatch writes +0000)', () => {
    const request = parseFailoverInput(alarm({ alarmName: 'swifteats-WriterDown', state: { value: 'ALARM', reason: 'Threshold Crossed', timestamp: '2026-11-29T02:00:12.345+0000' } }), CONTEXT);
    expect(request).toEqual({
      mode: 'az',
      reason: 'CloudWatch alarm swifteats-WriterDown entered ALARM: Threshold Crossed',
      dryRun: false,
      force: false,
      detectedAt: '2026-11-29T02:00:12.345Z',
      startedAt: '2026-11-29T02:01:00.000Z',
      trigger: { source: 'alarm', id: 'swifteats-WriterDown' },
    });
  });

  it('refuses a malformed alarm event', () => {
    expect(problems({ source: 'aws.cloudwatch', 'detail-type': 'Scheduled Event' })).toEqual(['detail-type: "Scheduled Event" is not "CloudWatch Alarm State Change"', 'detail: required, an object']);
    expect(problems(alarm({ alarmName: 'swifteats-WriterDown', state: { value: 'ALARM', timestamp: 'yesterday' } }))).toEqual([
      'detail.state.timestamp: "yesterday" is not a time with a zone',
    ]);
  });

  it('an RDS failover event of this database is observe mode, for each topology', () => {
    const instance = parseFailoverInput(
      { source: 'aws.rds', 'detail-type': 'RDS DB Instance Event', detail: { EventID: 'RDS-EVENT-0049', SourceArn: 'arn:aws:rds:eu-west-1:123456789012:db:swifteats', Date: '2026-11-29T02:00:30.100Z', Message: 'Multi-AZ instance failover completed.' } },
      CONTEXT,
    );
    expect(instance).toMatchObject({ mode: 'observe', reason: 'RDS RDS-EVENT-0049: Multi-AZ instance failover completed.', detectedAt: '2026-11-29T02:00:30.100Z', trigger: { source: 'rds-event', id: 'RDS-EVENT-0049' } });
    const cluster = parseFailoverInput(
      { source: 'aws.rds', 'detail-type': 'RDS DB Cluster Event', detail: { EventID: 'RDS-EVENT-0073', SourceArn: 'arn:aws:rds:eu-west-1:123456789012:cluster:swifteats', Date: '2026-11-29T02:00:30Z' } },
      { ...CONTEXT, topology: 'multi-az-cluster' },
    );
    expect(cluster).toMatchObject({ mode: 'observe', trigger: { id: 'RDS-EVENT-0073' } });
  });

  it("refuses another database's event, another topology's event type, an unknown source", () => {
    expect(
      problems({ source: 'aws.rds', 'detail-type': 'RDS DB Cluster Event', detail: { EventID: 'RDS-EVENT-0013', SourceArn: 'arn:aws:rds:eu-west-1:123456789012:db:orders', Date: '2026-11-29T02:00:30Z' } }),
    ).toEqual([
      'detail-type: "RDS DB Cluster Event" is not "RDS DB Instance Event" (topology multi-az-instance)',
      'detail.SourceArn: "arn:aws:rds:eu-west-1:123456789012:db:orders" is not the db swifteats in eu-west-1',
    ]);
    expect(problems({ source: 'aws.ec2', detail: {} })).toEqual(['source: "aws.ec2" is not one of aws.cloudwatch, aws.rds (a manual start has no source field)']);
  });
});

const AVAILABLE: WriterState = {
  identifier: 'swifteats',
  arn: 'arn:aws:rds:eu-west-1:123456789012:db:swifteats',
  status: 'available',
  writer: 'eu-west-1a',
  standbys: 1,
  replicaSource: null,
  endpoint: { address: 'swifteats.abc.eu-west-1.rds.amazonaws.com', port: 5432 },
};
const REPLICA: WriterState = {
  identifier: 'swifteats-dr',
  arn: 'arn:aws:rds:eu-central-1:123456789012:db:swifteats-dr',
  status: 'available',
  writer: 'eu-central-1a',
  standbys: 0,
  replicaSource: 'arn:aws:rds:eu-west-1:123456789012:db:swifteats',
  endpoint: { address: 'swifteats-dr.def.eu-central-1.rds.amazonaws.com', port: 5432 },
};
const DOWN: Confirmation = { writerHealthy: false, evidence: 'connect failed', replicaAgeSeconds: 12, replicaNewestHeartbeatAt: '2026-11-29T02:00:48.000000Z' };

function facts(over: Partial<PrecheckFacts> & { mode?: FailoverRequest['mode']; force?: boolean } = {}): PrecheckFacts {
  const { mode = 'az', force = false, ...rest } = over;
  const request: FailoverRequest = { mode, reason: 'r', dryRun: false, force, detectedAt: START.toISOString(), startedAt: START.toISOString(), trigger: { source: 'manual', id: null } };
  return {
    request,
    confirmation: mode === 'observe' ? null : DOWN,
    primary: AVAILABLE,
    target: mode === 'region' ? REPLICA : AVAILABLE,
    endpoint: { record: AVAILABLE.endpoint?.address ?? null, secretHost: AVAILABLE.endpoint?.address ?? null },
    replicationLag: mode === 'region' ? { seconds: 12, at: '2026-11-29T01:58:00.000Z', source: 'history' } : null,
    maxLagSeconds: 60,
    ...rest,
  };
}

function verdictAndBlocking(f: PrecheckFacts): [string, string[]] {
  const outcome = evaluatePrechecks(f);
  return [outcome.verdict, outcome.blocking.map((c) => `${c.name}: ${c.detail}`)];
}

describe('evaluatePrechecks', () => {
  it('az: a confirmed-down writer with an available standby proceeds', () => {
    expect(verdictAndBlocking(facts())).toEqual(['proceed', []]);
  });

  it('a writer that answered is a false alarm (not a blocking failure) unless forced', () => {
    const healthy = { ...DOWN, writerHealthy: true };
    expect(verdictAndBlocking(facts({ confirmation: healthy }))).toEqual(['false-alarm', []]);
    const forced = evaluatePrechecks(facts({ confirmation: healthy, force: true }));
    expect(forced.verdict).toBe('proceed');
    expect(forced.checks[0]).toEqual({ name: 'writer confirmed down', passed: false, forced: true, detail: 'the writer took the confirmation write; forced' });
  });

  it('az: observes when RDS is already failing over; refuses a database that is not available or has no standby', () => {
    expect(verdictAndBlocking(facts({ primary: { ...AVAILABLE, status: 'rebooting' } }))).toEqual(['observe', []]);
    expect(verdictAndBlocking(facts({ primary: { ...AVAILABLE, status: 'storage-full' } }))).toEqual([
      'proceed',
      ['target available: swifteats is storage-full: RDS forces a failover only from available'],
    ]);
    expect(verdictAndBlocking(facts({ primary: { ...AVAILABLE, standbys: 0 } }))[1]).toEqual(['target available: swifteats has no standby to fail over to']);
  });

  it('region: the lag gate passes within maxLag, blocks over it or when unknown, and force overrides it', () => {
    expect(evaluatePrechecks(facts({ mode: 'region' })).checks.find((c) => c.name === 'replica lag within maxLagOnFailover')).toEqual({
      name: 'replica lag within maxLagOnFailover',
      passed: true,
      detail: "the replica was 12 s behind (measured at 2026-11-29T01:58:00.000Z, the last minute the writer took every probe's write); at most 60 s allowed",
    });
    expect(verdictAndBlocking(facts({ mode: 'region', replicationLag: { seconds: 61, at: '2026-11-29T02:01:00.000Z', source: 'confirmation' } }))[1]).toEqual([
      'replica lag within maxLagOnFailover: the replica was 61 s behind (measured by the confirmation probe), over the 60 s allowed',
    ]);
    expect(verdictAndBlocking(facts({ mode: 'region', replicationLag: null }))[1]).toEqual([
      'replica lag within maxLagOnFailover: the replica lag could not be measured: no minute in the last 15 with the writer healthy and the replica read',
    ]);
    expect(verdictAndBlocking(facts({ mode: 'region', force: true, replicationLag: { seconds: 3600, at: '2026-11-29T01:00:00.000Z', source: 'history' } }))).toEqual(['proceed', []]);
  });

  it('region: accepts a replica an earlier run promoted and a record already pointing at it', () => {
    const promoted = { ...REPLICA, replicaSource: null };
    expect(verdictAndBlocking(facts({ mode: 'region', target: promoted, endpoint: { record: REPLICA.endpoint?.address ?? null, secretHost: 'x' }, replicationLag: null }))).toEqual([
      'proceed',
      [],
    ]);
    expect(verdictAndBlocking(facts({ mode: 'region', target: { ...REPLICA, status: 'modifying' } }))[1]).toEqual([
      'target available: swifteats-dr is modifying: RDS promotes only an available read replica',
    ]);
  });

  it('refuses to move traffic when the record points elsewhere or the secret has no host', () => {
    expect(verdictAndBlocking(facts({ endpoint: { record: REPLICA.endpoint?.address ?? null, secretHost: null } }))[1]).toEqual([
      'writer record: points at swifteats-dr.def.eu-central-1.rds.amazonaws.com, not at the primary swifteats.abc.eu-west-1.rds.amazonaws.com: a region failover is in effect or someone changed it; fail back first',
      'connection secret: the connection secret has no host field',
    ]);
    expect(verdictAndBlocking(facts({ endpoint: { record: 'SWIFTEATS.abc.eu-west-1.rds.amazonaws.com.', secretHost: 'h' } }))).toEqual(['proceed', []]);
  });

  it('region, primary unreachable: the record is matched against the configured primary instance endpoint', () => {
    const configuredPrimary = { identifier: 'swifteats', region: 'eu-west-1' };
    expect(verdictAndBlocking(facts({ mode: 'region', primary: null, configuredPrimary }))).toEqual(['proceed', []]);
    expect(evaluatePrechecks(facts({ mode: 'region', primary: null, configuredPrimary })).checks.find((c) => c.name === 'writer record')?.detail).toBe(
      'points at swifteats.abc.eu-west-1.rds.amazonaws.com, the endpoint of the configured primary swifteats in eu-west-1 (not described: its region is unreachable)',
    );
    expect(verdictAndBlocking(facts({ mode: 'region', primary: null, configuredPrimary, endpoint: { record: 'other.abc.eu-west-1.rds.amazonaws.com', secretHost: 'h' } }))[1]).toEqual([
      'writer record: points at other.abc.eu-west-1.rds.amazonaws.com, not at the primary endpoint of swifteats in eu-west-1 (configured): a region failover is in effect or someone changed it; fail back first',
    ]);
    expect(() => evaluatePrechecks(facts({ mode: 'az', primary: null, configuredPrimary }))).toThrow(PrecheckFailedError);
  });

  it('observe: needs no confirmation and no availability', () => {
    expect(verdictAndBlocking(facts({ mode: 'observe', primary: { ...AVAILABLE, status: 'rebooting' } }))).toEqual(['proceed', []]);
  });
});

describe('primary region unreachable', () => {
  const sdkError = (name: string, extra: Record<string, unknown>): Error => Object.assign(new Error('x'), { name, ...extra });

  // Which SDK errors are "no answer" is the adapters' call: test/functions/sdk-errors.test.ts (the same cases, through the RDS adapter's translation).
  it('counts what the adapter marked unreachable and throttling after the SDK retries; not an answer that refuses, nor a bug', () => {
    expect(primaryUnreachable(markUnreachable(sdkError('TimeoutError', { code: 'ETIMEDOUT' })))).toBe(true);
    expect(primaryUnreachable(markUnreachable(sdkError('InternalFailure', { $metadata: { httpStatusCode: 500 }, $fault: 'server' })))).toBe(true);
    expect(primaryUnreachable(new ThrottledError('DescribeDBInstances: Throttling: Rate exceeded'))).toBe(true);
    expect(primaryUnreachable(new DatabaseNotFoundError('DescribeDBInstances: DBInstanceNotFoundFault: DBInstance swifteats not found.'))).toBe(false);
    expect(primaryUnreachable(sdkError('AccessDenied', { $metadata: { httpStatusCode: 403 }, $fault: 'client' }))).toBe(false);
    expect(primaryUnreachable(new TypeError("Cannot read properties of undefined (reading 'DBInstances')"))).toBe(false);
    expect(primaryUnreachable('boom')).toBe(false);
  });

  it('recognises the configured instance endpoint only', () => {
    expect(isConfiguredPrimaryEndpoint('SwiftEats.cabc123.eu-west-1.rds.amazonaws.com.', 'swifteats', 'eu-west-1')).toBe(true);
    expect(isConfiguredPrimaryEndpoint('swifteats.cabc123.cn-north-1.rds.amazonaws.com.cn', 'swifteats', 'cn-north-1')).toBe(true);
    expect(isConfiguredPrimaryEndpoint('swifteats-dr.cabc123.eu-central-1.rds.amazonaws.com', 'swifteats', 'eu-west-1')).toBe(false);
    expect(isConfiguredPrimaryEndpoint('swifteats.cabc123.eu-central-1.rds.amazonaws.com', 'swifteats', 'eu-west-1')).toBe(false);
    expect(isConfiguredPrimaryEndpoint('swifteats.cluster-cabc123.eu-west-1.rds.amazonaws.com', 'swifteats', 'eu-west-1')).toBe(false);
    expect(isConfiguredPrimaryEndpoint('swifteats.example.com', 'swifteats', 'eu-west-1')).toBe(false);
  });
});

describe('wait and post-check rules', () => {
  it('plans the wait from the mode, topology and verdict', () => {
    expect(waitPlan('az', 'multi-az-instance', 'proceed')).toEqual({ expect: 'writer-moved', pollSeconds: 5, maxPolls: 180 });
    expect(waitPlan('az', 'multi-az-cluster', 'proceed')).toEqual({ expect: 'writer-moved', pollSeconds: 5, maxPolls: 60 });
    expect(waitPlan('az', 'multi-az-instance', 'observe')).toEqual({ expect: 'available', pollSeconds: 5, maxPolls: 180 });
    expect(waitPlan('region', 'multi-az-instance', 'proceed')).toEqual({ expect: 'promoted', pollSeconds: 10, maxPolls: 180 });
  });

  it('a new writer is ready only when available and moved or promoted', () => {
    expect(newWriterReady('writer-moved', AVAILABLE, { ...AVAILABLE, writer: 'eu-west-1b' })).toBe(true);
    expect(newWriterReady('writer-moved', AVAILABLE, AVAILABLE)).toBe(false);
    expect(newWriterReady('writer-moved', AVAILABLE, { ...AVAILABLE, writer: 'eu-west-1b', status: 'rebooting' })).toBe(false);
    expect(newWriterReady('promoted', REPLICA, REPLICA)).toBe(false);
    expect(newWriterReady('promoted', REPLICA, { ...REPLICA, replicaSource: null })).toBe(true);
    expect(newWriterReady('available', AVAILABLE, AVAILABLE)).toBe(true);
  });

  it('post-check: passes on a committed heartbeat, retries, then fails after the last attempt', () => {
    const failed = { healthy: false, phase: 'connect', error: { name: 'SqlConnectionError', message: 'timeout' }, heartbeatAt: null };
    expect(postCheckVerdict({ healthy: true, phase: null, error: null, heartbeatAt: 'x' }, 0)).toEqual({ passed: true, attempt: 1 });
    expect(postCheckVerdict(failed, 4)).toEqual({ passed: false, attempt: 5, retry: true, detail: 'connect failed: SqlConnectionError: timeout' });
    expect(postCheckVerdict(failed, 5)).toMatchObject({ passed: false, attempt: 6, retry: false });
    expect(() => assessPostCheck(failed, 5, 'verify', START)).toThrow(new PostCheckFailedError('verify: the new writer took no heartbeat write in 6 attempts; last: connect failed: SqlConnectionError: timeout'));
  });

  it('fencing: an unreachable region is no reason to stop, a refusing one is unless forced', () => {
    expect([mayProceedAfterFence('fenced', false), mayProceedAfterFence('unreachable', false), mayProceedAfterFence('refused', false), mayProceedAfterFence('refused', true)]).toEqual([true, true, false, true]);
  });
});

describe('lock rules', () => {
  const now = new Date('2026-11-29T02:00:00Z');
  const held: LockRecord = heldRecord('swifteats', 'arn:exec:a', 'az', now, 3600);

  it('a held record is the owner’s own, anyone else is locked out until the lease ends', () => {
    expect(held).toEqual({ key: 'failover#swifteats', owner: 'arn:exec:a', mode: 'az', state: 'held', acquiredAt: '2026-11-29T02:00:00.000Z', expiresAt: epochSeconds(now) + 3600 });
    expect(lockStatus(held, 'arn:exec:a', now).kind).toBe('mine');
    expect(lockStatus(held, 'arn:exec:b', now).kind).toBe('held');
    expect(lockStatus(held, 'arn:exec:b', new Date('2026-11-29T03:00:00Z')).kind).toBe('free');
    expect(lockStatus(null, 'arn:exec:b', now).kind).toBe('free');
    expect(lockRefusal(lockStatus(held, 'arn:exec:b', now), 'swifteats')).toEqual(
      new FailoverLockedError('a az failover of swifteats is running since 2026-11-29T02:00:00.000Z (execution arn:exec:a); its lock expires at 2026-11-29T03:00:00.000Z'),
    );
  });

  it('a cooldown is nobody’s, not even the execution that set it', () => {
    const cooldown: LockRecord = { ...held, state: 'cooldown', expiresAt: epochSeconds(now) + 1800 };
    expect(lockStatus(cooldown, 'arn:exec:a', now).kind).toBe('cooldown');
    expect(lockRefusal(lockStatus(cooldown, 'arn:exec:a', now), 'swifteats')).toEqual(
      new FailoverCooldownError('swifteats failed over at 2026-11-29T02:00:00.000Z (execution arn:exec:a): no other failover before 2026-11-29T02:30:00.000Z (cooldown)'),
    );
    expect(lockRefusal({ kind: 'free' }, 'swifteats')).toBeNull();
  });

  it('property: a record never counts at or after its expiry, and a cooldown is never mine', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: -5_000, max: 5_000 }), fc.boolean(), (cooldown, ttl, offset, same) => {
        const record: LockRecord = { ...held, state: cooldown ? 'cooldown' : 'held', expiresAt: epochSeconds(now) + ttl };
        const at = new Date(now.getTime() + offset * 1000);
        const status = lockStatus(record, same ? 'arn:exec:a' : 'arn:exec:b', at);
        if (epochSeconds(at) >= record.expiresAt) return status.kind === 'free';
        return cooldown ? status.kind === 'cooldown' : status.kind === (same ? 'mine' : 'held');
      }),
    );
  });

  it('leaves a cooldown after a failover, a release otherwise', () => {
    expect(lockExit(true, 1800, now)).toEqual({ kind: 'cooldown', until: epochSeconds(now) + 1800 });
    expect(lockExit(false, 1800, now)).toEqual({ kind: 'release' });
    expect(lockExit(true, 0, now)).toEqual({ kind: 'release' });
    expect(lockKey('orders')).toBe('failover#orders');
  });
});

describe('measurements', () => {
  it('splits a run into its phases; FailoverDurationSeconds is detection to post-check', () => {
    expect(
      failoverTimeline({
        detectedAt: '2026-11-29T02:00:00.000Z',
        startedAt: '2026-11-29T02:00:01.500Z',
        confirmedAt: '2026-11-29T02:00:06.000Z',
        actedAt: '2026-11-29T02:00:06.800Z',
        postCheckedAt: '2026-11-29T02:01:40.000Z',
        switchedAt: '2026-11-29T02:01:41.250Z',
      }),
    ).toEqual({ triggerSeconds: 1.5, confirmationSeconds: 4.5, actionSeconds: 0.8, waitSeconds: 93.2, switchSeconds: 1.25, detectionToPostCheckSeconds: 100, totalSeconds: 101.25 });
  });

  it('observing: the wait counts from the pre-checks, there is no action', () => {
    expect(
      failoverTimeline({ detectedAt: '2026-11-29T02:00:00Z', startedAt: '2026-11-29T02:00:01Z', confirmedAt: '2026-11-29T02:00:02Z', actedAt: null, postCheckedAt: '2026-11-29T02:00:30Z', switchedAt: null }),
    ).toMatchObject({ actionSeconds: null, waitSeconds: 28, switchSeconds: null, totalSeconds: null });
  });

  it('data loss: region is an upper bound from the replica heartbeat to the cut-off; az is not measured', () => {
    expect(dataLoss('region', '2026-11-29T01:59:30.000000Z', '2026-11-29T02:00:05.500Z', 'fence')).toEqual({
      seconds: 35.5,
      basis: "upper bound: the replica's newest heartbeat was 2026-11-29T01:59:30.000000Z; the old writer was cut off by the fence at 2026-11-29T02:00:05.500Z",
    });
    expect(dataLoss('region', '2026-11-29T02:00:10Z', '2026-11-29T02:00:05Z', 'promotion').seconds).toBe(0);
    expect(dataLoss('region', null, '2026-11-29T02:00:05Z', 'fence').seconds).toBeNull();
    expect(dataLoss('az', '2026-11-29T02:00:10Z', '2026-11-29T02:00:05Z', 'promotion')).toEqual({
      seconds: null,
      basis: 'not measured: synchronous Multi-AZ standby; the post-check does not compare heartbeats across the failover',
    });
  });
});

describe('endpoint switch and rollback', () => {
  const A = 'a.rds.amazonaws.com';
  const B = 'b.rds.amazonaws.com';

  it('switches only what does not already point at the target', () => {
    expect(switchPlan({ record: A, secretHost: A }, B)).toEqual({ record: true, secret: true });
    expect(switchPlan({ record: `${A.toUpperCase()}.`, secretHost: A }, A)).toEqual({ record: false, secret: false });
  });

  it('restores only values that still hold the switch’s own', () => {
    expect(rollbackPlan({ record: A, secretHost: A }, B, { record: B, secretHost: B })).toEqual({ record: 'restore', secret: 'restore' });
    expect(rollbackPlan({ record: A, secretHost: A }, B, { record: A, secretHost: 'c.example' })).toEqual({ record: 'keep', secret: 'conflict' });
    expect(rollbackPlan({ record: A, secretHost: A }, A, { record: A, secretHost: A })).toEqual({ record: 'keep', secret: 'keep' });
  });

  it('property: never restores over a value the switch did not write', () => {
    const host = fc.constantFrom(A, B, 'c.example', null);
    fc.assert(
      fc.property(host, host, host, (before, current, applied) => {
        const plan = rollbackPlan({ record: before, secretHost: before }, applied ?? A, { record: current, secretHost: current });
        return plan.record !== 'restore' || current === (applied ?? A);
      }),
    );
  });
});

describe('run record', () => {
  const request: FailoverRequest = { mode: 'region', reason: 'outage – ünïcode', dryRun: false, force: false, detectedAt: '2026-11-29T02:00:00Z', startedAt: '2026-11-29T02:00:01Z', trigger: { source: 'manual', id: null } };
  const base: RunRecord = { request, owner: 'arn:exec', outcome: 'failed', locked: true, precheck: null, fence: null, act: null, postCheckedAt: null, switched: null, verifiedAt: null, rollback: null, error: { name: 'ReplicaLagTooHighError', cause: 'too far behind' } };

  it('changed: only a revoked rule, an RDS call, a real switch or a restore count', () => {
    expect(runChanged(base)).toBe(false);
    expect(runChanged({ ...base, fence: { verdict: 'fenced', securityGroupId: 'sg', rules: [], detail: '', at: '' } })).toBe(false);
    expect(runChanged({ ...base, act: { action: 'PromoteReadReplica', called: true, alreadyDone: false, dryRun: false, at: '' } })).toBe(true);
    expect(runChanged({ ...base, switched: { plan: { record: true, secret: false }, changeId: 'C1', targetHost: 'h', dryRun: true, at: '' } })).toBe(false);
  });

  it('notifies with an ASCII subject of at most 100 characters', () => {
    const notification = runNotification('a-very-long-database-name-that-goes-on-and-on', { ...base, error: { name: 'X'.repeat(80), cause: 'c' } }, failoverTimeline({ detectedAt: request.detectedAt, startedAt: request.startedAt, confirmedAt: null, actedAt: null, postCheckedAt: null, switchedAt: null }), { seconds: null, basis: 'b' });
    expect(notification.subject).toHaveLength(100);
    expect(notification.subject).toMatch(/^\[a-very-long-database-name-that-goes-on-and-on\] region failover FAILED: X+~$/);
    expect(notification.message.split('\n').slice(0, 4)).toEqual(['Database: a-very-long-database-name-that-goes-on-and-on', 'Mode: region', 'Outcome: failed', 'Reason: outage – ünïcode']);
  });

  it('idempotency tokens are deterministic UUID-shaped strings (Secrets Manager wants 32-64 characters)', () => {
    expect(requestToken('arn:exec', 'switch')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(requestToken('arn:exec', 'switch')).toBe(requestToken('arn:exec', 'switch'));
    expect(requestToken('arn:exec', 'switch')).not.toBe(requestToken('arn:exec', 'rollback'));
  });
});
