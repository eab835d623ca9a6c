import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import validator from 'asl-validator';
import { SqlQueryError } from '../../functions/shared/errors.ts';
import { aslText, allStates, substitutionKeys, type Execution } from '../support/asl.ts';
import { networkError } from '../support/aws-fake.ts';
import { FailoverWorld, loadHandlers, WORLD, type HandlerModules, type WorldOptions } from '../support/failover-world.ts';
import { rdsFault } from '../support/rds-fake.ts';

let modules: HandlerModules;
let world: FailoverWorld;

beforeAll(async () => {
  modules = await loadHandlers();
});

afterEach(() => {
  world?.restore();
});

function build(options: WorldOptions = {}): FailoverWorld {
  world = new FailoverWorld(modules, options);
  return world;
}

/** The states entered, without the polling loops' repetitions. */
function steps(result: Execution): string[] {
  const loops = /^(Wait for new writer|Check new writer|New writer ready\?|Wait for DNS|Check DNS change|DNS in sync\?|Pause before post-check|Pause before verification)$/;
  return result.path.filter((s, i) => !loops.test(s) || result.path.indexOf(s) === i);
}

const AZ_PATH = [
  'Validate input',
  'Take lock',
  'Confirmation needed?',
  'Confirm writer down',
  'Pre-checks',
  'Verdict?',
  'Act',
  'Dry run?',
  'Start waiting',
  'Wait for new writer',
  'Check new writer',
  'New writer ready?',
  'Start post-check',
  'Post-check new writer',
  'Assess post-check',
  'Post-check passed?',
  'Switch endpoint',
  'Start DNS wait',
  'Check DNS change',
  'DNS in sync?',
  'Start verification',
  'Verify new writer',
  'Assess verification',
  'Verification passed?',
  'Record success',
  'Notify success',
  'Failover done',
];

const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:failover:local';
const OTHER = 'arn:aws:states:eu-west-1:123456789012:execution:failover:other';
/** 2026-11-29T02:00:00Z plus the 30-minute cooldown, in epoch seconds. */
const COOLDOWN_END = Date.parse('2026-11-29T02:00:00Z') / 1000 + 1800;

describe('failover.asl.json', () => {
  it('is valid ASL, every state has a Comment, and its ${Key}s are the two function ARNs', () => {
    // Prepare
    const definition = JSON.parse(aslText('failover')) as Record<string, unknown>;
    // Act
    const { isValid, errorsText } = validator(definition);
    // Assess
    expect(errorsText()).toBe('');
    expect(isValid).toBe(true);
    expect(substitutionKeys(aslText('failover'))).toEqual(['FailoverFunctionArn', 'ProbeFunctionArn']);
    const states = allStates(definition);
    expect(Object.entries(states).filter(([, s]) => typeof s.Comment !== 'string' || s.Comment === '').map(([n]) => n)).toEqual([]);
    expect(aslText('failover')).not.toMatch(/JSONata|"Assign"|"QueryLanguage"/);
  });

  it('names specific errors before States.ALL in every Catch', () => {
    const states = allStates(JSON.parse(aslText('failover')) as Record<string, unknown>);
    for (const [name, state] of Object.entries(states)) {
      const catches = (state.Catch ?? []) as { ErrorEquals: string[] }[];
      if (catches.length === 0) continue;
      expect(catches.length, name).toBeGreaterThan(1);
      expect(catches.at(-1)?.ErrorEquals, name).toEqual(['States.ALL']);
      expect(catches.slice(0, -1).flatMap((c) => c.ErrorEquals), name).not.toContain('States.ALL');
    }
  });
});

