/**
 * The port to the archive: an append-only document store (S3 with Object Lock in
 * production) for manifests, reports and the audit log.
 */

/** Where a stored document is, and its digest. */
export interface StoredDocument {
  readonly key: string;
  /** Hex SHA-256 of the exact bytes stored. */
  readonly sha256: string;
  /** Object version (S3 versioning); null where the store has none. */
  readonly versionId: string | null;
}

/** An append-only document store. */
export interface ArchiveStore {
  /** Stores `body` under `key`; never overwrites an existing key (AlreadyArchivedError). */
  put(key: string, body: string, contentType: string): Promise<StoredDocument>;
  /** Reads a document back (SnapshotNotFoundError-style typed error when absent). */
  get(key: string): Promise<string>;
}
