/**
 * When a snapshot's data was captured: the time retention orders snapshots by and the RPO monitor
 * measures ages from.
 */
import type { SnapshotTimes } from './model.ts';

/**
 * When a snapshot's data was captured: the earliest of the times RDS reports on it. RDS:
 * `OriginalSnapshotCreateTime` "doesn't change when the snapshot is copied", while
 * `SnapshotCreateTime` of a copy is the copy's start; `SnapshotDatabaseTime` is "the most
 * recent transaction applied" (DBSnapshot data type,
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBSnapshot.html). The data
 * is no newer than any of them, so the earliest never makes a copy look younger than its data.
 * Null when RDS reports none (a snapshot still in progress).
 */
export function dataTimeOf(snapshot: SnapshotTimes): Date | null {
  const times = [snapshot.databaseTime, snapshot.originalCreatedAt, snapshot.createdAt].filter((t): t is Date => t instanceof Date && !Number.isNaN(t.getTime()));
  return times.length === 0 ? null : new Date(Math.min(...times.map((t) => t.getTime())));
}
