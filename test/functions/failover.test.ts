import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchReplicationHistory } from '../../functions/adapters/cloudwatch/replication-history.ts';
import { DynamoDbFailoverLock } from '../../functions/adapters/dynamodb/failover-lock.ts';
import { SecurityGroupFence } from '../../functions/adapters/ec2/security-group-fence.ts';
import { controlPlaneFor } from '../../functions/adapters/rds/control-plane.ts';
import { Route53WriterRecord } from '../../functions/adapters/route53/writer-record.ts';
import { SecretsManagerConnectionSecret } from '../../functions/adapters/secrets/connection-secret.ts';
import { SnsNotifier } from '../../functions/adapters/sns/notifier.ts';
import { heldRecord } from '../../functions/domain/failover/lock.ts';
import {
  ConfigurationError,
  EndpointSwitchError,
  FailoverLockLostError,
  FenceFailedError,
  FenceUnreachableError,
  NotificationError,
  ThrottledError,
  ValidationError,
} from '../../functions/shared/errors.ts';
import { networkError } from '../support/aws-fake.ts';
import { throttlingException } from '../support/dynamodb-fake.ts';
import { ec2Error } from '../support/ec2-fake.ts';
import { failoverEnv, FailoverWorld, loadHandlers, SECRET_ARN, WORLD, ZONE_ID, type HandlerModules } from '../support/failover-world.ts';
import { priorRequestNotComplete } from '../support/route53-fake.ts';

let modules: HandlerModules;
let world: FailoverWorld;
const EXEC = 'arn:aws:states:eu-west-1:123456789012:execution:failover:a';
const OTHER = 'arn:aws:states:eu-west-1:123456789012:execution:failover:b';

beforeAll(async () => {
  modules = await loadHandlers();
});

afterEach(() => {
  world?.restore();
});

function build(topology: 'multi-az-instance' | 'multi-az-cluster' = 'multi-az-instance'): FailoverWorld {
  world = new FailoverWorld(modules, { topology });
  return world;
}