describe('AZ failover', () => {
  it('multi-az-instance: forces the failover, waits for the standby, keeps the endpoint, measures, notifies, leaves a cooldown', async () => {
    // Prepare
    build();
    world.breakWriter();
    // Act
    const result = await world.run({ mode: 'az', reason: 'writer hung in AZ a' });
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(steps(result)).toEqual(AZ_PATH);
    expect(world.rdsMutations()).toEqual(['RebootDBInstance']);
    expect(world.rds.calls({ command: 'RebootDBInstance' })[0]?.input).toEqual({ DBInstanceIdentifier: 'swifteats', ForceFailover: true });
    expect(world.rds.instance(WORLD.primaryRegion, 'swifteats')).toMatchObject({ DBInstanceStatus: 'available', AvailabilityZone: 'eu-west-1b', SecondaryAvailabilityZone: 'eu-west-1a' });
    // The RDS endpoint follows the failover by itself: the record and the secret stay as they are.
    expect(world.route53.mutatingCalls()).toEqual([]);
    expect(world.secrets.mutatingCalls()).toEqual([]);
    // 90 s of RDS failover observed by 5 s polls: 18 polls, detection to post-check 90 s.
    expect(result.invocations.filter((i) => i.state === 'Check new writer')).toHaveLength(18);
    expect(world.published).toEqual([{ name: 'FailoverDurationSeconds', value: 90, failureMode: 'az' }]);
    expect(result.output).toMatchObject({
      outcome: 'succeeded',
      mode: 'az',
      changed: true,
      lock: 'cooldown',
      timeline: { triggerSeconds: 0, confirmationSeconds: 0, actionSeconds: 0, waitSeconds: 90, switchSeconds: 0, detectionToPostCheckSeconds: 90, totalSeconds: 90 },
      dataLoss: { seconds: null },
    });
    expect(world.lockItem()).toEqual({ owner: EXECUTION, state: 'cooldown', expiresAt: COOLDOWN_END + 90, steps: ['act'] });
    expect(world.sns.published.map((m) => m.subject)).toEqual(['[swifteats] az failover succeeded: writer back in 1m30s']);
    expect(world.audits().map((a) => [a.action, a.result, a.resource])).toEqual([['failover.az', 'succeeded', 'swifteats']]);
  });

  it('multi-az-cluster: FailoverDBCluster moves the writer to a readable standby in about 30 s', async () => {
    // Prepare
    build({ topology: 'multi-az-cluster' });
    world.breakWriter();
    // Act
    const result = await world.run({ mode: 'az', reason: 'writer member unresponsive' });
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(steps(result)).toEqual(AZ_PATH);
    expect(world.rdsMutations()).toEqual(['FailoverDBCluster']);
    expect(world.rds.calls({ command: 'FailoverDBCluster' })[0]?.input).toEqual({ DBClusterIdentifier: 'swifteats' });
    expect(world.writerLocation()).toBe('swifteats-instance-2');
    expect(world.published).toEqual([{ name: 'FailoverDurationSeconds', value: 30, failureMode: 'az' }]);
    expect(world.route53.mutatingCalls()).toEqual([]);
    expect(world.ec2.calls()).toEqual([]);
  });

  it('observes instead of acting when RDS is already failing over the database', async () => {
    // Prepare: RDS's own failover started a second ago.
    build();
    world.breakWriter();
    await world.rds.handle('RebootDBInstance', { DBInstanceIdentifier: 'swifteats', ForceFailover: true }, WORLD.primaryRegion);
    world.rds.clearCalls();
    // Act
    const result = await world.run({ mode: 'az', reason: 'writer down' });
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(world.rdsMutations()).toEqual([]);
    expect((result.output as { timeline: { actionSeconds: unknown } }).timeline.actionSeconds).toBeNull();
    expect(world.lockItem()?.state).toBe('cooldown');
  });
});

describe('region failover', () => {
  it('within the lag gate: fences the old writer, promotes the replica, switches record and secret, measures the data loss', async () => {
    // Prepare: the writer took its last heartbeat 30 s ago, then its region went dark.
    build();
    world.writer.rows?.push({ writtenAt: '2026-11-29T01:59:30.000000Z', writer: 'monitor' });
    world.breakWriter();
    // Act
    const result = await world.run({ mode: 'region', reason: 'eu-west-1 outage' });
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const dnsLoop = AZ_PATH.indexOf('DNS in sync?') + 1;
    expect(steps(result)).toEqual([...AZ_PATH.slice(0, 6), 'Fence old writer', ...AZ_PATH.slice(6, dnsLoop), 'Wait for DNS', ...AZ_PATH.slice(dnsLoop)]);
    // 60 s of Route 53 propagation polled every 5 s.
    expect(result.invocations.filter((i) => i.state === 'Check DNS change')).toHaveLength(13);
    expect(world.ec2.ingress(WORLD.securityGroupId)).toEqual([]);
    expect(world.rdsMutations()).toEqual(['PromoteReadReplica']);
    expect(world.rds.calls({ command: 'PromoteReadReplica' }).map((c) => [c.region, c.input])).toEqual([[WORLD.drRegion, { DBInstanceIdentifier: 'swifteats-dr' }]]);
    expect(world.route53.record('Z0000000000001FAKE', WORLD.recordName, 'CNAME')).toEqual({ Name: `${WORLD.recordName}.`, Type: 'CNAME', TTL: 10, ResourceRecords: [{ Value: world.replicaEndpoint }] });
    expect(JSON.parse(world.secrets.current('swifteats-connection') ?? '{}')).toEqual({ engine: 'postgres', host: world.replicaEndpoint, port: 5432, dbname: 'swifteats' });
    // Replica 2 s behind: it holds the 01:59:30 heartbeat; the fence cut the old writer off at 02:00:00.
    expect(world.published).toEqual([
      { name: 'FailoverDurationSeconds', value: 300, failureMode: 'region' },
      { name: 'FailoverDataLossSeconds', value: 30, failureMode: 'region' },
    ]);
    expect(result.output).toMatchObject({ timeline: { waitSeconds: 300, switchSeconds: 60, totalSeconds: 360 }, dataLoss: { seconds: 30 } });
    const audit = world.audits()[0];
    expect(audit?.details.fence).toMatchObject({ verdict: 'fenced', securityGroupId: WORLD.securityGroupId, rules: [{ source: WORLD.functionsSecurityGroupId }, { source: '10.20.0.0/16' }] });
  });

  it('minutes after the writer died, the gate still judges the lag measured while it was healthy', async () => {
    // Prepare: the alarm needs two failed one-minute probes; the operator starts five minutes later.
    build();
    world.breakWriter();
    world.clock.advance(7 * 60_000);
    // Act
    const result = await world.run({ mode: 'region', reason: 'eu-west-1 outage', detectedAt: '2026-11-29T02:02:00Z' });
    // Assess: replication was 2 s behind; the replica's newest heartbeat is 7 minutes old, which is the bound on the loss.
    expect(result.status).toBe('SUCCEEDED');
    const checks = (world.audits()[0]?.details.checks ?? []) as { name: string; passed: boolean }[];
    expect(checks.find((c) => c.name === 'replica lag within maxLagOnFailover')?.passed).toBe(true);
    expect(world.published.find((m) => m.name === 'FailoverDataLossSeconds')?.value).toBe(480);
  });

  it('over the lag gate: refused with ReplicaLagTooHighError before fencing or promoting; the lock is released', async () => {
    // Prepare: replication stalled; the replica's newest heartbeat is 5 minutes old.
    build();
    world.replicaLagMs = 5 * 60_000;
    world.breakWriter();
    // Act
    const result = await world.run({ mode: 'region', reason: 'eu-west-1 outage' });
    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'ReplicaLagTooHighError' });
    expect(result.cause).toBe(
      "replica lag within maxLagOnFailover: the replica was 300 s behind (measured at 2026-11-29T01:59:00.000Z, the last minute the writer took every probe's write), over the 60 s allowed (start again with force: true to accept the loss)",
    );
    expect(steps(result).slice(-4)).toEqual(['Pre-checks', 'Record failure', 'Notify failure', 'Failover failed']);
    expect(world.mutations()).toEqual(['dynamodb:PutItem', 'dynamodb:DeleteItem', 'sns:Publish']);
    expect(world.lockItem()).toBeUndefined();
    expect(world.sns.published[0]?.subject).toBe('[swifteats] region failover FAILED: ReplicaLagTooHighError');
  });

  it('over the lag gate but forced: fails over and reports the larger data loss', async () => {
    // Prepare
    build();
    world.replicaLagMs = 5 * 60_000;
    world.breakWriter();
    // Act
    const result = await world.run({ mode: 'region', reason: 'eu-west-1 outage, accepting the loss', force: true });
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(world.rdsMutations()).toEqual(['PromoteReadReplica']);
    expect(world.published.find((m) => m.name === 'FailoverDataLossSeconds')).toEqual({ name: 'FailoverDataLossSeconds', value: 300, failureMode: 'region' });
    const checks = (world.audits()[0]?.details.checks ?? []) as { name: string; forced?: boolean }[];
    expect(checks.find((c) => c.name === 'replica lag within maxLagOnFailover')).toMatchObject({ passed: false, forced: true });
  });

  it('goes on unfenced when the old region is unreachable, and says so', async () => {
    // Prepare
    build();
    world.writer.rows?.push({ writtenAt: '2026-11-29T01:59:30.000000Z', writer: 'monitor' });
    world.ec2.makeUnreachable(WORLD.primaryRegion);
    world.breakWriter();
    // Act
    const result = await world.run({ mode: 'region', reason: 'eu-west-1 outage' });
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(world.ec2.mutatingCalls()).toEqual([]);
    expect(world.audits()[0]?.details.fence).toMatchObject({ verdict: 'unreachable' });
    // Without a fence, the promotion (5 minutes later) is what cut the old writer off.
    expect(result.output).toMatchObject({ dataLoss: { seconds: 30 } });
    expect(world.sns.published[0]?.message).toContain('Fence: unreachable: DescribeSecurityGroupRules sg-0db0000000000000a: TimeoutError: connect ETIMEDOUT 52.94.0.1:443: going on unfenced; fence the old writer when its region is back (runbook)');
  });
});

