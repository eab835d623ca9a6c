/**
 * A stateful S3 fake: buckets, object versions, conditional writes and Object Lock, for the archive
 * adapter (S3 API reference and User Guide):
 * - PutObject with `IfNoneMatch: '*'` fails with 412 PreconditionFailed when the key has a current
 *   object ("Uploads the object only if the object key name does not already exist in the bucket
 *   specified. Otherwise, Amazon S3 returns a 412 Precondition Failed error", User Guide, "How to
 *   prevent object overwrites with conditional writes"); a key whose current version is a delete
 *   marker counts as absent;
 * - a checksum that does not match the body is 400 BadDigest; in a bucket with Object Lock a put
 *   without Content-MD5 or an `x-amz-checksum-*` is 400 InvalidRequest (Object Lock needs an integrity
 *   check on PutObject);
 * - Object Lock: the bucket's default retention (mode and days) applies unless the put names
 *   ObjectLockMode and ObjectLockRetainUntilDate; a version under COMPLIANCE retention cannot be
 *   deleted by anyone until its retain-until date (403 AccessDenied), GOVERNANCE only with
 *   BypassGovernanceRetention; DeleteObject without a version id only adds a delete marker;
 * - GetObject/HeadObject of a missing key: 404 NoSuchKey (HEAD has no body, so the SDK names it
 *   NotFound); a missing version: 404 NoSuchVersion; a missing bucket: 404 NoSuchBucket;
 * - ListObjectsV2: keys in UTF-8 binary order, Prefix, StartAfter, MaxKeys (default 1000) and an
 *   opaque ContinuationToken.
 * Throttling is 503 SlowDown. Not modelled: multipart uploads, ACLs, encryption, legal holds, storage classes.
 *
 * The one S3 model of the tests: the adapter's tests reach it through aws-sdk-client-mock
 * ({@link AwsFake.install}), the shipped bundles over HTTP through the wire fake (test/support/wire-fake.ts).
 */
import { AccessDenied, NoSuchBucket, NoSuchKey, NotFound, S3Client, S3ServiceException, type _Object } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { S3ArchiveStore } from '../../functions/adapters/s3/archive.ts';
import type { ArchiveStore } from '../../functions/ports/archive-store.ts';
import { AwsFake, commandName, metadata, type FakeClock } from './aws-fake.ts';

/** An S3 error the SDK has no class for (its name is S3's error code). */
export function s3Error(code: string, message: string, status: number): S3ServiceException {
  return new S3ServiceException({ name: code, $fault: status >= 500 ? 'server' : 'client', message, $metadata: metadata(status) });
}

/** Object Lock retention of a version or a bucket default. */
export type LockMode = 'COMPLIANCE' | 'GOVERNANCE';

/** A bucket to create. */
export interface BucketOptions {
  /** Versioning on (Object Lock turns it on). @default false */
  readonly versioned?: boolean;
  /** Object Lock with this default retention. @default none */
  readonly objectLock?: { readonly mode: LockMode; readonly days: number };
}

/** One stored version (or delete marker). */
export interface ObjectVersion {
  readonly versionId: string;
  readonly body: Uint8Array | null;
  readonly contentType: string | undefined;
  readonly metadata: Record<string, string>;
  readonly etag: string;
  readonly lastModified: Date;
  readonly lock: { readonly mode: LockMode; readonly until: Date } | undefined;
  readonly deleteMarker: boolean;
}

interface Bucket {
  readonly versioned: boolean;
  readonly objectLock: BucketOptions['objectLock'];
  /** Versions per key, oldest first. */
  readonly keys: Map<string, ObjectVersion[]>;
}

const DAY_MS = 86_400_000;

function bytes(body: unknown): Uint8Array {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  throw new Error(`S3Fake: a Body of type ${typeof body} is not modelled (strings and bytes are)`);
}

/** A body as the SDK hands it out: a stream with the `transformTo*` helpers. */
function sdkBody(data: Uint8Array): Readable {
  return Object.assign(Readable.from([Buffer.from(data)]), {
    transformToByteArray: async () => new Uint8Array(data),
    transformToString: async (encoding: BufferEncoding = 'utf8') => Buffer.from(data).toString(encoding),
  });
}

/** The S3 fake. */
export class S3Fake extends AwsFake<S3Client> {
  readonly #buckets = new Map<string, Bucket>();
  #versionCounter = 0;

  constructor(clock: FakeClock) {
    super({
      clock,
      source: 'test/support/s3-fake.ts',
      client: S3Client,
      operations: ['PutObject', 'GetObject', 'HeadObject', 'ListObjectsV2', 'DeleteObject'],
      mutating: ['PutObject', 'DeleteObject'],
      throttlingError: () => s3Error('SlowDown', 'Please reduce your request rate.', 503),
    });
  }

  /** Creates a bucket. */
  createBucket(name: string, options: BucketOptions = {}): void {
    this.#buckets.set(name, { versioned: options.versioned === true || options.objectLock !== undefined, objectLock: options.objectLock, keys: new Map() });
  }

