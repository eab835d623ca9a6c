/**
 * SecretsManagerCredentials over the stateful Secrets Manager fake: the current version's
 * username and password, read again on every call (RDS rotates its managed secret), and each
 * failure named.
 */
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretsManagerCredentials } from '../../functions/adapters/secrets/secrets-manager.ts';
import { ConfigurationError, ThrottledError } from '../../functions/shared/errors.ts';
import { VirtualClock } from '../support/aws-fake.ts';
import { SecretsFake } from '../support/secrets-fake.ts';

const client = new SecretsManagerClient({ region: 'eu-west-1', maxAttempts: 1 });
let secrets: SecretsFake;
let stub: AwsClientStub<SecretsManagerClient>;

beforeEach(() => {
  secrets = new SecretsFake(new VirtualClock('2026-11-29T02:00:00.000Z'));
  stub = secrets.install();
});

afterEach(() => {
  stub.restore();
});

describe('SecretsManagerCredentials', () => {
  it('returns the username and password of the current version, by ARN', async () => {
    // Prepare
    const arn = secrets.addSecret('rds!db-0123', JSON.stringify({ username: 'postgres', password: 'first-pass' }));
    // Act
    const credentials = await new SecretsManagerCredentials(client, arn).get();
    // Assess
    expect(credentials).toEqual({ username: 'postgres', password: 'first-pass' });
    expect(secrets.calls('GetSecretValue').map((c) => c.input)).toEqual([{ SecretId: arn }]);
  });

  it('caches nothing: after a rotation the next call returns the new password', async () => {
    // Prepare
    const arn = secrets.addSecret('swifteats-verify', JSON.stringify({ username: 'dr_verify', password: 'before' }));
    const provider = new SecretsManagerCredentials(client, arn);
    const first = await provider.get();
    await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ username: 'dr_verify', password: 'after' }) }));
    // Act
    const second = await provider.get();
    // Assess
    expect([first.password, second.password]).toEqual(['before', 'after']);
    expect(secrets.callCount('GetSecretValue')).toBe(2);
  });

  it('lets a missing secret through as Secrets Manager names it (ResourceNotFoundException)', async () => {
    // Act
    const thrown = await new SecretsManagerCredentials(client, 'swifteats-none').get().catch((e: unknown) => e);
    // Assess
    expect(thrown).toMatchObject({ name: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
  });

  it('turns ThrottlingException into ThrottledError, keeping the cause', async () => {
    // Prepare
    const arn = secrets.addSecret('swifteats-verify', JSON.stringify({ username: 'u', password: 'p' }));
    secrets.throttle(1);
    // Act
    const thrown = await new SecretsManagerCredentials(client, arn).get().catch((e: unknown) => e);
    // Assess
    expect(thrown).toBeInstanceOf(ThrottledError);
    expect(thrown).toMatchObject({ name: 'ThrottledError', message: 'GetSecretValue: ThrottlingException', cause: { name: 'ThrottlingException' } });
  });

  it('retries a Secrets Manager 500 (InternalServiceError) as ThrottledError, as every adapter of the service reads it', async () => {
    // Prepare
    const arn = secrets.addSecret('swifteats-probe', JSON.stringify({ username: 'u', password: 'p' }));
    secrets.failNext('GetSecretValue', Object.assign(new Error('An error occurred on the server side.'), { name: 'InternalServiceError', $fault: 'server', $metadata: { httpStatusCode: 500 } }));
    // Act
    const thrown = await new SecretsManagerCredentials(client, arn).get().catch((e: unknown) => e);
    // Assess
    expect(thrown).toBeInstanceOf(ThrottledError);
    expect(thrown).toMatchObject({ message: 'GetSecretValue: InternalServiceError', cause: { name: 'InternalServiceError' } });
    // The next call reads the secret.
    await expect(new SecretsManagerCredentials(client, arn).get()).resolves.toEqual({ username: 'u', password: 'p' });
  });

  it.each([
    ['no password', { username: 'u' }],
    ['a numeric password', { username: 'u', password: 97531 }],
    ['a JSON string', 'hunter2-secret'],
  ])('refuses a secret with %s as ConfigurationError that does not repeat the content', async (_, content) => {
    // Prepare
    const arn = secrets.addSecret('swifteats-bad', JSON.stringify(content));
    // Act
    const thrown = await new SecretsManagerCredentials(client, arn).get().catch((e: unknown) => e);
    // Assess
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as Error).message).toBe(`secret ${arn} does not hold JSON with string fields username and password`);
    expect((thrown as Error).message).not.toContain('hunter2');
    expect((thrown as Error).message).not.toContain('97531');
  });

  it('refuses a secret that is not JSON without quoting it (JSON.parse would) and without a cause that does', async () => {
    // Prepare
    const arn = secrets.addSecret('swifteats-plain', 'hunter2-not-json');
    // Act
    const thrown = await new SecretsManagerCredentials(client, arn).get().catch((e: unknown) => e);
    // Assess
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as Error).message).toBe(`secret ${arn} does not hold JSON with string fields username and password`);
    expect(JSON.stringify(thrown, Object.getOwnPropertyNames(thrown))).not.toContain('hunter2');
    expect((thrown as Error).cause).toBeUndefined();
  });
});
