/**
 * S3ArchiveStore over the stateful S3 fake: what the adapter stores (checksum, metadata, retention
 * from the bucket's Object Lock default) and how each S3 answer becomes the archive port's error.
 * The error-translation table with hand-made SDK errors is s3-archive.test.ts.
 */
import { DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { S3ArchiveStore } from '../../functions/adapters/s3/archive.ts';
import { AlreadyArchivedError, ArchiveWriteError, NotArchivedError, ThrottledError } from '../../functions/shared/errors.ts';
import { networkError, VirtualClock } from '../support/aws-fake.ts';
import { s3Error, S3Fake } from '../support/s3-fake.ts';

const BUCKET = 'swifteats-archive';
const KEY = 'audit/swifteats/2026-11-29.json';
const T0 = '2026-11-29T02:00:00.000Z';
const DAY_MS = 86_400_000;
/** sha256('{"a":1}\n'), computed with `node -e` once. */
const DIGEST = 'e346432021b04179518d9614f3560ccd71354a4ee101ddcb893d6959a9d6301c';
let clock: VirtualClock;
let s3: S3Fake;
let stub: AwsClientStub<S3Client>;
let store: S3ArchiveStore;
const client = new S3Client({ region: 'eu-west-1', maxAttempts: 1 });

beforeEach(() => {
  clock = new VirtualClock(T0);
  s3 = new S3Fake(clock);
  s3.createBucket(BUCKET, { objectLock: { mode: 'COMPLIANCE', days: 400 } });
  stub = s3.install();
  store = new S3ArchiveStore(client, BUCKET);
});

afterEach(() => {
  stub.restore();
});

describe('S3ArchiveStore over the S3 fake', () => {
  it('stores the exact bytes with their SHA-256, locked in COMPLIANCE mode until the bucket default retention ends', async () => {
    // Act
    const stored = await store.put(KEY, '{"a":1}\n', 'application/json');
    // Assess
    expect(stored).toEqual({ key: KEY, sha256: DIGEST, versionId: 'v00000001' });
    const versions = s3.versions(BUCKET, KEY);
    expect(versions.map((v) => [v.contentType, v.metadata, v.lock])).toEqual([['application/json', { sha256: DIGEST }, { mode: 'COMPLIANCE', until: new Date(Date.parse(T0) + 400 * DAY_MS) }]]);
    expect(s3.text(BUCKET, KEY)).toBe('{"a":1}\n');
    expect(s3.calls('PutObject')[0]?.input).toMatchObject({ IfNoneMatch: '*', ChecksumSHA256: Buffer.from(DIGEST, 'hex').toString('base64') });
  });

  it('reads back what it stored', async () => {
    // Prepare
    await store.put(KEY, '{"a":1}\n', 'application/json');
    // Act
    const body = await store.get(KEY);
    // Assess
    expect(body).toBe('{"a":1}\n');
  });

  it('never overwrites: a second put of the key is AlreadyArchivedError (412 kept as the cause) and the first bytes stay', async () => {
    // Prepare
    await store.put(KEY, '{"a":1}\n', 'application/json');
    // Act
    const thrown = await store.put(KEY, '{"a":2}\n', 'application/json').catch((e: unknown) => e);
    // Assess
    expect(thrown).toBeInstanceOf(AlreadyArchivedError);
    expect((thrown as Error).message).toBe(`s3://${BUCKET}/${KEY} already exists`);
    expect((thrown as Error).cause).toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    expect(s3.text(BUCKET, KEY)).toBe('{"a":1}\n');
    expect(s3.versions(BUCKET, KEY)).toHaveLength(1);
    expect(s3.calls('PutObject').map((c) => c.outcome)).toEqual(['ok', 'PreconditionFailed']);
  });

  it('reads a missing key as NotArchivedError, keeping NoSuchKey as the cause', async () => {
    // Act
    const thrown = await store.get('audit/none.json').catch((e: unknown) => e);
    // Assess
    expect(thrown).toBeInstanceOf(NotArchivedError);
    expect((thrown as Error).message).toBe(`s3://${BUCKET}/audit/none.json does not exist`);
    expect((thrown as Error).cause).toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
  });

  it('reads through a throttled GetObject as ThrottledError (S3 asks for a retry of 503 Slow Down), then reads the document', async () => {
    // Prepare
    await store.put(KEY, '{"a":1}\n', 'application/json');
    s3.throttle(1, { commands: ['GetObject'] });
    // Act
    const thrown = await store.get(KEY).catch((e: unknown) => e);
    // Assess
    expect(thrown).toBeInstanceOf(ThrottledError);
    expect((thrown as Error).cause).toMatchObject({ name: 'SlowDown' });
    await expect(store.get(KEY)).resolves.toBe('{"a":1}\n');
  });

  it('retries a conditional write that raced another (409 ConditionalRequestConflict) as ThrottledError; the retry stores the bytes', async () => {
    // Prepare
    s3.failNext('PutObject', s3Error('ConditionalRequestConflict', 'A conflicting conditional operation is currently in progress against this resource.', 409));
    // Act
    const thrown = await store.put(KEY, '{"a":1}\n', 'application/json').catch((e: unknown) => e);
    // Assess
    expect(thrown).toBeInstanceOf(ThrottledError);
    expect(s3.versions(BUCKET, KEY)).toEqual([]);
    await expect(store.put(KEY, '{"a":1}\n', 'application/json')).resolves.toMatchObject({ sha256: DIGEST });
  });

  it('turns throttling into ThrottledError and a 500 or a lost connection into ArchiveWriteError, storing nothing', async () => {
    // Prepare
    s3.throttle(1, { commands: ['PutObject'] });
    s3.failNext('PutObject', s3Error('InternalError', 'We encountered an internal error. Please try again.', 500));
    s3.failNext('PutObject', networkError());
    // Act
    const outcomes = [];
    for (let i = 0; i < 3; i += 1) outcomes.push(await store.put(KEY, '{"a":1}\n', 'application/json').catch((e: unknown) => e));
    // Assess
    expect(outcomes.map((e) => (e as Error).name)).toEqual(['ThrottledError', 'ArchiveWriteError', 'ArchiveWriteError']);
    expect(outcomes[0]).toBeInstanceOf(ThrottledError);
    expect(outcomes[1]).toBeInstanceOf(ArchiveWriteError);
    expect((outcomes[1] as Error).message).toBe(`PutObject s3://${BUCKET}/${KEY}: InternalError: We encountered an internal error. Please try again.`);
    expect(s3.versions(BUCKET, KEY)).toEqual([]);
    // Assess: the write goes through once S3 answers again.
    await expect(store.put(KEY, '{"a":1}\n', 'application/json')).resolves.toMatchObject({ sha256: DIGEST });
  });
});

describe('the S3 fake', () => {
  it('refuses to delete a COMPLIANCE-locked version until its retain-until date, even for the account', async () => {
    // Prepare
    const { versionId } = await store.put(KEY, '{"a":1}\n', 'application/json');
    // Act
    const early = await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY, VersionId: versionId ?? '' })).catch((e: unknown) => e);
    clock.advance(400 * DAY_MS);
    const due = await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY, VersionId: versionId ?? '' }));
    // Assess
    expect(early).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(due.VersionId).toBe(versionId);
    expect(s3.versions(BUCKET, KEY)).toEqual([]);
  });

  it('hides a key behind a delete marker without touching its locked version; the key can then be written again', async () => {
    // Prepare
    await store.put(KEY, '{"a":1}\n', 'application/json');
    // Act
    const marker = await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY }));
    const read = await store.get(KEY).catch((e: unknown) => e);
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: KEY })).catch((e: unknown) => e);
    const again = await store.put(KEY, '{"a":2}\n', 'application/json');
    // Assess
    expect(marker).toMatchObject({ DeleteMarker: true, VersionId: 'v00000002' });
    expect(read).toBeInstanceOf(NotArchivedError);
    expect(head).toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    expect(again.versionId).toBe('v00000003');
    expect(s3.versions(BUCKET, KEY).map((v) => [v.versionId, v.deleteMarker])).toEqual([
      ['v00000001', false],
      ['v00000002', true],
      ['v00000003', false],
    ]);
  });

  it('asks for an integrity checksum on a put into an Object Lock bucket, and checks the one given', async () => {
    // Act
    const bare = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'x', Body: 'x' })).catch((e: unknown) => e);
    const wrong = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'x', Body: 'x', ChecksumSHA256: Buffer.alloc(32).toString('base64') })).catch((e: unknown) => e);
    // Assess
    expect(bare).toMatchObject({ name: 'InvalidRequest', $metadata: { httpStatusCode: 400 } });
    expect(wrong).toMatchObject({ name: 'BadDigest', $metadata: { httpStatusCode: 400 } });
    expect(s3.versions(BUCKET, 'x')).toEqual([]);
  });

  it('lists keys under a prefix in pages of MaxKeys with a continuation token', async () => {
    // Prepare
    for (const day of ['03', '01', '02', '04', '05']) await store.put(`audit/swifteats/2026-11-${day}.json`, day, 'application/json');
    await store.put('reports/swifteats/x.json', 'x', 'application/json');
    // Act
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'audit/', MaxKeys: 2, ContinuationToken: token }));
      pages.push((page.Contents ?? []).map((o) => o.Key ?? ''));
      token = page.NextContinuationToken;
    } while (token !== undefined);
    // Assess
    expect(pages).toEqual([
      ['audit/swifteats/2026-11-01.json', 'audit/swifteats/2026-11-02.json'],
      ['audit/swifteats/2026-11-03.json', 'audit/swifteats/2026-11-04.json'],
      ['audit/swifteats/2026-11-05.json'],
    ]);
  });

  it('answers a missing bucket with NoSuchBucket', async () => {
    // Act
    const thrown = await new S3ArchiveStore(client, 'nope').get(KEY).catch((e: unknown) => e);
    // Assess
    expect(thrown).toMatchObject({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
  });
});
