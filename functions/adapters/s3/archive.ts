import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { sha256 } from '../../domain/audit/records.ts';
import type { ArchiveStore, StoredDocument } from '../../ports/archive-store.ts';
import { AlreadyArchivedError, ArchiveWriteError, NotArchivedError, ThrottledError } from '../../shared/errors.ts';
import { translate } from '../sdk-errors.ts';

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
      // A failure of S3 (or of the way to it), not of the request, may or may not have stored the
      // document: ArchiveWriteError, which S3 asks callers to retry
      // (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
      throw translate(error, {
        service: 's3',
        action: `PutObject s3://${this.#bucket}/${key}`,
        unreachable: ArchiveWriteError,
        message: (typed, e) =>
          typed === AlreadyArchivedError ? `s3://${this.#bucket}/${key} already exists` : typed === ThrottledError ? `PutObject ${key}: ${e.name}` : undefined,
      });
    }
  }

  async get(key: string): Promise<string> {
    try {
      const out = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      return (await out.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      throw translate(error, {
        service: 's3',
        action: `GetObject s3://${this.#bucket}/${key}`,
        message: (typed) => (typed === NotArchivedError ? `s3://${this.#bucket}/${key} does not exist` : undefined),
      });
    }
  }
}
