import { createHash, randomUUID } from 'node:crypto';
import type { ArchiveStore, StoredDocument } from '../../ports/archive-store.ts';

/**
 * The audit trail: one JSON record per DR action (what, on which resource, when, by
 * which execution, result), each stored as its own object in the Object-Lock archive so
 * no record can be changed or removed during its retention.
 */
export interface AuditRecord {
  readonly formatVersion: 1;
  /** e.g. `backup.snapshot`, `backup.copy`, `retention.delete`, `verify.restore`. */
  readonly action: string;
  readonly database: string;
  /** ARN or id of the resource acted on. */
  readonly resource: string;
  readonly at: string;
  /** Step Functions execution ARN, or `manual`/`schedule` when none. */
  readonly executionArn: string;
  /**
   * `intent`: written before a change it names (e.g. `retention.intent`, the snapshots about to be
   * deleted), so that a change whose outcome record is lost still has a record; the outcome record
   * that follows names the intent record.
   */
  readonly result: 'succeeded' | 'failed' | 'skipped' | 'dry-run' | 'intent';
  readonly details: Readonly<Record<string, unknown>>;
  /** Documents this action stored, with their SHA-256. */
  readonly documents: readonly StoredDocument[];
}

/** Hex SHA-256 of a UTF-8 string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Archive key of an audit record: sortable by time, unique per record. */
export function auditKey(record: AuditRecord, id: string = randomUUID()): string {
  const day = record.at.slice(0, 10).replaceAll('-', '/');
  return `audit/${record.database}/${day}/${record.at}-${record.action}-${id}.json`;
}

/** Writes one audit record to the archive and returns where it went. */
export async function writeAudit(archive: ArchiveStore, record: AuditRecord): Promise<StoredDocument> {
  return archive.put(auditKey(record), `${JSON.stringify(record, null, 2)}\n`, 'application/json');
}
