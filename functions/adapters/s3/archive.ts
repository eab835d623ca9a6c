import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { sha256 } from '../../domain/audit.ts';
import type { ArchiveStore, StoredDocument } from '../../ports/archive-store.ts';
import { AlreadyArchivedError, NotArchivedError, ThrottledError } from '../../shared/errors.ts';

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
