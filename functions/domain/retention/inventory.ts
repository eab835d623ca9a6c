/**
 * What retention knows about each snapshot before it plans (step 2 of the run): the restore test
 * restoring from it, its offsite copy, and the record the planner reads.
 */
import type { Snapshot } from '../../ports/database-control-plane.ts';
import type { RestoreControlPlane } from '../../ports/restore-control-plane.ts';
import { TAG as RETENTION_TAGS } from '../snapshots/naming.ts';
import { dataTimeOf } from './data-time.ts';
import type { SnapshotRecord } from './model.ts';

/** Lists the databases of a region with their tags (the restore port's `list` fits). */
export type DatabaseLister = Pick<RestoreControlPlane, 'list'>;

/** Step 2: the snapshot each restore test of `database` is restoring from, to the temporary database's id. */
export async function restoreTestsBySnapshot(restores: DatabaseLister, database: string): Promise<Map<string, string>> {
  const bySnapshot = new Map<string, string>();
  for (const db of await restores.list()) {
    const source = db.tags[RETENTION_TAGS.sourceSnapshot];
    // Also while `deleting`: on its failure path the verify workflow records the (inconclusive)
    // verdict after starting the delete, and that record reads the snapshot.
    if (db.tags[RETENTION_TAGS.temporary] !== 'true' || db.tags[RETENTION_TAGS.database] !== database || source === undefined) continue;
    bySnapshot.set(source, db.identifier);
  }
  return bySnapshot;
}

/** Step 2: offsite copies by the id of their source (`dr:copy-of` ARN's last part, else the copy's own id: copies keep it). */
export function copiesBySource(copies: readonly Snapshot[], region: string): Map<string, { region: string; status: string }> {
  const bySource = new Map<string, { region: string; status: string }>();
  for (const copy of copies) {
    const copyOf = copy.tags[RETENTION_TAGS.copyOf];
    const source = copyOf === undefined ? copy.id : copyOf.slice(copyOf.lastIndexOf(':') + 1);
    const known = bySource.get(source);
    // Two copies of one source (a retried copy under another id): the one still in progress decides.
    if (known === undefined || known.status === 'available') bySource.set(source, { region, status: copy.status });
  }
  return bySource;
}

/** A snapshot as the planner sees it: its restore test and its offsite copy attached. */
export function toRecord(snapshot: Snapshot, restoreTests: ReadonlyMap<string, string>, copies: ReadonlyMap<string, { region: string; status: string }> | null): SnapshotRecord {
  return {
    id: snapshot.id,
    database: snapshot.databaseId,
    // No creation time: expected before `available`; on an available one the planner keeps it as invalid-created-at (fail closed).
    createdAt: snapshot.createdAt,
    dataTime: dataTimeOf(snapshot),
    status: snapshot.status,
    type: snapshot.type,
    tags: snapshot.tags,
    restoreTest: restoreTests.get(snapshot.id) ?? null,
    offsiteCopy: copies?.get(snapshot.id) ?? null,
  };
}
