/**
 * The readings of the bracket as the archive holds them: the parsers the archiving use cases read
 * them back with, and reading B loaded for a restore test.
 */
import type { AfterReading } from '../../domain/verification/after-reading.ts';
import { afterReadingKey, type ReadingParsers } from '../../domain/verification/manifest-archive.ts';
import type { ArchiveStore } from '../../ports/archive-store.ts';
import { NotArchivedError, orNull } from '../../shared/errors.ts';
import { parseAfterReading } from './after-reading.ts';
import { parseManifest } from './manifest.ts';

/** The stored readings' parsers, for `archiveManifest` and `archiveAfterReading`. */
export const ARCHIVED_READINGS: ReadingParsers = { manifest: parseManifest, afterReading: parseAfterReading };

/** Reading B of `snapshotId`, or null when none was archived (the backup did not reach it). */
export async function loadAfterReading(archive: ArchiveStore, database: string, snapshotId: string): Promise<AfterReading | null> {
  const text = await orNull(() => archive.get(afterReadingKey(database, snapshotId)), NotArchivedError);
  return text === null ? null : parseAfterReading(text);
}
