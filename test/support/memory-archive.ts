import { sha256 } from '../../functions/domain/audit/records.ts';
import { AlreadyArchivedError, ArchiveWriteError, NotArchivedError } from '../../functions/shared/errors.ts';
import type { ArchiveStore, StoredDocument } from '../../functions/ports/archive-store.ts';

/** In-memory {@link ArchiveStore} with the same create-only semantics as the S3 adapter. */
export class MemoryArchive implements ArchiveStore {
  readonly documents = new Map<string, { body: string; contentType: string }>();
  /** Number of puts to fail before succeeding (fault injection). */
  failPuts = 0;
  /** Only puts whose key matches fail (default: every key). */
  failPutsMatching: RegExp = /./;
  /** Keys of the puts that failed, in order. */
  readonly failedPuts: string[] = [];

  async put(key: string, body: string, contentType: string): Promise<StoredDocument> {
    if (this.failPuts > 0 && this.failPutsMatching.test(key)) {
      this.failPuts -= 1;
      this.failedPuts.push(key);
      // What the S3 adapter makes of a 500 InternalError.
      throw new ArchiveWriteError(`PutObject ${key}: InternalError: We encountered an internal error. Please try again.`);
    }
    if (this.documents.has(key)) throw new AlreadyArchivedError(`${key} already exists`);
    this.documents.set(key, { body, contentType });
    return { key, sha256: sha256(body), versionId: `v-${this.documents.size}` };
  }

  async get(key: string): Promise<string> {
    const doc = this.documents.get(key);
    if (!doc) throw new NotArchivedError(`${key} does not exist`);
    return doc.body;
  }

  /** Parsed JSON documents whose key starts with `prefix`, in key order. */
  json(prefix: string): unknown[] {
    return [...this.documents.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, doc]) => JSON.parse(doc.body) as unknown);
  }
}
