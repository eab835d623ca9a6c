import { AccessDenied, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { S3ArchiveStore } from '../../functions/adapters/s3/archive.ts';
import { AlreadyArchivedError, ArchiveWriteError, ThrottledError } from '../../functions/shared/errors.ts';

const s3 = mockClient(S3Client);
const store = new S3ArchiveStore(new S3Client({ region: 'eu-west-1' }), 'swifteats-archive');

afterEach(() => {
  s3.reset();
});

/** An S3 error as the SDK deserializes one it has no class for (5xx answers, SlowDown, 412). */
function s3Error(name: string, status: number, fault: 'client' | 'server'): S3ServiceException {
  return new S3ServiceException({ name, $fault: fault, $metadata: { httpStatusCode: status }, message: `${name} from S3` });
}

describe('S3ArchiveStore.put: error translation', () => {
  it('stores create-only with the SHA-256 checksum and returns the version', async () => {
    s3.on(PutObjectCommand).resolves({ VersionId: 'v7' });
    const stored = await store.put('audit/x.json', '{}\n', 'application/json');
    expect(stored).toEqual({ key: 'audit/x.json', sha256: 'ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356', versionId: 'v7' });
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({ Bucket: 'swifteats-archive', Key: 'audit/x.json', IfNoneMatch: '*' });
  });

  it.each([
    ['a 500 InternalError', s3Error('InternalError', 500, 'server')],
    ['a 503 ServiceUnavailable', s3Error('ServiceUnavailable', 503, 'server')],
    ['a lost connection', Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' })],
    ['a request timeout', Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' })],
  ])('turns %s into ArchiveWriteError (retried by name), keeping the cause', async (_, error) => {
    s3.on(PutObjectCommand).rejects(error);
    const thrown = await store.put('audit/x.json', '{}\n', 'application/json').catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ArchiveWriteError);
    expect(thrown).toMatchObject({ name: 'ArchiveWriteError', cause: error });
    expect((thrown as Error).message).toMatch(/^PutObject s3:\/\/swifteats-archive\/audit\/x\.json: /);
  });

  it('keeps SlowDown a ThrottledError and 412 PreconditionFailed an AlreadyArchivedError', async () => {
    s3.on(PutObjectCommand).rejectsOnce(s3Error('SlowDown', 503, 'server')).rejectsOnce(s3Error('PreconditionFailed', 412, 'client'));
    await expect(store.put('a', 'b', 'text/plain')).rejects.toBeInstanceOf(ThrottledError);
    await expect(store.put('a', 'b', 'text/plain')).rejects.toBeInstanceOf(AlreadyArchivedError);
  });

  it('lets a refusal that a retry cannot fix through as S3 named it (AccessDenied)', async () => {
    const denied = new AccessDenied({ $metadata: { httpStatusCode: 403 }, message: 'Access Denied' });
    s3.on(PutObjectCommand).rejects(denied);
    await expect(store.put('a', 'b', 'text/plain')).rejects.toBe(denied);
  });
});
