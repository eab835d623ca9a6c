/**
 * Storing a snapshot's manifest in the archive, once: the manifest of a snapshot is
 * the expected state a restore test compares against, so a retried capture must not
 * replace it with a later (different) one.
 */
import type { ArchiveStore, StoredDocument } from '../../ports/archive-store.ts';
import type { ContentReader } from '../../ports/content-reader.ts';
import type { DatabaseInspector } from '../../ports/database-inspector.ts';
import type { WriteStatistics } from '../../ports/write-statistics.ts';
import { AlreadyArchivedError, NotArchivedError, orNull } from '../../shared/errors.ts';
import { sha256 } from '../audit/records.ts';
import { canonicalJson, captureBracketedManifest, serializeManifest, type DatabaseManifest } from './manifest.ts';
import { captureAfterReading, type AfterReading, type SettleOptions } from './after-reading.ts';

/**
 * How the archived readings are read back (a retried run returns the first one): their schemas
 * are declared at the boundary, `functions/contracts/documents/` (`ARCHIVED_READINGS`).
 */
export interface ReadingParsers {
  /** Parses a stored manifest (reading A). @throws ValidationError */
  readonly manifest: (text: string) => DatabaseManifest;
  /** Parses a stored reading B. @throws ValidationError */
  readonly afterReading: (text: string) => AfterReading;
}

/** Archive key of a snapshot's manifest. */
export function manifestKey(database: string, snapshotId: string): string {
  return `manifests/${database}/${snapshotId}.json`;
}

/** Archive key of a snapshot's reading B (after the snapshot point), beside its manifest. */
export function afterReadingKey(database: string, snapshotId: string): string {
  return `manifests/${database}/${snapshotId}.after.json`;
}

/** Output of {@link archiveManifest}. */
export interface ArchivedManifest {
  readonly stored: StoredDocument;
  /** False when a manifest for this snapshot was already archived (a retried run). */
  readonly captured: boolean;
  readonly schemaFingerprint: string;
  readonly tables: number;
  readonly rows: number;
  readonly heartbeatAt: string | null;
  /**
   * What the restore test will not be able to prove, known now at backup time: no heartbeat (the
   * recovered point cannot be proven) and unlogged tables (not in any snapshot).
   */
  readonly warnings: readonly string[];
  /** Unlogged tables (`schema.table`): RDS snapshots do not hold their rows. */
  readonly unloggedTables: readonly string[];
}

function summary(manifest: DatabaseManifest, stored: StoredDocument, captured: boolean): ArchivedManifest {
  const counts = Object.values(manifest.rowCounts);
  const unloggedTables = manifest.schema.tables.filter((t) => t.kind === 'unlogged table').map((t) => `${t.schema}.${t.name}`);
  const warnings: string[] = [];
  if (manifest.heartbeat.latestAt === null) {
    warnings.push('no heartbeat in the database (probe not deployed or dr.heartbeat missing): a restore test cannot prove the recovered point in time');
  }
  if (unloggedTables.length > 0) {
    warnings.push(`unlogged tables are not backed up by RDS snapshots (a restore empties them): ${unloggedTables.join(', ')}`);
  }
  for (const observation of manifest.ledger ?? []) {
    if (observation.count !== null && observation.ledger !== null && observation.count !== observation.ledger) {
      warnings.push(`${observation.table}: ledger bypassed on the source (count ${observation.count}, ledger ${observation.ledger}): the exact-counts check of this snapshot will be inconclusive`);
    }
  }
  return {
    stored,
    captured,
    schemaFingerprint: manifest.schemaFingerprint,
    tables: counts.length,
    rows: counts.reduce((a, b) => a + b, 0),
    heartbeatAt: manifest.heartbeat.latestAt,
    warnings,
    unloggedTables,
  };
}

/**
 * Captures and archives the manifest of `snapshotId`.
 *
 * 1. If a manifest of this snapshot is archived already (a retried run), return it: the
 *    first capture is the one taken just before the snapshot.
 * 2. Capture schema, row counts and heartbeat through the inspector.
 * 3. Store it create-only under `manifests/<db>/<snapshotId>.json`; losing a race to a
 *    duplicate run returns the winner's.
 */
