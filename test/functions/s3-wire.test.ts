/**
 * The S3 fake over HTTP (test/support/wire-fake.ts), as the shipped bundles reach it: a real S3Client
 * pointed at the wire fake, whose S3 requests run on the one S3 model (test/support/s3-fake.ts).
 */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, PutObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { S3ArchiveStore } from '../../functions/adapters/s3/archive.ts';
import { sha256 } from '../../functions/domain/audit/records.ts';
import { AlreadyArchivedError, NotArchivedError } from '../../functions/shared/errors.ts';
import { VirtualClock } from '../support/aws-fake.ts';
import { S3Fake } from '../support/s3-fake.ts';
import { WireFake } from '../support/wire-fake.ts';

const BUCKET = 'swifteats-archive';
let clock: VirtualClock;
let s3: S3Fake;
let wire: WireFake;
let client: S3Client;

beforeAll(async () => {
  wire = new WireFake({ s3: (command, input, region) => s3.handle(command, input, region) });
  const endpoint = await wire.start();
  client = new S3Client({ region: 'eu-west-1', endpoint, forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' } });
});

afterAll(async () => {
  client?.destroy();
  await wire?.stop();
});

beforeEach(() => {
  clock = new VirtualClock('2026-11-29T02:00:00.000Z');
  s3 = new S3Fake(clock);
  s3.createBucket(BUCKET, { objectLock: { mode: 'COMPLIANCE', days: 365 } });
  wire.unhandled.length = 0;
  wire.requests.length = 0;
});

describe('the S3 fake over the wire', () => {
  it('serves the archive adapter: create-only puts with a checksum, the bytes back, a version and the bucket default retention', async () => {
    // Prepare
    const store = new S3ArchiveStore(client, BUCKET);
    const body = '{"note":"Zürich → Köln"}\n';
    // Act
    const stored = await store.put('manifests/swifteats/a.json', body, 'application/json');
    const again = await store.put('manifests/swifteats/a.json', 'other', 'application/json').catch((e: unknown) => e);
    const read = await store.get('manifests/swifteats/a.json');
    const missing = await store.get('manifests/swifteats/none.json').catch((e: unknown) => e);
    // Assess
    expect(stored).toEqual({ key: 'manifests/swifteats/a.json', sha256: sha256(body), versionId: s3.versions(BUCKET, 'manifests/swifteats/a.json')[0]?.versionId });
    expect(again).toBeInstanceOf(AlreadyArchivedError);
    expect(read).toBe(body);
    expect(missing).toBeInstanceOf(NotArchivedError);
    expect(s3.versions(BUCKET, 'manifests/swifteats/a.json').map((v) => [v.contentType, v.metadata, v.lock?.mode, v.lock?.until.toISOString()])).toEqual([
      ['application/json', { sha256: sha256(body) }, 'COMPLIANCE', '2027-11-29T02:00:00.000Z'],
    ]);
    expect(s3.json(BUCKET, 'manifests/')).toEqual([{ note: 'Zürich → Köln' }]);
    expect(wire.requests).toEqual(['s3:eu-west-1:PutObject', 's3:eu-west-1:PutObject', 's3:eu-west-1:GetObject', 's3:eu-west-1:GetObject']);
    expect(wire.unhandled).toEqual([]);
  });

  it('answers reads with the headers of the version, and 404s as S3 does', async () => {
    // Prepare
    const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'audit/x.json', Body: '{}', ContentType: 'application/json', ChecksumAlgorithm: 'SHA256', Metadata: { run: 'r1' } }));
    // Act
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'audit/x.json' }));
    const headMissing = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'audit/none.json' })).catch((e: unknown) => e);
    const noVersion = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'audit/x.json', VersionId: 'v99999999' })).catch((e: unknown) => e);
    const noBucket = await client.send(new GetObjectCommand({ Bucket: 'elsewhere', Key: 'audit/x.json' })).catch((e: unknown) => e);
    // Assess
    expect(put.VersionId).toMatch(/^v\d{8}$/);
    expect(head).toMatchObject({ ContentType: 'application/json', ContentLength: 2, Metadata: { run: 'r1' }, VersionId: put.VersionId, ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date('2027-11-29T02:00:00.000Z') });
    expect(headMissing).toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    expect(noVersion).toMatchObject({ name: 'NoSuchVersion', $metadata: { httpStatusCode: 404 } });
    expect(noBucket).toMatchObject({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
  });

  it('keeps Object Lock: a delete only adds a marker, a retained version cannot be deleted', async () => {
    // Prepare
    const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'audit/y.json', Body: '{}', ChecksumAlgorithm: 'SHA256' }));
    // Act
    const marker = await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'audit/y.json' }));
    const locked = await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'audit/y.json', VersionId: put.VersionId })).catch((e: unknown) => e);
    const gone = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'audit/y.json' })).catch((e: unknown) => e);
    // Assess
    expect(marker).toMatchObject({ DeleteMarker: true, VersionId: expect.stringMatching(/^v\d{8}$/) });
    expect(locked).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(gone).toMatchObject({ name: 'NoSuchKey' });
    expect(s3.versions(BUCKET, 'audit/y.json').map((v) => v.deleteMarker)).toEqual([false, true]);
  });

  it('lists keys in pages with a continuation token', async () => {
    // Prepare
    for (const key of ['audit/b', 'audit/a', 'audit/c', 'other/d']) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key, ChecksumAlgorithm: 'SHA256' }));
    // Act
    const first = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'audit/', MaxKeys: 2 }));
    const second = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'audit/', MaxKeys: 2, ContinuationToken: first.NextContinuationToken }));
    // Assess
    expect([first.Contents?.map((o) => o.Key), first.IsTruncated, first.KeyCount]).toEqual([['audit/a', 'audit/b'], true, 2]);
    expect([second.Contents?.map((o) => [o.Key, o.Size]), second.IsTruncated]).toEqual([[['audit/c', 7]], false]);
  });

  it('answers a request the S3 fake does not model with 501, and records it', async () => {
    // Act
    const thrown = await client.send(new PutObjectTaggingCommand({ Bucket: BUCKET, Key: 'audit/x.json', Tagging: { TagSet: [] } })).catch((e: unknown) => e);
    // Assess
    expect(thrown).toMatchObject({ $metadata: { httpStatusCode: 501 } });
    expect(wire.unhandled).toEqual([{ service: 's3', region: 'eu-west-1', what: 'PUT /swifteats-archive/audit/x.json?tagging=' }]);
  });
});