describe('refusals and failures', () => {
  it('false alarm: a writer that takes the confirmation write ends the run; nothing changes, no cooldown', async () => {
    // Prepare: the alarm fired, but the writer answers.
    build();
    // Act
    const result = await world.run({ mode: 'az', reason: 'WriterDown alarm' });
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(steps(result)).toEqual([...AZ_PATH.slice(0, 6), 'Record false alarm', 'Notify false alarm', 'False alarm']);
    expect(world.rdsMutations()).toEqual([]);
    expect(world.lockItem()).toBeUndefined();
    expect(world.audits().map((a) => a.result)).toEqual(['skipped']);
    expect(world.sns.published.map((m) => m.subject)).toEqual(['[swifteats] no failover: the writer answered (false alarm)']);
    expect(world.published).toEqual([]);
  });

  it('a forced failover of a healthy writer (drill) goes ahead', async () => {
    build();
    const result = await world.run({ mode: 'az', reason: 'quarterly drill', force: true });
    expect(result.status).toBe('SUCCEEDED');
    expect(world.rdsMutations()).toEqual(['RebootDBInstance']);
  });

  it('a second execution while one runs stops with FailoverLockedError and changes nothing', async () => {
    // Prepare: while the first execution waits for RDS, a duplicate alarm delivery starts a second.
    build();
    world.breakWriter();
    const functions = world.functions();
    let second: Execution | null = null;
    const failover = functions[WORLD.failoverFunctionArn];
    if (!failover) throw new Error('failover function not bound');
    functions[WORLD.failoverFunctionArn] = async (payload) => {
      if ((payload as { action: string }).action === 'check' && second === null) {
        second = await world.run({ mode: 'az', reason: 'duplicate' }, 'failover-duplicate', world.functions());
      }
      return failover(payload);
    };
    // Act
    const first = await world.run({ mode: 'az', reason: 'writer down' }, 'failover', functions);
    // Assess
    expect(first.status).toBe('SUCCEEDED');
    expect(second).toMatchObject({ status: 'FAILED', error: 'FailoverLockedError', path: ['Validate input', 'Take lock', 'Locked out?', 'Locked out'] });
    expect((second as unknown as Execution).cause).toMatch(/^a az failover of swifteats is running since 2026-11-29T02:00:00.000Z \(execution arn:aws:states:eu-west-1:123456789012:execution:failover:local\)/);
    expect(world.rdsMutations()).toEqual(['RebootDBInstance']);
    expect(world.sns.published).toHaveLength(1);
  });

  it('an RDS failover event for a failover another execution handles ends quietly', async () => {
    // Prepare: a held lock.
    build();
    world.dynamodb.seed(WORLD.lockTable, { pk: { S: 'failover#swifteats' }, owner: { S: 'arn:aws:states:eu-west-1:123456789012:execution:failover:other' }, mode: { S: 'az' }, state: { S: 'held' }, acquiredAt: { S: '2026-11-29T01:59:00.000Z' }, expiresAt: { N: String(Date.parse('2026-11-29T03:00:00Z') / 1000) }, steps: { M: {} } });
    // Act
    const result = await world.run(rdsEvent('RDS-EVENT-0013', 'Multi-AZ instance failover started.'));
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(['Validate input', 'Take lock', 'Locked out?', 'Already handled']);
    expect(world.mutations()).toEqual(['dynamodb:PutItem']);
  });

  it('cooldown: after a failover, another is refused with FailoverCooldownError until the cooldown ends', async () => {
    // Prepare: a first failover.
    build();
    world.breakWriter();
    expect((await world.run({ mode: 'az', reason: 'writer down' })).status).toBe('SUCCEEDED');
    world.breakWriter();
    world.rds.clearCalls();
    // Act: the new writer fails too, ten minutes later.
    world.clock.advance(10 * 60_000);
    const refused = await world.run({ mode: 'az', reason: 'writer down again' }, 'failover-2');
    world.clock.advance(20 * 60_000);
    const allowed = await world.run({ mode: 'az', reason: 'writer down again' }, 'failover-3');
    // Assess
    expect(refused).toMatchObject({ status: 'FAILED', error: 'FailoverCooldownError' });
    expect(refused.cause).toBe(`swifteats failed over at 2026-11-29T02:00:00.000Z (execution ${EXECUTION}): no other failover before 2026-11-29T02:31:30.000Z (cooldown)`);
    expect(allowed.status).toBe('SUCCEEDED');
    expect(world.rdsMutations()).toEqual(['RebootDBInstance']);
    expect(world.writerLocation()).toBe('eu-west-1a');
  });

  it('action error: RDS refuses the forced failover; the run fails with DatabaseNotAvailableError and releases the lock', async () => {
    // Prepare
    build();
    world.breakWriter();
    world.rds.failNext('RebootDBInstance', rdsFault('InvalidDBInstanceState', 'DB instance swifteats is not in available state (status: storage-optimization).'));
    // Act
    const result = await world.run({ mode: 'az', reason: 'writer down' });
    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'DatabaseNotAvailableError' });
    expect(result.cause).toBe('RebootDBInstance: InvalidDBInstanceStateFault: DB instance swifteats is not in available state (status: storage-optimization).');
    expect(steps(result).slice(-4)).toEqual(['Act', 'Record failure', 'Notify failure', 'Failover failed']);
    expect(world.lockItem()).toBeUndefined();
    expect(world.audits().map((a) => [a.result, (a.details.error as { name: string }).name])).toEqual([['failed', 'DatabaseNotAvailableError']]);
  });

  it('retries a throttled action and fails over once', async () => {
    build();
    world.breakWriter();
    world.rds.throttle(2, { commands: ['RebootDBInstance'] });
    const result = await world.run({ mode: 'az', reason: 'writer down' });
    expect(result.status).toBe('SUCCEEDED');
    expect(world.rds.calls({ command: 'RebootDBInstance' }).map((c) => c.outcome)).toEqual(['Throttling', 'Throttling', 'ok']);
  });

  it('the new writer never becomes available: WaitTimeoutError after the bounded wait, cooldown kept', async () => {
    // Prepare: a failover that takes ten hours.
    build({ durations: { failoverMs: 10 * 3_600_000 } });
    world.breakWriter();
    // Act
    const result = await world.run({ mode: 'az', reason: 'writer down' });
    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'WaitTimeoutError' });
    expect(result.cause).toBe('swifteats not ready (writer-moved) after 180 polls of 5 s: status rebooting, writer eu-west-1a');
    expect(result.invocations.filter((i) => i.state === 'Check new writer')).toHaveLength(180);
    expect(result.path).not.toContain('Switch endpoint');
    expect(world.lockItem()?.state).toBe('cooldown');
    expect(world.published).toEqual([]);
  });

  it('region: the new writer fails after the switch: traffic stays on the promoted replica, never back on the old writer; the page says so', async () => {
    // Prepare: the promoted replica takes the post-check, then stops taking writes once traffic moves to it.
    build();
    world.writer.rows?.push({ writtenAt: '2026-11-29T01:59:30.000000Z', writer: 'monitor' });
    world.breakWriter();
    world.replicaFault = (step) =>
      step === 'write' && world.route53.record('Z0000000000001FAKE', WORLD.recordName, 'CNAME')?.ResourceRecords?.[0]?.Value === world.replicaEndpoint
        ? new SqlQueryError('could not extend file "base/16384/2619": No space left on device', '53100')
        : null;
    // Act
    const result = await world.run({ mode: 'region', reason: 'eu-west-1 outage' });
    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'PostCheckFailedError' });
    expect(result.cause).toBe(
      'verify: the new writer took no heartbeat write in 6 attempts; last: write failed: SqlQueryError: could not extend file "base/16384/2619": No space left on device',
    );
    expect(result.path.slice(-7)).toEqual(['Pause before verification', 'Verify new writer', 'Assess verification', 'Roll back switch', 'Record failure', 'Notify failure', 'Failover failed']);
    expect(result.invocations.filter((i) => i.state === 'Assess verification')).toHaveLength(6);
    // Only the switch wrote: the record and the secret still name the promoted replica.
    expect(world.route53.record('Z0000000000001FAKE', WORLD.recordName, 'CNAME')?.ResourceRecords).toEqual([{ Value: world.replicaEndpoint }]);
    expect(JSON.parse(world.secrets.current('swifteats-connection') ?? '{}').host).toBe(world.replicaEndpoint);
    expect(world.route53.mutatingCalls()).toHaveLength(1);
    expect(world.secrets.versionCount('swifteats-connection')).toBe(2);
    expect(world.audits()[0]?.details.rollback).toMatchObject({ verdict: 'kept-new-writer', plan: null, restored: [], found: { record: world.replicaEndpoint, secretHost: world.replicaEndpoint } });
    const page = world.sns.published[0];
    expect(page?.subject).toBe('[swifteats] region failover FAILED: PostCheckFailedError (new writer kept)');
    expect(page?.message).toContain(
      'State: swifteats-dr was promoted and is the only writer. The old writer swifteats is fenced: it must stay fenced and out of service; never point traffic back at it.',
    );
    expect(page?.message).toContain(`Endpoint now: record ${world.replicaEndpoint}, secret ${world.replicaEndpoint} (the new writer).`);
    expect(world.published).toEqual([]);
    expect(world.lockItem()?.state).toBe('cooldown');
  });

  it('region, old region unreachable: a failure after the switch keeps the new writer and says the old writer is not fenced', async () => {
    // Prepare: the fence could not reach eu-west-1; the Route 53 change never gets in sync.
    build({ dnsPropagationMs: 3_600_000 });
    world.ec2.makeUnreachable(WORLD.primaryRegion);
    world.breakWriter();
    // Act
    const result = await world.run({ mode: 'region', reason: 'eu-west-1 outage' });
    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'WaitTimeoutError' });
    expect(steps(result).slice(-4)).toEqual(['Roll back switch', 'Record failure', 'Notify failure', 'Failover failed']);
    expect(world.route53.record('Z0000000000001FAKE', WORLD.recordName, 'CNAME')?.ResourceRecords).toEqual([{ Value: world.replicaEndpoint }]);
    expect(JSON.parse(world.secrets.current('swifteats-connection') ?? '{}').host).toBe(world.replicaEndpoint);
    expect(world.sns.published[0]?.message).toContain(
      'State: swifteats-dr was promoted and is the only writer. The old writer swifteats is NOT fenced (unreachable): fence or stop it before its region comes back, and keep it out of service; never point traffic back at it.',
    );
  });

  it('az: a failure after the switch marks the rollback step under the lock and restores only what this run wrote (nothing: the RDS endpoint did not move)', async () => {
    // Prepare: the new writer takes the post-check, then fails once the (unchanged) endpoint is "switched".
    build();
    world.breakWriter();
    const functions = world.functions();
    const failover = functions[WORLD.failoverFunctionArn];
    if (!failover) throw new Error('failover function not bound');
    functions[WORLD.failoverFunctionArn] = async (payload) => {
      const out = await failover(payload);
      if ((payload as { action: string }).action === 'switch') world.brokenWriter = world.writerLocation();
      return out;
    };
    // Act
    const result = await world.run({ mode: 'az', reason: 'writer down' }, 'failover', functions);
    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'PostCheckFailedError' });
    expect(steps(result).slice(-4)).toEqual(['Roll back switch', 'Record failure', 'Notify failure', 'Failover failed']);
    expect(world.route53.mutatingCalls()).toEqual([]);
    expect(world.secrets.mutatingCalls()).toEqual([]);
    expect(world.audits()[0]?.details.rollback).toMatchObject({ verdict: 'rolled-back', plan: { record: 'keep', secret: 'keep' }, restored: [] });
    expect(world.lockItem()).toMatchObject({ state: 'cooldown', steps: ['act', 'rollback'] });
    expect(world.sns.published[0]?.subject).toBe('[swifteats] az failover FAILED: PostCheckFailedError (switch rolled back)');
  });

  it('a run that lost the lock after its switch does not roll back, and says so', async () => {
    // Prepare: the secret named another host, so the switch writes it; during the verification the run's
    // lease runs out and another execution takes the lock.
    build();
    await world.deps().secret.write({ host: 'db.swifteats.internal', port: 5432 }, '11111111-2222-3333-4444-555555555555');
    world.breakWriter();
    const functions = world.functions();
    const failover = functions[WORLD.failoverFunctionArn];
    if (!failover) throw new Error('failover function not bound');
    functions[WORLD.failoverFunctionArn] = async (payload) => {
      const out = await failover(payload);
      if ((payload as { action: string }).action === 'switch') {
        world.brokenWriter = world.writerLocation();
        world.dynamodb.seed(WORLD.lockTable, { pk: { S: 'failover#swifteats' }, owner: { S: OTHER }, mode: { S: 'az' }, state: { S: 'held' }, acquiredAt: { S: '2026-11-29T02:01:00.000Z' }, expiresAt: { N: String(Date.parse('2026-11-29T03:01:00Z') / 1000) }, steps: { M: {} } });
      }
      return out;
    };
    // Act
    const result = await world.run({ mode: 'az', reason: 'writer down' }, 'failover', functions);
    // Assess: the secret keeps what the switch wrote; the other execution's lock is untouched.
    expect(result).toMatchObject({ status: 'FAILED', error: 'PostCheckFailedError' });
    expect(result.path).toContain('Roll back switch');
    expect(JSON.parse(world.secrets.current('swifteats-connection') ?? '{}').host).toBe(world.primaryEndpoint);
    expect(world.secrets.versionCount('swifteats-connection')).toBe(3);
    expect(world.audits()[0]?.details.rollback).toMatchObject({ verdict: 'skipped', restored: [] });
    expect(world.lockItem()).toMatchObject({ owner: OTHER, state: 'held', steps: [] });
    expect(world.sns.published[0]?.subject).toBe('[swifteats] az failover FAILED: PostCheckFailedError (lock lost: not rolled back)');
    expect(world.sns.published[0]?.message).toContain(`Rollback: skipped: rollback: the failover lock failover#swifteats is no longer held by ${EXECUTION}: not acting; the endpoint is left as it is`);
  });
});

