/**
 * Storing a snapshot's manifest in the archive, once: the manifest of a snapshot is
 * the expected state a restore test compares against, so a retried capture must not
 * replace it with a later (different) one.
 */
import type { ArchiveStore, StoredDocument } from '../ports/archive-store.ts';
import type { DatabaseInspector } from '../ports/database-inspector.ts';
import { AlreadyArchivedError, NotArchivedError, orNull } from '../shared/errors.ts';
import { sha256 } from './audit.ts';
import { captureManifest, parseManifest, serializeManifest, type DatabaseManifest } from './manifest.ts';

/** Archive key of a snapshot's manifest. */
export function manifestKey(database: string, snapshotId: string): string {
  return `manifests/${database}/${snapshotId}.json`;
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
}

function summary(manifest: DatabaseManifest, stored: StoredDocument, captured: boolean): ArchivedManifest {
  const counts = Object.values(manifest.rowCounts);
  return {
    stored,
    captured,
    schemaFingerprint: manifest.schemaFingerprint,
    tables: counts.length,
    rows: counts.reduce((a, b) => a + b, 0),
    heartbeatAt: manifest.heartbeat.latestAt,
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
  inspector: DatabaseInspector,
  archive: ArchiveStore,
  request: { readonly database: string; readonly snapshotId: string; readonly now: () => Date },
): Promise<ArchivedManifest> {
  const key = manifestKey(request.database, request.snapshotId);
  const earlier = await readArchived(archive, key);
  if (earlier) return earlier;
  const manifest = await captureManifest(inspector, { database: request.database, now: request.now });
  try {
    const stored = await archive.put(key, serializeManifest(manifest), 'application/json');
    return summary(manifest, stored, true);
  } catch (error) {
    if (!(error instanceof AlreadyArchivedError)) throw error;
    const raced = await readArchived(archive, key);
    if (!raced) throw error;
    return raced;
  }
}

async function readArchived(archive: ArchiveStore, key: string): Promise<ArchivedManifest | null> {
  const text = await orNull(() => archive.get(key), NotArchivedError);
  return text === null ? null : summary(parseManifest(text), { key, sha256: sha256(text), versionId: null }, false);
}