  /** Every version of a key (and delete markers), oldest first. */
  versions(bucket: string, key: string): readonly ObjectVersion[] {
    return structuredClone(this.#bucket(bucket).keys.get(key) ?? []);
  }

  /** The body of the current version as text, or undefined when the key has none. */
  text(bucket: string, key: string): string | undefined {
    const current = this.#current(this.#bucket(bucket), key);
    return current?.body ? Buffer.from(current.body).toString('utf8') : undefined;
  }

  /** The JSON documents (current versions) under `prefix` in a bucket, in S3's key order. */
  json(bucket: string, prefix: string): unknown[] {
    const b = this.#bucket(bucket);
    return [...b.keys.keys()]
      .filter((k) => k.startsWith(prefix) && this.#current(b, k) !== undefined)
      .sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
      .map((k) => JSON.parse(this.text(bucket, k) ?? '') as unknown);
  }

  /**
   * The bucket as an {@link ArchiveStore}: the production adapter (S3ArchiveStore) sending its commands
   * straight to this fake, for a test to seed or read what the code under test sees in S3.
   */
  archive(bucket: string, region: string = this.defaultRegion): ArchiveStore {
    const client = { send: (command: { input: object }) => this.handle(commandName(command), command.input, region) };
    return new S3ArchiveStore(client as unknown as S3Client, bucket);
  }

  /** The outputs carry a body stream, which the base's copy of the output cannot hold: it is added here. */
  override async handle(name: string, input: object, region?: string): Promise<object> {
    const output = (await super.handle(name, input, region)) as { Body?: unknown };
    return output.Body instanceof Uint8Array ? { ...output, Body: sdkBody(output.Body) } : output;
  }

  #bucket(name: unknown): Bucket {
    const bucket = typeof name === 'string' ? this.#buckets.get(name) : undefined;
    if (!bucket) throw new NoSuchBucket({ message: 'The specified bucket does not exist', $metadata: metadata(404) });
    return bucket;
  }

  #current(bucket: Bucket, key: string): ObjectVersion | undefined {
    const current = bucket.keys.get(key)?.at(-1);
    return current?.deleteMarker === true ? undefined : current;
  }