describe('records under faults', () => {
  it('retries an audit record the archive did not confirm: one record, measured once', async () => {
    build();
    world.breakWriter();
    world.archive.failPutsMatching = /^audit\//;
    world.archive.failPuts = 2;
    const result = await world.run({ mode: 'az', reason: 'writer down' });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.invocations.filter((i) => i.state === 'Record success')).toHaveLength(3);
    expect(world.audits().map((a) => a.result)).toEqual(['succeeded']);
    expect(world.published).toEqual([{ name: 'FailoverDurationSeconds', value: 90, failureMode: 'az' }]);
  });

  it('archive down after a failover that acted: still measured, cooldown entered, on-call paged with the record; the run fails', async () => {
    // Prepare
    build();
    world.breakWriter();
    world.archive.failPutsMatching = /^audit\//;
    world.archive.failPuts = 1_000;
    // Act
    const result = await world.run({ mode: 'az', reason: 'writer down' });
    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'ArchiveWriteError' });
    expect(steps(result).slice(-4)).toEqual(['Record success', 'Close success without record', 'Notify success without record', 'Recording failed']);
    expect(world.audits()).toEqual([]);
    expect(world.published).toEqual([{ name: 'FailoverDurationSeconds', value: 90, failureMode: 'az' }]);
    expect(world.lockItem()).toEqual({ owner: EXECUTION, state: 'cooldown', expiresAt: COOLDOWN_END + 90, steps: ['act'] });
    expect(world.sns.published.map((m) => m.subject)).toEqual(['[swifteats] az failover succeeded: writer back in 1m30s']);
    const message = world.sns.published[0]?.message ?? '';
    expect(message).toMatch(/\nAudit record: NOT ARCHIVED \(ArchiveWriteError: PutObject audit\/swifteats\/.*\); the record follows\.\n\{"formatVersion":1,"action":"failover\.az"/);
  });

  it('archive down after a failed run: the lock still leaves and the failure is still paged', async () => {
    build();
    world.breakWriter();
    world.rds.failNext('RebootDBInstance', rdsFault('InvalidDBInstanceState', 'DB instance swifteats is not in available state (status: storage-optimization).'));
    world.archive.failPutsMatching = /^audit\//;
    world.archive.failPuts = 1_000;
    const result = await world.run({ mode: 'az', reason: 'writer down' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'DatabaseNotAvailableError' });
    expect(steps(result).slice(-4)).toEqual(['Record failure', 'Close failure without record', 'Notify failure', 'Failover failed']);
    expect(world.lockItem()).toBeUndefined();
    expect(world.sns.published.map((m) => m.subject)).toEqual(['[swifteats] az failover FAILED: DatabaseNotAvailableError']);
  });

  it('a lost act response (the step timed out after RDS accepted): cooldown, so a second failover 9 minutes later is refused', async () => {
    // Prepare: the act step's answer never comes back, though RDS took the call.
    build();
    world.breakWriter();
    const functions = world.functions();
    const failover = functions[WORLD.failoverFunctionArn]!;
    functions[WORLD.failoverFunctionArn] = async (payload) => {
      const result = await failover(payload);
      if ((payload as { action: string }).action === 'act') throw Object.assign(new Error('Task timed out after 60.00 seconds'), { name: 'States.Timeout' });
      return result;
    };
    // Act
    const first = await world.run({ mode: 'az', reason: 'writer down' }, 'failover', functions);
    world.clock.advance(9 * 60_000);
    world.breakWriter();
    const second = await world.run({ mode: 'az', reason: 'writer down again' }, 'failover');
    // Assess
    expect(first).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(world.rds.calls({ command: 'RebootDBInstance' }).map((c) => c.outcome)).toEqual(['ok']);
    expect(world.audits()[0]?.details).toMatchObject({ changed: true, act: null, actOutcome: 'unknown', actStartedAt: '2026-11-29T02:00:00.000Z' });
    expect(world.sns.published[0]?.message).toContain('Action: started at 2026-11-29T02:00:00.000Z, its answer was lost');
    expect(second).toMatchObject({ status: 'FAILED', error: 'FailoverCooldownError' });
  });
});

