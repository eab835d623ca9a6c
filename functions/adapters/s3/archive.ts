import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { sha256 } from '../../domain/audit/records.ts';
import type { ArchiveStore, StoredDocument } from '../../ports/archive-store.ts';
import { AlreadyArchivedError, ArchiveWriteError, NotArchivedError, ThrottledError } from '../../shared/errors.ts';

/** Error names of a request that never reached S3 or whose answer was lost (SDK and Node network errors). */
const NETWORK = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'NetworkingError', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

/**
 * True when S3 (or the way to it) failed, not the request: a 5xx answer (`$fault: 'server'`,
 * e.g. InternalError, ServiceUnavailable) or a network error. S3 asks for a retry of these
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 */
function transient(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  return e.$fault === 'server' || (e.$metadata?.httpStatusCode ?? 0) >= 500 || NETWORK.has(e.name ?? '') || NETWORK.has(e.code ?? '');
}

/**
 * The archive bucket. `If-None-Match: *` makes every put create-only (S3 conditional
 * writes: a second put of the same key fails with 412 PreconditionFailed), and the
 * SHA-256 checksum makes S3 verify the bytes it stored (and satisfies Object Lock's
 * requirement for an integrity checksum on PutObject).
 */
export class S3ArchiveStore implements ArchiveStore {
  readonly #s3: S3Client;
  readonly #bucket: string;

  constructor(s3: S3Client, bucket: string) {
    this.#s3 = s3;
    this.#bucket = bucket;
  }

  async put(key: string, body: string, contentType: string): Promise<StoredDocument> {
    const digest = sha256(body);
    try {
      const out = await this.#s3.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          IfNoneMatch: '*',
          ChecksumSHA256: Buffer.from(digest, 'hex').toString('base64'),
          Metadata: { sha256: digest },
        }),
      );
      return { key, sha256: digest, versionId: out.VersionId ?? null };
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'PreconditionFailed') throw new AlreadyArchivedError(`s3://${this.#bucket}/${key} already exists`, { cause: error });
      if (name === 'SlowDown' || name === 'ThrottlingException') throw new ThrottledError(`PutObject ${key}: ${name}`, { cause: error });
      if (transient(error)) throw new ArchiveWriteError(`PutObject s3://${this.#bucket}/${key}: ${name}: ${(error as Error).message}`, { cause: error });
      throw error;
    }
  }

  async get(key: string): Promise<string> {
    try {
      const out = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      return (await out.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') throw new NotArchivedError(`s3://${this.#bucket}/${key} does not exist`, { cause: error });
      throw error;
    }
  }
}