export async function archiveManifest(
  inspector: DatabaseInspector & WriteStatistics,
  archive: ArchiveStore,
  request: {
    readonly database: string;
    readonly snapshotId: string;
    readonly now: () => Date;
    /** Takes column tallies, digests and large objects with the counts (see `verification/content.ts`). */
    readonly content?: ContentReader;
    /** Whether the content scan digests rows. @default true */
    readonly digest?: boolean;
    /** Exact mode: the configured tables and how to observe their ledgers on the source. */
    readonly ledger?: Parameters<typeof captureBracketedManifest>[2]['ledger'];
    /** Reads an archived reading back. */
    readonly parse: ReadingParsers;
  },
): Promise<ArchivedManifest> {
  const key = manifestKey(request.database, request.snapshotId);
  const earlier = await readArchived(archive, key, request.parse);
  if (earlier) return earlier;
  const manifest = await captureBracketedManifest(inspector, inspector, {
    database: request.database,
    now: request.now,
    ...(request.content === undefined ? {} : { content: request.content }),
    ...(request.digest === undefined ? {} : { digest: request.digest }),
    ...(request.ledger === undefined ? {} : { ledger: request.ledger }),
  });
  try {
    const stored = await archive.put(key, serializeManifest(manifest), 'application/json');
    return summary(manifest, stored, true);
  } catch (error) {
    if (!(error instanceof AlreadyArchivedError)) throw error;
    const raced = await readArchived(archive, key, request.parse);
    if (!raced) throw error;
    return raced;
  }
}

async function readArchived(archive: ArchiveStore, key: string, parse: ReadingParsers): Promise<ArchivedManifest | null> {
  const text = await orNull(() => archive.get(key), NotArchivedError);
  return text === null ? null : summary(parse.manifest(text), { key, sha256: sha256(text), versionId: null }, false);
}

/** Output of {@link archiveAfterReading}. */
export interface ArchivedAfterReading {
  readonly stored: StoredDocument;
  /** False when reading B was already archived (a retried run): the first one is kept. */
  readonly captured: boolean;
  /** False when a transaction begun before the snapshot point outlived the wait. */
  readonly settled: boolean;
  readonly waitedSeconds: number;
  readonly openTransactions: number;
  readonly heartbeatAt: string | null;
}

function afterSummary(reading: AfterReading, stored: StoredDocument, captured: boolean): ArchivedAfterReading {
  return {
    stored,
    captured,
    settled: reading.settle.settled,
    waitedSeconds: reading.settle.waitedSeconds,
    openTransactions: reading.settle.openTransactions.length,
    heartbeatAt: reading.heartbeat.latestAt,
  };
}

/**
 * Captures and archives reading B of `snapshotId`, create-only beside its manifest
 * (`manifests/<db>/<snapshotId>.after.json`, canonical JSON, SHA-256 in the result).
 *
 * 1. If it is archived already (a retried run), return it unchanged.
 * 2. Wait for flushed statistics and read B (see `verification/after-reading.ts`).
 * 3. Store it; losing a race to a duplicate run returns the winner's.
 */
export async function archiveAfterReading(
  inspector: DatabaseInspector & WriteStatistics,
  archive: ArchiveStore,
  request: {
    readonly content?: ContentReader;
    readonly database: string;
    readonly snapshotId: string;
    readonly snapshotPoint: Date;
    readonly settle: SettleOptions;
    readonly sleep: (ms: number) => Promise<void>;
    /** Exact mode: the configured tables and how to observe their ledgers on the source. */
    readonly ledger?: Parameters<typeof captureAfterReading>[2]['ledger'];
    /** Reads an archived reading back. */
    readonly parse: ReadingParsers;
  },
): Promise<ArchivedAfterReading> {
  const key = afterReadingKey(request.database, request.snapshotId);
  const earlier = await readArchivedAfter(archive, key, request.parse);
  if (earlier) return earlier;
  const reading = await captureAfterReading(inspector, inspector, request);
  try {
    const stored = await archive.put(key, canonicalJson(reading), 'application/json');
    return afterSummary(reading, stored, true);
  } catch (error) {
    if (!(error instanceof AlreadyArchivedError)) throw error;
    const raced = await readArchivedAfter(archive, key, request.parse);
    if (!raced) throw error;
    return raced;
  }
}

async function readArchivedAfter(archive: ArchiveStore, key: string, parse: ReadingParsers): Promise<ArchivedAfterReading | null> {
  const text = await orNull(() => archive.get(key), NotArchivedError);
  return text === null ? null : afterSummary(parse.afterReading(text), { key, sha256: sha256(text), versionId: null }, false);
}
