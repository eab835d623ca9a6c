/**
 * The base every AWS fake shares (test/support/aws-fake.ts), exercised through fakes other than RDS
 * (whose own tests cover it there): the region of each call, throttle bursts with the service's own
 * throttling error, the token bucket, injected faults built from the call, unreachable regions, and
 * the one installer.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ListTopicsCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from 'vitest';
import { networkError, VirtualClock } from '../support/aws-fake.ts';
import { DynamoDbFake } from '../support/dynamodb-fake.ts';
import { SnsFake } from '../support/sns-fake.ts';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:alerts';
const stubs: { restore(): void }[] = [];
afterEach(() => {
  for (const stub of stubs.splice(0)) stub.restore();
});

function sns(clock = new VirtualClock('2026-11-29T02:00:00.000Z')): SnsFake {
  const fake = new SnsFake(clock);
  fake.addTopic(TOPIC);
  stubs.push(fake.install());
  return fake;
}

const publish = (region = 'eu-west-1'): Promise<unknown> => new SNSClient({ region, maxAttempts: 1 }).send(new PublishCommand({ TopicArn: TOPIC, Message: 'm' })).catch((e: unknown) => e);

describe('the common fake base', () => {
  it('records the region of each client, the virtual time and the outcome', async () => {
    // Prepare
    const clock = new VirtualClock('2026-11-29T02:00:00.000Z');
    const fake = sns(clock);
    // Act
    await publish('eu-west-1');
    clock.advance(1_000);
    await publish('eu-central-1');
    // Assess
    expect(fake.calls('Publish').map((c) => [c.region, c.at.toISOString(), c.outcome, c.mutating])).toEqual([
      ['eu-west-1', '2026-11-29T02:00:00.000Z', 'ok', true],
      ['eu-central-1', '2026-11-29T02:00:01.000Z', 'ok', true],
    ]);
    expect(fake.callCount('Publish', 'eu-central-1')).toBe(1);
  });

  it("throttles a burst with the service's own throttling error, in one region only, without touching state", async () => {
    // Prepare
    const fake = sns();
    fake.throttle(2, { region: 'eu-west-1' });
    // Act
    const outcomes = [await publish('eu-west-1'), await publish('eu-central-1'), await publish('eu-west-1'), await publish('eu-west-1')];
    // Assess
    expect(outcomes.map((o) => (o instanceof Error ? o.name : 'ok'))).toEqual(['ThrottledException', 'ok', 'ThrottledException', 'ok']);
    expect(fake.published).toHaveLength(2);
    expect(fake.thrownErrors()).toEqual([
      { command: 'Publish', error: 'ThrottledException', injected: true },
      { command: 'Publish', error: 'ThrottledException', injected: true },
    ]);
  });

  it('meters calls with a token bucket that refills with virtual time', async () => {
    // Prepare
    const clock = new VirtualClock('2026-11-29T02:00:00.000Z');
    const fake = sns(clock);
    fake.rateLimit({ burst: 2, refillPerSecond: 1 });
    // Act
    const burst = [await publish(), await publish(), await publish()];
    clock.advance(1_000);
    const refilled = await publish();
    // Assess
    expect(burst.map((o) => (o instanceof Error ? o.name : 'ok'))).toEqual(['ok', 'ok', 'ThrottledException']);
    expect(refilled).not.toBeInstanceOf(Error);
  });

  it('builds an injected fault from the call, before state is touched, and records it', async () => {
    // Prepare
    const ddb = new DynamoDbFake(new VirtualClock());
    ddb.createTable('locks', 'pk');
    stubs.push(ddb.install());
    ddb.failNext('GetItem', (input, region) => networkError(`connect ETIMEDOUT ${String(input['TableName'])}.${region}`));
    // Act
    const thrown = await new DynamoDBClient({ region: 'eu-central-1', maxAttempts: 1 }).send(new GetItemCommand({ TableName: 'locks', Key: { pk: { S: 'x' } } })).catch((e: unknown) => e);
    // Assess
    expect(thrown).toMatchObject({ name: 'TimeoutError', message: 'connect ETIMEDOUT locks.eu-central-1' });
    expect(ddb.calls('GetItem').map((c) => c.outcome)).toEqual(['TimeoutError']);
    expect(ddb.thrownErrors()).toEqual([]);
  });

  it('makes one region unreachable, recorded, without touching state or using up a fault, until it is reachable again', async () => {
    // Prepare
    const fake = sns();
    fake.makeUnreachable('eu-west-1');
    fake.failNext('Publish', new Error('injected'));
    // Act
    const dark = await publish('eu-west-1');
    const other = await publish('eu-central-1').then((o) => (o instanceof Error ? o.message : 'ok'));
    fake.makeReachable('eu-west-1');
    const back = [await publish('eu-west-1'), await publish('eu-west-1')];
    // Assess
    expect(dark).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT', message: 'connect ETIMEDOUT 52.94.0.1:443' });
    expect(other).toBe('injected');
    expect(back.map((o) => (o instanceof Error ? o.name : 'ok'))).toEqual(['ok', 'ok']);
    expect(fake.calls('Publish').map((c) => [c.region, c.outcome])).toEqual([
      ['eu-west-1', 'TimeoutError'],
      ['eu-central-1', 'Error'],
      ['eu-west-1', 'ok'],
      ['eu-west-1', 'ok'],
    ]);
    expect(fake.published).toHaveLength(2);
    expect(fake.thrownErrors()).toEqual([]);
  });

  it('refuses, unrecorded, a command the fake does not implement, naming it and the file to add it to', async () => {
    // Prepare
    const fake = sns();
    // Act
    const thrown = await new SNSClient({ region: 'eu-west-1' }).send(new ListTopicsCommand({})).catch((e: unknown) => e);
    // Assess
    expect((thrown as Error).message).toBe('SnsFake does not implement ListTopicsCommand; add it to test/support/sns-fake.ts');
    expect(fake.calls()).toEqual([]);
  });
});