/** Runs a handler action and returns what it threw (or fails the test when it did not throw). */
async function thrown(event: unknown): Promise<Error> {
  try {
    await modules.failover.core(event, world.deps(), world.config());
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the action to throw');
}

describe('failover λ configuration', () => {
  it('reads every setting from the environment', () => {
    const config = modules.failover.failoverConfigFromEnv({ ...failoverEnv(ZONE_ID, SECRET_ARN) });
    expect(config).toEqual({
      settings: { database: 'swifteats', topology: 'multi-az-instance', replicaId: 'swifteats-dr', leaseSeconds: 3600, cooldownSeconds: 1800, maxLagSeconds: 60, recordTtlSeconds: 10 },
      region: 'eu-west-1',
      databaseRegion: 'eu-west-1',
      drRegion: 'eu-central-1',
      lockTable: 'swifteats-failover-lock',
      hostedZoneId: ZONE_ID,
      recordName: 'writer.swifteats.dr.internal',
      connectionSecretArn: SECRET_ARN,
      fenceSecurityGroupId: WORLD.securityGroupId,
      topicArn: WORLD.topicArn,
      archiveBucket: 'swifteats-dr-archive',
    });
  });

  it('names every missing variable, then every bad one', () => {
    expect(() => modules.failover.failoverConfigFromEnv({ AWS_REGION: 'eu-west-1' })).toThrow(
      new ConfigurationError(
        'missing environment variable(s): DATABASE_ID, TOPOLOGY, DATABASE_REGION, DR_REGION, REPLICA_ID, LOCK_TABLE, HOSTED_ZONE_ID, RECORD_NAME, RECORD_TTL_SECONDS, CONNECTION_SECRET_ARN, FENCE_SECURITY_GROUP_ID, TOPIC_ARN, ARCHIVE_BUCKET, MAX_LAG_SECONDS, COOLDOWN_SECONDS, LOCK_LEASE_SECONDS',
      ),
    );
    const env = { ...failoverEnv(ZONE_ID, SECRET_ARN), TOPOLOGY: 'aurora', RECORD_TTL_SECONDS: '300', LOCK_LEASE_SECONDS: '60', DR_REGION: 'none', FENCE_SECURITY_GROUP_ID: 'none', TOPIC_ARN: 'alerts' };
    expect(() => modules.failover.failoverConfigFromEnv(env)).toThrow(
      new ConfigurationError(
        'invalid environment: TOPOLOGY: "aurora" is not multi-az-instance or multi-az-cluster; LOCK_LEASE_SECONDS: "60" is not an integer from 2700 to 86400; RECORD_TTL_SECONDS: "300" is not an integer from 5 to 30; REPLICA_ID: a cross-region replica needs DR_REGION; FENCE_SECURITY_GROUP_ID: required with a cross-region replica (region mode fences the old writer); TOPIC_ARN: "alerts" is not an SNS topic ARN',
      ),
    );
  });
});

describe('failover λ events', () => {
  it('refuses an unknown action or a missing execution ARN before doing anything', async () => {
    build();
    expect(await thrown({ action: 'reboot' })).toEqual(new ValidationError(['action: "reboot" is not one of validate, lock, precheck, fence, act, check, assess, switch, switch-status, rollback, record, notify', 'executionArn: required, a string matching /^arn:aws[a-z-]*:states:[a-z0-9-]+:\\d{12}:execution:.+$/']));
    expect(world.mutations()).toEqual([]);
  });

  it('names the missing fields of a step', async () => {
    build();
    const error = await thrown({ action: 'act', executionArn: EXEC, request: { mode: 'az' } });
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([
      'event.request.trigger: required, an object',
      'event.request.reason: required, a non-empty string',
      'event.request.detectedAt: required, an ISO-8601 time with a zone',
      'event.request.startedAt: required, an ISO-8601 time with a zone',
      'event.precheck: required, an object',
    ]);
    expect(world.rds.calls()).toEqual([]);
  });

  it('a region step of an az request is refused', async () => {
    build();
    const request = { mode: 'az', reason: 'r', dryRun: false, force: false, detectedAt: '2026-11-29T02:00:00Z', startedAt: '2026-11-29T02:00:00Z', trigger: { source: 'manual', id: null } };
    expect(await thrown({ action: 'fence', executionArn: EXEC, request })).toEqual(new ValidationError(['event.request.mode: "az" is not region; only a region failover fences']));
  });
});

describe('idempotency of the changing steps', () => {
  const request = { mode: 'az', reason: 'r', dryRun: false, force: false, detectedAt: '2026-11-29T02:00:00.000Z', startedAt: '2026-11-29T02:00:00.000Z', trigger: { source: 'manual', id: null } };

  async function lockAndPrecheck(): Promise<unknown> {
    const deps = world.deps();
    const cfg = world.config();
    await modules.failover.core({ action: 'lock', executionArn: EXEC, request }, deps, cfg);
    const confirm = { healthy: false, phase: 'connect', error: { name: 'SqlConnectionError', message: 'timeout' }, heartbeatAt: null, latencyMs: null, replica: null };
    return modules.failover.core({ action: 'precheck', executionArn: EXEC, request, confirm }, deps, cfg);
  }

  it('act retried after RDS accepted the failover does not fail over twice', async () => {
    // Prepare
    build();
    const precheck = await lockAndPrecheck();
    const event = { action: 'act', executionArn: EXEC, request, precheck };
    // Act: the first invocation's answer was lost (Lambda.ServiceException); Step Functions retries it.
    const first = await modules.failover.core(event, world.deps(), world.config());
    const retry = await modules.failover.core(event, world.deps(), world.config());
    // Assess
    expect(first).toMatchObject({ action: 'RebootDBInstance(ForceFailover)', called: true, alreadyDone: false });
    expect(retry).toMatchObject({ called: false, alreadyDone: true });
    expect(world.rds.calls({ command: 'RebootDBInstance' }).map((c) => c.outcome)).toEqual(['ok', 'InvalidDBInstanceStateFault']);
    expect(world.lockItem()?.steps).toEqual(['act']);
  });

  it('never acts once the lock is lost (its lease ran out and another execution took it)', async () => {
    // Prepare
    build();
    const precheck = await lockAndPrecheck();
    world.clock.advance(3601_000);
    await world.deps().lock.acquire(heldRecord('swifteats', OTHER, 'az', world.clock.now(), 3600), world.clock.now());
    // Act
    const error = await thrown({ action: 'act', executionArn: EXEC, request, precheck });
    // Assess
    expect(error).toBeInstanceOf(FailoverLockLostError);
    expect(error.message).toBe(`act: the failover lock failover#swifteats is no longer held by ${EXEC}: not acting`);
    expect(world.rds.callCount('RebootDBInstance')).toBe(0);
  });

  it('rollback after FailoverLockLostError reads nothing, writes nothing and says why', async () => {
    // Prepare: the switch found the lock taken by another execution.
    build();
    const precheck = await lockAndPrecheck();
    world.clock.advance(3601_000);
    await world.deps().lock.acquire(heldRecord('swifteats', OTHER, 'az', world.clock.now(), 3600), world.clock.now());
    // Act
    const result = await modules.failover.core({ action: 'rollback', executionArn: EXEC, request, precheck, failure: 'FailoverLockLostError' }, world.deps(), world.config());
    // Assess
    expect(result).toMatchObject({
      verdict: 'skipped',
      plan: null,
      restored: [],
      found: null,
      detail: 'the run lost its failover lock (another execution may be acting): not rolling back; the endpoint is left as it is',
    });
    expect(world.mutations()).toEqual(['dynamodb:PutItem', 'dynamodb:PutItem']);
    expect(world.lockItem()).toMatchObject({ owner: OTHER, steps: [] });
  });

  it('record retried publishes the metrics and writes the audit record once', async () => {
    // Prepare
    build();
    const run = { request, lock: { Payload: { acquired: true } }, postCheckAssess: { Payload: { passed: true, attempt: 1, detail: 'ok', at: '2026-11-29T02:01:30.000Z' } }, verifyAssess: { Payload: { passed: true, attempt: 1, detail: 'ok', at: '2026-11-29T02:01:31.000Z' } } };
    const event = { action: 'record', executionArn: EXEC, outcome: 'succeeded', run };
    // Act
    const first = (await modules.failover.core(event, world.deps(), world.config())) as { audit: unknown };
    const retry = (await modules.failover.core(event, world.deps(), world.config())) as { audit: unknown };
    // Assess
    expect(first.audit).not.toBeNull();
    expect(retry.audit).toBeNull();
    expect(world.audits()).toHaveLength(1);
    expect(world.published).toEqual([{ name: 'FailoverDurationSeconds', value: 90, failureMode: 'az' }]);
  });
});

describe('DynamoDB lock adapter', () => {
  it('of two executions racing for the lock, exactly one wins; the loser learns who holds it', async () => {
    // Prepare
    build();
    const lock = new DynamoDbFailoverLock(new DynamoDBClient({ region: 'eu-west-1' }), WORLD.lockTable);
    const now = world.clock.now();
    // Act
    const [a, b] = await Promise.all([lock.acquire(heldRecord('swifteats', EXEC, 'az', now, 3600), now), lock.acquire(heldRecord('swifteats', OTHER, 'region', now, 3600), now)]);
    // Assess
    expect(a).toEqual({ acquired: true });
    expect(b).toEqual({ acquired: false, holder: { key: 'failover#swifteats', owner: EXEC, mode: 'az', state: 'held', acquiredAt: '2026-11-29T02:00:00.000Z', expiresAt: Date.parse('2026-11-29T03:00:00Z') / 1000, steps: {} } });
    expect(world.dynamodb.calls('PutItem').map((c) => c.outcome)).toEqual(['ok', 'ConditionalCheckFailedException']);
  });

  it('re-acquires for the same owner (a retried step), takes over an expired lease, releases and cools down only its own', async () => {
    build();
    const lock = new DynamoDbFailoverLock(new DynamoDBClient({ region: 'eu-west-1' }), WORLD.lockTable);
    const now = world.clock.now();
    await lock.acquire(heldRecord('swifteats', EXEC, 'az', now, 3600), now);
    expect(await lock.acquire(heldRecord('swifteats', EXEC, 'az', now, 3600), now)).toEqual({ acquired: true });
    expect(await lock.markStep('failover#swifteats', EXEC, 'act', now)).toBeNull();
    expect(await lock.markStep('failover#swifteats', EXEC, 'act', new Date(now.getTime() + 5000))).toBe('2026-11-29T02:00:00.000Z');
    await expect(lock.markStep('failover#swifteats', OTHER, 'act', now)).rejects.toThrow(FailoverLockLostError);
    expect(await lock.release('failover#swifteats', OTHER)).toBe(false);
    expect(await lock.cooldown('failover#swifteats', OTHER, 1)).toBe(false);
    const later = new Date(now.getTime() + 3600_000);
    // The expired record is still there (TTL deletes within days) and does not block.
    expect(world.lockItem()?.owner).toBe(EXEC);
    expect(await lock.acquire(heldRecord('swifteats', OTHER, 'az', later, 3600), later)).toEqual({ acquired: true });
    const until = Date.parse('2026-11-29T03:30:00Z') / 1000;
    expect(await lock.cooldown('failover#swifteats', OTHER, until)).toBe(true);
    expect(world.lockItem()).toEqual({ owner: OTHER, state: 'cooldown', expiresAt: until, steps: [] });
    expect(await lock.release('failover#swifteats', OTHER)).toBe(false);
  });

  it('translates throttling to ThrottledError and a missing table to ConfigurationError', async () => {
    build();
    const lock = new DynamoDbFailoverLock(new DynamoDBClient({ region: 'eu-west-1' }), WORLD.lockTable);
    world.dynamodb.failNext('GetItem', throttlingException());
    await expect(lock.read('failover#swifteats')).rejects.toThrow(ThrottledError);
    const missing = new DynamoDbFailoverLock(new DynamoDBClient({ region: 'eu-west-1' }), 'nope');
    await expect(missing.read('failover#swifteats')).rejects.toThrow(new ConfigurationError('GetItem: the lock table nope does not exist'));
  });
});

describe('Route 53 writer record adapter', () => {
  it('reads the record, upserts it, and follows the change until INSYNC', async () => {
    // Prepare
    build();
    const dns = new Route53WriterRecord(new Route53Client({ region: 'eu-west-1' }), `/hostedzone/${ZONE_ID}`, 'Writer.Swifteats.DR.internal');
    // Act
    const before = await dns.read();
    const changeId = await dns.upsert(world.replicaEndpoint, 10, 'x'.repeat(300));
    const pending = await dns.changeStatus(changeId);
    world.clock.advance(60_000);
    const insync = await dns.changeStatus(changeId);
    // Assess
    expect(before).toEqual({ name: 'writer.swifteats.dr.internal.', value: world.primaryEndpoint, ttlSeconds: 10 });
    expect(changeId).toBe('C000000000001FAKE');
    expect([pending, insync]).toEqual(['PENDING', 'INSYNC']);
    expect(await dns.read()).toEqual({ name: 'writer.swifteats.dr.internal.', value: world.replicaEndpoint, ttlSeconds: 10 });
    expect((world.route53.calls('ChangeResourceRecordSets')[0]?.input as { ChangeBatch: { Comment: string } }).ChangeBatch.Comment).toHaveLength(256);
  });

  it('a missing record reads as null, even when the listing returns the next one', async () => {
    build();
    world.route53.addRecord(ZONE_ID, 'zz.swifteats.dr.internal', 'A', 60, ['10.0.0.1']);
    expect(await new Route53WriterRecord(new Route53Client({}), ZONE_ID, 'reader.swifteats.dr.internal').read()).toBeNull();
  });

  it('PriorRequestNotComplete is retryable; a missing zone is an EndpointSwitchError', async () => {
    build();
    world.route53.failNext('ChangeResourceRecordSets', priorRequestNotComplete());
    await expect(new Route53WriterRecord(new Route53Client({}), ZONE_ID, WORLD.recordName).upsert('h', 10, 'c')).rejects.toThrow(ThrottledError);
    await expect(new Route53WriterRecord(new Route53Client({}), 'Z999', WORLD.recordName).read()).rejects.toThrow(
      new EndpointSwitchError('ListResourceRecordSets writer.swifteats.dr.internal. in Z999: NoSuchHostedZone: No hosted zone found with ID: Z999'),
    );
  });
});

describe('connection secret adapter', () => {
  it('writes host and port, keeps the other fields, and a retried write with its token adds no version', async () => {
    build();
    const secret = new SecretsManagerConnectionSecret(new SecretsManagerClient({}), SECRET_ARN);
    await secret.write({ host: 'new.example', port: 6432 }, '0123456789abcdef0123456789abcdef');
    await secret.write({ host: 'new.example', port: 6432 }, '0123456789abcdef0123456789abcdef');
    expect(JSON.parse(world.secrets.current(SECRET_ARN) ?? '')).toEqual({ engine: 'postgres', host: 'new.example', port: 6432, dbname: 'swifteats' });
    expect(world.secrets.versionCount(SECRET_ARN)).toBe(2);
    expect(await secret.read()).toEqual({ host: 'new.example', port: 6432 });
  });

  it('refuses a secret that is not a JSON object, and an RDS-managed secret', async () => {
    build();
    world.secrets.addSecret('plain', 'not json');
    await expect(new SecretsManagerConnectionSecret(new SecretsManagerClient({}), 'plain').read()).rejects.toThrow(new EndpointSwitchError('the connection secret plain does not hold a JSON object'));
    world.secrets.addSecret('rds!db-1234', JSON.stringify({ username: 'u', password: 'p' }));
    await expect(new SecretsManagerConnectionSecret(new SecretsManagerClient({}), 'rds!db-1234').write({ host: 'h', port: 1 }, '0123456789abcdef0123456789abcdef')).rejects.toThrow(EndpointSwitchError);
  });
});

describe('security group fence adapter', () => {
  it('lists the inbound rules of its group only, revokes them, and a repeated revoke is harmless', async () => {
    // Prepare
    build();
    world.ec2.addSecurityGroup('sg-other', [{ protocol: 'tcp', fromPort: 22, toPort: 22, source: '10.0.0.0/8' }]);
    const fence = new SecurityGroupFence(new EC2Client({}), WORLD.securityGroupId);
    // Act
    const rules = await fence.ingress();
    const revoked = await fence.revoke(rules.map((r) => r.ruleId));
    const again = await fence.revoke(rules.map((r) => r.ruleId));
    // Assess
    expect(rules).toEqual([
      { ruleId: 'sgr-00000000000000001', protocol: 'tcp', fromPort: 5432, toPort: 5432, source: WORLD.functionsSecurityGroupId, description: 'DR functions (probe, manifest, verify)' },
      { ruleId: 'sgr-00000000000000002', protocol: 'tcp', fromPort: 5432, toPort: 5432, source: '10.20.0.0/16', description: 'applications' },
    ]);
    expect(revoked).toEqual(rules);
    expect(again).toEqual([]);
    expect(world.ec2.ingress(WORLD.securityGroupId)).toEqual([]);
    expect(world.ec2.ingress('sg-other')).toHaveLength(1);
    expect(world.ec2.callCount('RevokeSecurityGroupIngress')).toBe(1);
  });

  it('tells an unreachable region from one that refuses, and throttling from both', async () => {
    build();
    const fence = new SecurityGroupFence(new EC2Client({}), WORLD.securityGroupId);
    world.ec2.failNext('DescribeSecurityGroupRules', networkError());
    await expect(fence.ingress()).rejects.toThrow(FenceUnreachableError);
    // Any lost connection, whatever its code, is a region that did not answer (a region failover then proceeds unfenced).
    for (const code of ['ECONNABORTED', 'ENETDOWN', 'EPROTO']) {
      world.ec2.failNext('DescribeSecurityGroupRules', Object.assign(new Error(`connect ${code} 52.95.0.1:443`), { code }));
      await expect(fence.ingress()).rejects.toThrow(FenceUnreachableError);
    }
    world.ec2.failNext('DescribeSecurityGroupRules', ec2Error('Unavailable', 'The server is overloaded and cannot handle the request.', 503));
    await expect(fence.ingress()).rejects.toThrow(FenceUnreachableError);
    world.ec2.failNext('DescribeSecurityGroupRules', ec2Error('RequestLimitExceeded', 'Request limit exceeded.'));
    await expect(fence.ingress()).rejects.toThrow(ThrottledError);
    await expect(new SecurityGroupFence(new EC2Client({}), 'sg-gone').revoke(['sgr-1'])).resolves.toEqual([]);
    world.ec2.failNext('RevokeSecurityGroupIngress', ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    await expect(fence.revoke(['sgr-00000000000000001'])).rejects.toThrow(
      new FenceFailedError(`RevokeSecurityGroupIngress ${WORLD.securityGroupId}: UnauthorizedOperation: You are not authorized to perform this operation.`),
    );
  });
});

describe('CloudWatch replication history adapter', () => {
  it('returns the lag of the newest minute in which every probe of the writer succeeded', async () => {
    // Prepare: healthy with 3 s of lag at 01:57, 4 s at 01:58; at 01:59 one probe failed; then nothing.
    build();
    const dims = { service: 'rds-dr', Database: 'swifteats' };
    const at = (hhmmss: string): Date => new Date(`2026-11-29T${hhmmss}Z`);
    for (const [time, healthy, lag] of [['01:57:10', 1, 3], ['01:58:10', 1, 4], ['01:58:40', 1, 2], ['01:59:10', 1, 2], ['01:59:40', 0, 35]] as const) {
      world.cloudwatch.put('RdsDr', 'WriterHealthy', dims, at(time), healthy);
      world.cloudwatch.put('RdsDr', 'ReplicaHeartbeatAgeSeconds', dims, at(time), lag);
    }
    world.cloudwatch.put('RdsDr', 'WriterHealthy', { service: 'rds-dr', Database: 'orders' }, at('01:59:50'), 1);
    const history = new CloudWatchReplicationHistory(new CloudWatchClient({}), 'swifteats');
    // Act
    const sample = await history.lastHealthyLag(at('01:45:00'), at('02:05:00'));
    // Assess: the 01:58 minute, its worst lag.
    expect(sample).toEqual({ at: at('01:58:00'), lagSeconds: 4 });
    expect(await history.lastHealthyLag(at('02:00:00'), at('02:05:00'))).toBeNull();
  });
});

describe('SNS notifier adapter', () => {
  it('publishes with a printable subject; a missing topic is a NotificationError', async () => {
    build();
    const id = await new SnsNotifier(new SNSClient({}), WORLD.topicArn).notify({ subject: 'failover\ndone', message: 'body' });
    expect(world.sns.published).toEqual([{ topicArn: WORLD.topicArn, subject: 'failover done', message: 'body', messageId: id, at: world.clock.now() }]);
    await expect(new SnsNotifier(new SNSClient({}), `${WORLD.topicArn}-gone`).notify({ subject: 's', message: 'm' })).rejects.toThrow(NotificationError);
  });
});

describe('RDS control plane: failover methods, both topologies', () => {
  it('instance: the writer is the primary AZ; ForceFailover swaps it; the replica promotes', async () => {
    build();
    const primary = controlPlaneFor('multi-az-instance', new RDSClient({ region: WORLD.primaryRegion }), WORLD.primaryRegion);
    const dr = controlPlaneFor('multi-az-instance', new RDSClient({ region: WORLD.drRegion }), WORLD.drRegion);
    expect(await primary.describeWriter('swifteats')).toEqual({
      identifier: 'swifteats',
      arn: 'arn:aws:rds:eu-west-1:123456789012:db:swifteats',
      status: 'available',
      writer: 'eu-west-1a',
      standbys: 1,
      replicaSource: null,
      endpoint: { address: world.primaryEndpoint, port: 5432 },
    });
    await primary.forceFailover('swifteats');
    world.clock.advance(90_000);
    expect((await primary.describeWriter('swifteats')).writer).toBe('eu-west-1b');
    expect((await dr.describeWriter('swifteats-dr')).replicaSource).toBe('arn:aws:rds:eu-west-1:123456789012:db:swifteats');
    await dr.promoteReadReplica('swifteats-dr');
    world.clock.advance(300_000);
    expect(await dr.describeWriter('swifteats-dr')).toMatchObject({ status: 'available', replicaSource: null, standbys: 0 });
  });

  it('cluster: the writer is the writer member; FailoverDBCluster moves it; there is no replica to promote', async () => {
    build('multi-az-cluster');
    const plane = controlPlaneFor('multi-az-cluster', new RDSClient({ region: WORLD.primaryRegion }), WORLD.primaryRegion);
    expect(await plane.describeWriter('swifteats')).toMatchObject({ status: 'available', writer: 'swifteats-instance-1', standbys: 2, replicaSource: null, endpoint: { address: world.primaryEndpoint, port: 5432 } });
    await plane.forceFailover('swifteats');
    expect((await plane.describeWriter('swifteats')).status).toBe('failing-over');
    world.clock.advance(30_000);
    expect((await plane.describeWriter('swifteats')).writer).toBe('swifteats-instance-2');
    await expect(plane.promoteReadReplica('swifteats')).rejects.toThrow(new ConfigurationError('promoting swifteats: Multi-AZ DB clusters have no cross-region read replica to promote'));
  });
});
