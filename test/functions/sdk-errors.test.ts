/**
 * The one SDK-error table (functions/adapters/sdk-errors.ts): its names are the SDK's own, and
 * translate() gives each adapter the typed error, the message and the cause it promises.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DBSnapshotNotFoundFault } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { SERVICE_ERRORS, UNREACHABLE, meaningOf, regionUnreachable, send, translate, type AwsService } from '../../functions/adapters/sdk-errors.ts';
import {
  AlreadyArchivedError,
  ArchiveWriteError,
  ConfigurationError,
  DatabaseNotFoundError,
  FenceFailedError,
  FenceUnreachableError,
  isUnreachable,
  SnapshotNotFoundError,
  ThrottledError,
} from '../../functions/shared/errors.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const PACKAGES: Record<AwsService, string> = {
  rds: 'client-rds',
  dynamodb: 'client-dynamodb',
  ec2: 'client-ec2',
  s3: 'client-s3',
  route53: 'client-route-53',
  secretsmanager: 'client-secrets-manager',
  sns: 'client-sns',
  cloudwatch: 'client-cloudwatch',
};

/**
 * Names in the table that the installed SDK does not model: the wire code is then the error's
 * `name`. Every one is a code the service documents (see the comments in sdk-errors.ts).
 */
const WIRE_CODES: Record<AwsService, readonly string[]> = {
  rds: ['AccessDenied', 'AccessDeniedException', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException'],
  dynamodb: [],
  // client-ec2 models no exception at all.
  ec2: ['RequestLimitExceeded', 'Throttling', 'Unavailable', 'InternalError', 'ServiceUnavailable', 'InsufficientInstanceCapacity'],
  s3: ['PreconditionFailed', 'SlowDown', 'ThrottlingException', 'ConditionalRequestConflict', 'RequestTimeout'],
  route53: ['Throttling'],
  secretsmanager: ['ThrottlingException'],
  sns: [],
  cloudwatch: ['Throttling', 'ThrottlingException', 'LimitExceeded'],
};

/** The `name`s of the exception classes the installed client models. */
function modeledNames(service: AwsService): Set<string> {
  const file = `${ROOT}node_modules/@aws-sdk/${PACKAGES[service]}/dist-types/models/errors.d.ts`;
  if (!existsSync(file)) return new Set();
  return new Set([...readFileSync(file, 'utf8').matchAll(/readonly name: "([A-Za-z0-9.]+)"/g)].map((m) => m[1] ?? ''));
}

/** An error as the SDK throws it for an answer (`$metadata.httpStatusCode`) or without one. */
const sdkError = (name: string, extra: Record<string, unknown> = {}): Error => Object.assign(new Error('x'), { name, ...extra });

describe('the SDK-error table', () => {
  it.each(Object.keys(SERVICE_ERRORS) as AwsService[])('%s: every name is modeled by the installed SDK or a documented wire code', (service) => {
    // Prepare
    const table = SERVICE_ERRORS[service];
    const modeled = modeledNames(service);
    // Act
    const unknown = Object.keys(table.names).filter((name) => !modeled.has(name) && !modeled.has(`${name}${table.modeledSuffix ?? ''}`) && !WIRE_CODES[service].includes(name));
    const staleWireCodes = WIRE_CODES[service].filter((name) => modeled.has(name) || !(name in table.names));
    // Assess
    expect(unknown).toEqual([]);
    expect(staleWireCodes).toEqual([]);
  });

  it('reads a modeled RDS fault by its wire code (the `Fault` suffix dropped), and an unmodeled one as it comes', () => {
    expect(meaningOf('rds', sdkError('DBSnapshotNotFoundFault'))).toBe(SnapshotNotFoundError);
    expect(meaningOf('rds', sdkError('DBSnapshotNotFound'))).toBe(SnapshotNotFoundError);
    expect(meaningOf('rds', sdkError('Throttling'))).toBe(ThrottledError);
    expect(meaningOf('rds', sdkError('toString'))).toBeUndefined();
    expect(meaningOf('ec2', sdkError('InternalError'))).toBe(UNREACHABLE);
  });
});

describe('translate', () => {
  it('names the action, the SDK name and message, and keeps the SDK error as cause', () => {
    // Prepare
    const fault = new DBSnapshotNotFoundFault({ message: 'DBSnapshot s1 not found.', $metadata: { httpStatusCode: 404 } });
    // Act
    const typed = translate(fault, { service: 'rds', action: 'DescribeDBSnapshots' });
    // Assess
    expect(typed).toEqual(new SnapshotNotFoundError('DescribeDBSnapshots: DBSnapshotNotFoundFault: DBSnapshot s1 not found.'));
    expect((typed as Error).cause).toBe(fault);
  });

  it('passes an error its table does not name, and anything that is no Error, unchanged when the adapter says nothing more', () => {
    const refused = sdkError('InvalidParameterValue', { $metadata: { httpStatusCode: 400 } });
    const outage = sdkError('InternalFailure', { $metadata: { httpStatusCode: 500 }, $fault: 'server' });
    expect(translate(refused, { service: 'rds', action: 'CreateDBSnapshot' })).toBe(refused);
    expect(translate(outage, { service: 'rds', action: 'CreateDBSnapshot' })).toBe(outage);
    expect(translate('boom', { service: 'rds', action: 'CreateDBSnapshot', otherwise: FenceFailedError })).toBe('boom');
  });

  it('the table first, then an unreachable service, then every other refusal', () => {
    const context = { service: 'ec2', action: 'DescribeSecurityGroupRules sg-1', unreachable: FenceUnreachableError, otherwise: FenceFailedError } as const;
    expect(translate(sdkError('RequestLimitExceeded', { message: 'Request limit exceeded.', $metadata: { httpStatusCode: 503 } }), context)).toEqual(
      new ThrottledError('DescribeSecurityGroupRules sg-1: RequestLimitExceeded: Request limit exceeded.'),
    );
    expect(translate(sdkError('Unavailable', { $metadata: { httpStatusCode: 400 } }), context)).toBeInstanceOf(FenceUnreachableError);
    expect(translate(sdkError('TimeoutError', { code: 'ETIMEDOUT' }), context)).toBeInstanceOf(FenceUnreachableError);
    expect(translate(sdkError('Whatever', { $metadata: { httpStatusCode: 502 } }), context)).toBeInstanceOf(FenceUnreachableError);
    expect(translate(sdkError('InvalidGroup.NotFound', { $metadata: { httpStatusCode: 400 } }), context)).toBeInstanceOf(FenceFailedError);
    // Without an unreachable meaning of its own, an outage is one more refusal.
    expect(translate(sdkError('Whatever', { $metadata: { httpStatusCode: 502 } }), { service: 'route53', action: 'GetChange', otherwise: ConfigurationError })).toBeInstanceOf(ConfigurationError);
  });

  it("uses the adapter's own message where it has one", () => {
    const context = {
      service: 's3',
      action: 'PutObject s3://b/k',
      unreachable: ArchiveWriteError,
      message: (typed: unknown) => (typed === AlreadyArchivedError ? 's3://b/k already exists' : undefined),
    } as const;
    expect(translate(sdkError('PreconditionFailed', { $metadata: { httpStatusCode: 412 } }), context)).toEqual(new AlreadyArchivedError('s3://b/k already exists'));
    expect(translate(sdkError('RequestTimeout', { message: 'socket', $metadata: { httpStatusCode: 400 } }), context)).toEqual(new ArchiveWriteError('PutObject s3://b/k: RequestTimeout: socket'));
  });

  it('send: the value when the call succeeds, the typed error when it fails', async () => {
    await expect(send({ service: 'rds', action: 'DescribeDBInstances' }, async () => 7)).resolves.toBe(7);
    await expect(
      send({ service: 'rds', action: 'DescribeDBInstances' }, async () => {
        throw sdkError('DBInstanceNotFound', { message: 'gone' });
      }),
    ).rejects.toEqual(new DatabaseNotFoundError('DescribeDBInstances: DBInstanceNotFound: gone'));
  });
});

describe('an RDS error the domain must read as "the region did not answer" (the failover pre-checks, region mode)', () => {
  it('passes unchanged and marked: no answer, a 5xx; unmarked: an answer that refuses, a bug', () => {
    const rds = (error: unknown): unknown => translate(error, { service: 'rds', action: 'DescribeDBInstances' });
    const cases: [unknown, boolean][] = [
      [sdkError('TimeoutError', { code: 'ETIMEDOUT' }), true],
      [sdkError('Error', { code: 'ECONNREFUSED' }), true],
      [sdkError('InternalFailure', { $metadata: { httpStatusCode: 500 }, $fault: 'server' }), true],
      [sdkError('ServiceUnavailable', { $metadata: { httpStatusCode: 503 } }), true],
      [sdkError('AccessDenied', { $metadata: { httpStatusCode: 403 }, $fault: 'client' }), false],
      [sdkError('InvalidParameterValue', { $metadata: { httpStatusCode: 400 }, $fault: 'client' }), false],
      [new TypeError("Cannot read properties of undefined (reading 'DBInstances')"), false],
      ['boom', false],
    ];
    for (const [error, unreachable] of cases) {
      const out = rds(error);
      // AccessDenied means AccessDeniedError; every other one passes as it came (name and message kept for the run record).
      if (!(error instanceof Error) || error.name !== 'AccessDenied') expect(out).toBe(error);
      expect([error instanceof Error ? error.name : error, isUnreachable(out)]).toEqual([error instanceof Error ? error.name : error, unreachable]);
    }
  });
});

describe('regionUnreachable', () => {
  it('counts no answer and a 5xx; not an answer that refuses, nor a bug', () => {
    expect(regionUnreachable(sdkError('TimeoutError', { code: 'ETIMEDOUT' }))).toBe(true);
    expect(regionUnreachable(sdkError('Error', { code: 'ECONNREFUSED' }))).toBe(true);
    expect(regionUnreachable(sdkError('InternalFailure', { $metadata: { httpStatusCode: 500 }, $fault: 'server' }))).toBe(true);
    expect(regionUnreachable(sdkError('ServiceUnavailable', { $metadata: { httpStatusCode: 503 } }))).toBe(true);
    expect(regionUnreachable(sdkError('AccessDenied', { $metadata: { httpStatusCode: 403 }, $fault: 'client' }))).toBe(false);
    expect(regionUnreachable(sdkError('RequestTimeout', { $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(regionUnreachable(new TypeError("Cannot read properties of undefined (reading 'DBInstances')"))).toBe(false);
    expect(regionUnreachable('boom')).toBe(false);
  });
});