describe('primary region unreachable', () => {
  it('region: an unreachable primary RDS API does not stop the pre-checks; the record is checked against the configured primary, and the run says so', async () => {
    // Prepare: eu-west-1 is dark: its RDS and EC2 APIs time out.
    build();
    world.writer.rows?.push({ writtenAt: '2026-11-29T01:59:30.000000Z', writer: 'monitor' });
    world.rds.makeUnreachable(WORLD.primaryRegion, networkError('connect ETIMEDOUT 52.119.0.1:443'));
    world.ec2.makeUnreachable(WORLD.primaryRegion);
    world.breakWriter();
    // Act
    const result = await world.run({ mode: 'region', reason: 'eu-west-1 outage' });
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(world.rdsMutations()).toEqual(['PromoteReadReplica']);
    expect(world.route53.record('Z0000000000001FAKE', WORLD.recordName, 'CNAME')?.ResourceRecords).toEqual([{ Value: world.replicaEndpoint }]);
    const unreachable = 'swifteats in eu-west-1 could not be described (TimeoutError: connect ETIMEDOUT 52.119.0.1:443): the checks that need the primary were skipped';
    const checks = (world.audits()[0]?.details.checks ?? []) as { name: string; passed: boolean; detail: string }[];
    expect(checks.find((c) => c.name === 'writer record')).toEqual({
      name: 'writer record',
      passed: true,
      detail: `points at ${world.primaryEndpoint}, the endpoint of the configured primary swifteats in eu-west-1 (not described: its region is unreachable)`,
    });
    expect(world.audits()[0]?.details.primaryUnreachable).toBe(unreachable);
    expect(world.sns.published[0]?.message).toContain(`Primary: unreachable: ${unreachable}`);
  });

  it('region: a primary that its region reports as not found still fails the pre-checks (a misconfigured id)', async () => {
    build();
    world.breakWriter();
    world.rds.failNext('DescribeDBInstances', rdsFault('DBInstanceNotFound', 'DBInstance swifteats not found.'));
    const result = await world.run({ mode: 'region', reason: 'eu-west-1 outage' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'DatabaseNotFoundError' });
    expect(steps(result).slice(-4)).toEqual(['Pre-checks', 'Record failure', 'Notify failure', 'Failover failed']);
    expect(world.rdsMutations()).toEqual([]);
  });

  it('az: an unreachable primary RDS API fails the pre-checks: the az failover acts in that region', async () => {
    build();
    world.rds.makeUnreachable(WORLD.primaryRegion, networkError('connect ETIMEDOUT 52.119.0.1:443'));
    world.breakWriter();
    const result = await world.run({ mode: 'az', reason: 'writer down' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'TimeoutError' });
    expect(steps(result).slice(-4)).toEqual(['Pre-checks', 'Record failure', 'Notify failure', 'Failover failed']);
    expect(world.mutations()).toEqual(['dynamodb:PutItem', 'dynamodb:DeleteItem', 'sns:Publish']);
  });
});

