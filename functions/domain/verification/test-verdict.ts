/**
 * A restore test's verdict: the audit record that names its report, then the tags it puts on the
 * snapshot and on its offsite copy (`dr:verified`, `dr:verified-at`), which retention and the next
 * restore test read. The restore itself is in `restore-test.ts`.
 */
import type { ArchiveStore, StoredDocument } from '../../ports/archive-store.ts';
import type { DatabaseControlPlane } from '../../ports/database-control-plane.ts';
import { SnapshotNotFoundError, orNull } from '../../shared/errors.ts';
import { writeAudit } from '../audit/records.ts';
import { TAG } from '../snapshots/naming.ts';

/**
 * Records a restore test's verdict on the snapshot and on its offsite copy (retention
 * in the DR region reads the copy's tag): `dr:verified=passed|failed`, `dr:verified-at`.
 * Returns the ARNs tagged.
 */
export async function tagVerdict(primary: DatabaseControlPlane, dr: DatabaseControlPlane | null, snapshotId: string, passed: boolean, at: Date): Promise<string[]> {
  const tags = verdictTags(passed, at);
  const tagged: string[] = [];
  const snapshot = await primary.getSnapshot(snapshotId);
  await primary.addTags(snapshot.arn, tags);
  tagged.push(snapshot.arn);
  // No copy yet (copying failed, or no DR region for this run): nothing to tag there.
  const copy = dr ? await orNull(() => dr.getSnapshot(snapshotId), SnapshotNotFoundError) : null;
  if (dr && copy) {
    await dr.addTags(copy.arn, tags);
    tagged.push(copy.arn);
  }
  return tagged;
}

/** A restore test's verdict, as the workflow reports it. */
export interface Verdict {
  readonly database: string;
  readonly snapshotId: string;
  readonly passed: boolean;
  /** The checks could not run (restore or connection failed): nothing was proven either way. */
  readonly inconclusive: boolean;
  readonly restoreSeconds: number | null;
  readonly dataAgeSeconds: number | null;
  readonly reason?: string;
  /** The report archived by the checks, named in the audit record with its SHA-256. */
  readonly report: StoredDocument | null;
  readonly now: Date;
  readonly executionArn: string;
}

/** Output of {@link recordVerdict}. */
export interface RecordedVerdict {
  readonly snapshotId: string;
  readonly passed: boolean;
  readonly inconclusive: boolean;
  /** The tags the verdict puts on the snapshot and its copy next (null when inconclusive: none). */
  readonly tags: Readonly<Record<string, string>> | null;
  readonly audit: StoredDocument;
}

/** The tags a passed or failed verdict writes (`dr:verified`, `dr:verified-at`). */
export function verdictTags(passed: boolean, at: Date): Record<string, string> {
  return { [TAG.verified]: passed ? 'passed' : 'failed', [TAG.verifiedAt]: at.toISOString() };
}

/**
 * Records a restore test's verdict: one audit record naming the report and the tags the verdict
 * will put on the snapshot (the workflow tags only after this record is stored, so no tag ever
 * lacks its record).
 *
 * Reads nothing from RDS: the record of a test must not depend on the snapshot still existing
 * (retention may expire it while the test runs, and the failure path records that too).
 */
export async function recordVerdict(archive: ArchiveStore, v: Verdict): Promise<RecordedVerdict> {
  const passed = v.passed && !v.inconclusive;
  const tags = v.inconclusive ? null : verdictTags(v.passed, v.now);
  const audit = await writeAudit(archive, {
    formatVersion: 1,
    action: 'verify.verdict',
    database: v.database,
    resource: v.snapshotId,
    at: v.now.toISOString(),
    executionArn: v.executionArn,
    result: passed ? 'succeeded' : 'failed',
    details: { passed, inconclusive: v.inconclusive, restoreSeconds: v.restoreSeconds, dataAgeSeconds: v.dataAgeSeconds, tags, ...(v.reason === undefined ? {} : { reason: v.reason }) },
    documents: v.report ? [v.report] : [],
  });
  return { snapshotId: v.snapshotId, passed, inconclusive: v.inconclusive, tags, audit };
}

/** Output of {@link applyVerdict}. */
export interface AppliedVerdict {
  readonly snapshotId: string;
  readonly passed: boolean;
  /** ARNs tagged: the snapshot, and its offsite copy where there is one. */
  readonly tagged: readonly string[];
  /** Age of the snapshot just proven good, null unless it passed. */
  readonly verifiedSnapshotAgeSeconds: number | null;
}

/**
 * Tags a recorded verdict on the snapshot and its offsite copy (after {@link recordVerdict}). An
 * inconclusive verdict proved nothing either way: nothing is tagged, as its record says (`tags: null`),
 * and the snapshot stays first in line for the next restore test.
 *
 * @throws SnapshotNotFoundError when the snapshot is gone (the workflow records that as inconclusive)
 */
export async function applyVerdict(
  primary: DatabaseControlPlane,
  dr: DatabaseControlPlane | null,
  snapshotId: string,
  verdict: { readonly passed: boolean; readonly inconclusive: boolean },
  at: Date,
): Promise<AppliedVerdict> {
  if (verdict.inconclusive) return { snapshotId, passed: false, tagged: [], verifiedSnapshotAgeSeconds: null };
  const { passed } = verdict;
  const snapshot = await primary.getSnapshot(snapshotId);
  const tagged = await tagVerdict(primary, dr, snapshotId, passed, at);
  const verifiedSnapshotAgeSeconds = passed && snapshot.createdAt ? Math.round((at.getTime() - snapshot.createdAt.getTime()) / 1000) : null;
  return { snapshotId, passed, tagged, verifiedSnapshotAgeSeconds };
}