  #nextVersion(): string {
    this.#versionCounter += 1;
    return `v${String(this.#versionCounter).padStart(8, '0')}`;
  }

  /** The version a read names (or the current one); 404s as S3 sends them. */
  #read(input: Record<string, unknown>, head: boolean): ObjectVersion {
    const bucket = this.#bucket(input['Bucket']);
    const key = String(input['Key'] ?? '');
    const versionId = input['VersionId'];
    const version = typeof versionId === 'string' ? bucket.keys.get(key)?.find((v) => v.versionId === versionId) : this.#current(bucket, key);
    if (version && !version.deleteMarker) return version;
    if (head) throw new NotFound({ message: 'Not Found', $metadata: metadata(404) });
    if (typeof versionId === 'string') throw s3Error('NoSuchVersion', 'The specified version does not exist.', 404);
    throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: metadata(404) });
  }

  protected dispatch(command: string, input: Record<string, unknown>): object {
    switch (command) {
      case 'PutObject':
        return this.#put(input);
      case 'GetObject': {
        const v = this.#read(input, false);
        return { Body: v.body, ContentType: v.contentType, ContentLength: v.body?.length, Metadata: v.metadata, ETag: v.etag, LastModified: v.lastModified, ...this.#versionFields(input, v) };
      }
      case 'HeadObject': {
        const v = this.#read(input, true);
        return { ContentType: v.contentType, ContentLength: v.body?.length, Metadata: v.metadata, ETag: v.etag, LastModified: v.lastModified, ...this.#versionFields(input, v) };
      }
      case 'ListObjectsV2':
        return this.#list(input);
      case 'DeleteObject':
        return this.#delete(input);
      default:
        throw new Error(`S3Fake does not implement ${command}`);
    }
  }

  #versionFields(input: Record<string, unknown>, v: ObjectVersion): object {
    const bucket = this.#bucket(input['Bucket']);
    return {
      ...(bucket.versioned ? { VersionId: v.versionId } : {}),
      ...(v.lock ? { ObjectLockMode: v.lock.mode, ObjectLockRetainUntilDate: v.lock.until } : {}),
    };
  }

  #put(input: Record<string, unknown>): object {
    const bucket = this.#bucket(input['Bucket']);
    const key = String(input['Key'] ?? '');
    if (key === '') throw s3Error('InvalidRequest', 'A key must be specified', 400);
    const body = bytes(input['Body'] ?? '');
    const declared = input['ChecksumSHA256'];
    const actual = createHash('sha256').update(body).digest('base64');
    if (typeof declared === 'string' && declared !== actual) throw s3Error('BadDigest', 'The SHA256 you specified did not match the calculated checksum.', 400);
    if (bucket.objectLock !== undefined && declared === undefined && input['ContentMD5'] === undefined && input['ChecksumAlgorithm'] === undefined) {
      throw s3Error('InvalidRequest', 'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters', 400);
    }
    if (input['IfNoneMatch'] !== undefined) {
      if (input['IfNoneMatch'] !== '*') throw s3Error('NotImplemented', 'A header you provided implies functionality that is not implemented', 501);
      if (this.#current(bucket, key)) throw s3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
    }
    const lock = this.#retention(bucket, input);
    const version: ObjectVersion = {
      versionId: bucket.versioned ? this.#nextVersion() : 'null',
      body,
      contentType: typeof input['ContentType'] === 'string' ? input['ContentType'] : undefined,
      metadata: { ...((input['Metadata'] ?? {}) as Record<string, string>) },
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      lastModified: this.clock.now(),
      lock,
      deleteMarker: false,
    };
    const versions = bucket.keys.get(key) ?? [];
    bucket.keys.set(key, bucket.versioned ? [...versions, version] : [version]);
    return { ETag: version.etag, ...(typeof declared === 'string' ? { ChecksumSHA256: declared } : {}), ...this.#versionFields(input, version) };
  }

  #retention(bucket: Bucket, input: Record<string, unknown>): ObjectVersion['lock'] {
    const mode = input['ObjectLockMode'];
    const until = input['ObjectLockRetainUntilDate'];
    if ((mode === undefined) !== (until === undefined)) throw s3Error('InvalidArgument', 'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied', 400);
    if (mode !== undefined) {
      if (bucket.objectLock === undefined) throw s3Error('InvalidRequest', 'Bucket is missing Object Lock Configuration', 400);
      if (mode !== 'COMPLIANCE' && mode !== 'GOVERNANCE') throw s3Error('InvalidArgument', `Unknown wormMode directive: ${String(mode)}`, 400);
      const date = new Date(until as Date | string);
      if (!(date.getTime() > this.clock.now().getTime())) throw s3Error('InvalidArgument', 'The retain until date must be in the future!', 400);
      return { mode, until: date };
    }
    const fallback = bucket.objectLock;
    return fallback === undefined ? undefined : { mode: fallback.mode, until: new Date(this.clock.now().getTime() + fallback.days * DAY_MS) };
  }

  #delete(input: Record<string, unknown>): object {
    const bucket = this.#bucket(input['Bucket']);
    const key = String(input['Key'] ?? '');
    const versionId = input['VersionId'];
    const versions = bucket.keys.get(key) ?? [];
    if (typeof versionId !== 'string') {
      if (!bucket.versioned) {
        bucket.keys.delete(key);
        return {};
      }
      const marker: ObjectVersion = { versionId: this.#nextVersion(), body: null, contentType: undefined, metadata: {}, etag: '', lastModified: this.clock.now(), lock: undefined, deleteMarker: true };
      bucket.keys.set(key, [...versions, marker]);
      return { DeleteMarker: true, VersionId: marker.versionId };
    }
    const version = versions.find((v) => v.versionId === versionId);
    if (!version) return { VersionId: versionId };
    const locked = version.lock !== undefined && version.lock.until.getTime() > this.clock.now().getTime();
    if (locked && (version.lock?.mode === 'COMPLIANCE' || input['BypassGovernanceRetention'] !== true)) {
      throw new AccessDenied({ message: 'Access Denied because object protected by object lock.', $metadata: metadata(403) });
    }
    bucket.keys.set(key, versions.filter((v) => v !== version));
    return { VersionId: versionId, ...(version.deleteMarker ? { DeleteMarker: true } : {}) };
  }

  #list(input: Record<string, unknown>): object {
    const bucket = this.#bucket(input['Bucket']);
    const prefix = typeof input['Prefix'] === 'string' ? input['Prefix'] : '';
    const max = typeof input['MaxKeys'] === 'number' ? input['MaxKeys'] : 1000;
    const token = input['ContinuationToken'];
    let after = typeof input['StartAfter'] === 'string' ? input['StartAfter'] : '';
    if (typeof token === 'string') {
      const decoded = Buffer.from(token, 'base64url').toString('utf8');
      if (!decoded.startsWith('after:')) throw s3Error('InvalidArgument', 'The continuation token provided is incorrect', 400);
      after = decoded.slice('after:'.length);
    }
    // S3 lists keys in UTF-8 binary order.
    const keys = [...bucket.keys.keys()].filter((k) => k.startsWith(prefix) && Buffer.compare(Buffer.from(k), Buffer.from(after)) > 0 && this.#current(bucket, k) !== undefined).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const page = keys.slice(0, max);
    const truncated = keys.length > page.length;
    const contents: _Object[] = page.map((k) => {
      const v = this.#current(bucket, k) as ObjectVersion;
      return { Key: k, Size: v.body?.length ?? 0, ETag: v.etag, LastModified: v.lastModified, StorageClass: 'STANDARD' };
    });
    return {
      Name: input['Bucket'],
      Prefix: prefix,
      MaxKeys: max,
      KeyCount: contents.length,
      IsTruncated: truncated,
      ...(contents.length > 0 ? { Contents: contents } : {}),
      ...(typeof token === 'string' ? { ContinuationToken: token } : {}),
      ...(truncated ? { NextContinuationToken: Buffer.from(`after:${page.at(-1) ?? ''}`).toString('base64url') } : {}),
    };
  }
}