describe('dry run', () => {
  it.each([
    ['az (forced, the writer answers)', { mode: 'az', reason: 'rehearsal', dryRun: true, force: true }, 'multi-az-instance'],
    ['az, cluster (writer down)', { mode: 'az', reason: 'rehearsal', dryRun: true }, 'multi-az-cluster'],
    ['region (writer down)', { mode: 'region', reason: 'rehearsal', dryRun: true }, 'multi-az-instance'],
  ] as const)('%s: runs every check and makes no changing call to any service', async (_, input, topology) => {
    // Prepare
    build({ topology });
    if (!('force' in input)) world.breakWriter();
    // Act
    const result = await world.run(input);
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(world.mutations()).toEqual([]);
    expect(world.lockItem()).toBeUndefined();
    expect(result.path).toContain('Pre-checks');
    expect(result.path.slice(-3)).toEqual(['Plan endpoint switch', 'Record dry run', 'Dry run done']);
    expect(world.audits().map((a) => a.result)).toEqual(['dry-run']);
    expect(world.sns.published).toEqual([]);
  });

  it('a dry run refused by a pre-check notifies no one', async () => {
    build();
    world.replicaLagMs = 5 * 60_000;
    world.breakWriter();
    const result = await world.run({ mode: 'region', reason: 'rehearsal', dryRun: true });
    expect(result).toMatchObject({ status: 'FAILED', error: 'ReplicaLagTooHighError' });
    expect(world.audits().map((a) => a.result)).toEqual(['failed']);
    expect(world.mutations()).toEqual([]);
    expect(world.sns.published).toEqual([]);
  });

  it('region dry run lists the rules it would revoke and the endpoint it would switch to', async () => {
    build();
    world.breakWriter();
    await world.run({ mode: 'region', reason: 'rehearsal', dryRun: true });
    const details = world.audits()[0]?.details as { fence: { verdict: string; rules: unknown[] }; act: { action: string; called: boolean }; switch: { plan: unknown; targetHost: string } };
    expect(details.fence).toMatchObject({ verdict: 'planned', rules: [{ source: WORLD.functionsSecurityGroupId }, { source: '10.20.0.0/16' }] });
    expect(details.act).toMatchObject({ action: 'PromoteReadReplica', called: false });
    expect(details.switch).toMatchObject({ plan: { record: true, secret: true }, targetHost: world.replicaEndpoint });
  });
});

describe('triggers and bad input', () => {
  it('the writer alarm entering ALARM starts an AZ failover detected at the alarm time', async () => {
    // Prepare
    build();
    world.breakWriter();
    world.clock.advance(45_000);
    // Act
    const result = await world.run(alarmEvent('swifteats-WriterDown', 'ALARM'));
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(world.audits()[0]?.details.request).toMatchObject({ mode: 'az', trigger: { source: 'alarm', id: 'swifteats-WriterDown' }, detectedAt: '2026-11-29T02:00:00.000Z' });
    expect(world.published).toEqual([{ name: 'FailoverDurationSeconds', value: 135, failureMode: 'az' }]);
  });

  it("an RDS failover event starts observe mode: RDS's own failover is measured, nothing is acted on", async () => {
    // Prepare: RDS fails the instance over by itself; its "started" event arrives.
    build();
    await world.rds.handle('RebootDBInstance', { DBInstanceIdentifier: 'swifteats', ForceFailover: true }, WORLD.primaryRegion);
    world.rds.clearCalls();
    // Act
    const result = await world.run(rdsEvent('RDS-EVENT-0013', 'Multi-AZ instance failover started.'));
    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).not.toContain('Confirm writer down');
    expect(world.rdsMutations()).toEqual([]);
    expect(world.published).toEqual([{ name: 'FailoverDurationSeconds', value: 90, failureMode: 'az' }]);
    expect(world.audits()[0]).toMatchObject({ action: 'failover.observe', result: 'succeeded' });
  });

  it.each([
    ['an unknown mode', { mode: 'zone', reason: 'x' }, '1 problem(s): mode: "zone" is not one of az, region, observe'],
    ['a missing reason', { mode: 'az' }, '1 problem(s): reason: required, a non-empty string'],
    ['a misspelt field', { mode: 'az', reason: 'x', dryrun: true }, '1 problem(s): dryrun: unknown field; a manual start takes mode, reason, dryRun, force, detectedAt'],
    ['another alarm', null, '1 problem(s): detail.alarmName: "swifteats-CpuHigh" is not the writer alarm "swifteats-WriterDown"'],
    ['an alarm back to OK', 'OK', '1 problem(s): detail.state.value: "OK" is not "ALARM"; only the alarm entering ALARM starts a failover'],
    ['a malformed RDS event', 'rds', '2 problem(s): detail.EventID: "RDS-EVENT-0006" is not one of RDS-EVENT-0013, RDS-EVENT-0015, RDS-EVENT-0049; detail.Date: undefined is not an ISO-8601 time with a zone'],
  ])('%s fails with ValidationError before anything is touched', async (_, input, cause) => {
    // Prepare
    build();
    const event =
      input === null ? alarmEvent('swifteats-CpuHigh', 'ALARM') : input === 'OK' ? alarmEvent('swifteats-WriterDown', 'OK') : input === 'rds' ? { ...rdsEvent('RDS-EVENT-0006', 'DB instance restarted.'), detail: { ...rdsEvent('RDS-EVENT-0006', 'x').detail, Date: undefined } } : input;
    // Act
    const result = await world.run(event);
    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'ValidationError', path: ['Validate input', 'Invalid input'] });
    expect(result.cause).toBe(cause);
    expect([world.rds, world.dynamodb, world.route53, world.secrets, world.ec2, world.sns].map((f) => f.callCount())).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

/** The EventBridge event of a CloudWatch alarm state change (EventBridge User Guide, "CloudWatch alarm events"). */
function alarmEvent(alarmName: string, value: string): Record<string, unknown> {
  return {
    version: '0',
    id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '123456789012',
    time: '2026-11-29T02:00:00Z',
    region: 'eu-west-1',
    resources: [`arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${alarmName}`],
    detail: {
      alarmName,
      state: { value, reason: 'Threshold Crossed: 1 datapoint [0.0 (29/11/26 01:59:00)] was less than the threshold (1.0).', timestamp: '2026-11-29T02:00:00.000+0000' },
      previousState: { value: 'OK', reason: '', timestamp: '2026-11-28T10:00:00.000+0000' },
      configuration: { metrics: [] },
    },
  };
}

/** The EventBridge event of an RDS DB instance event (RDS User Guide, "Example of a DB instance event"). */
function rdsEvent(eventId: string, message: string): Record<string, unknown> & { detail: Record<string, unknown> } {
  return {
    version: '0',
    id: '68f6e973-1a0c-d37b-f2f2-94a7f62ffd4e',
    'detail-type': 'RDS DB Instance Event',
    source: 'aws.rds',
    account: '123456789012',
    time: '2026-11-29T02:00:00Z',
    region: 'eu-west-1',
    resources: ['arn:aws:rds:eu-west-1:123456789012:db:swifteats'],
    detail: {
      EventCategories: ['failover'],
      SourceType: 'DB_INSTANCE',
      SourceArn: 'arn:aws:rds:eu-west-1:123456789012:db:swifteats',
      Date: '2026-11-29T02:00:00.000Z',
      Message: message,
      SourceIdentifier: 'rds:swifteats',
      EventID: eventId,
    },
  };
}
