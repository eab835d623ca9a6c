/**
 * The model of a restore test's report: the check ids in report order, a check's verdict and
 * result, the heartbeat tolerance and expectation, user assertions, and the report document.
 * Types and constants only; it imports nothing but other models, so the judges, the run, the
 * handlers and the archive can depend on it without depending on each other.
 */
import type { TableBracket } from './bracket-model.ts';

/**
 * The built-in checks, in report order (user assertions follow them). A new id adds an entry to
 * `checks` without changing the report's shape, so it does not bump {@link REPORT_FORMAT_VERSION}
 * ('table-content' and 'large-objects' came with format 2).
 */
export const CHECK_IDS = [
  'tls',
  'schema-fingerprint',
  'row-counts',
  'tables-readable',
  'btree-indexes',
  'heartbeat',
  // Structural checks of the copy itself, no manifest needed (verification/structure.ts).
  'index-validity',
  'sequences',
  'foreign-keys',
  'check-constraints',
  'gin-indexes',
  'heap-pages',
  'table-content',
  'large-objects',
] as const;

/**
 * Built-in checks that run only when configured, after {@link CHECK_IDS} in report order:
 * `exact-counts` (exact mode, `restoreTest.exactCounts.tables`). Kept apart from CHECK_IDS so a
 * report without exact mode lists exactly the checks it listed before the mode existed.
 */
export const OPT_IN_CHECK_IDS = ['exact-counts'] as const;

/** Id of a built-in check. */
export type BuiltInCheckId = (typeof CHECK_IDS)[number] | (typeof OPT_IN_CHECK_IDS)[number];

/** Id of a user assertion's check: `assertion:<name>`. */
export type AssertionCheckId = `assertion:${string}`;

/** Id of any check in a report. */
export type CheckId = BuiltInCheckId | AssertionCheckId;

/**
 * `skipped` means the check legitimately does not apply (no manifest for a point-in-time restore).
 * `inconclusive` means a check that was expected to run could not judge (amcheck unavailable, an
 * unsound row-count bracket): not a failure of the restored data, and never a pass.
 */
export type CheckStatus = 'passed' | 'failed' | 'skipped' | 'inconclusive';

/**
 * A report's verdict: `failed` when any check failed, else `inconclusive` when any check could not
 * judge, else `passed` (every check passed or legitimately did not apply).
 */
export type ReportVerdict = 'passed' | 'failed' | 'inconclusive';

/** A check's verdict, as the rules produce it. */
export interface CheckVerdict {
  /** Which check. */
  readonly id: CheckId;
  /** Outcome. */
  readonly status: CheckStatus;
  /** `status === 'passed'`; a skipped check is not passed. */
  readonly passed: boolean;
  /** One line saying what was observed, with the numbers that decided the outcome. */
  readonly evidence: string;
  /** The lines behind the evidence: each difference, failing table or index, context. */
  readonly details: readonly string[];
}

/** A check in a report: its verdict and how long its own observations took. */
export interface CheckResult extends CheckVerdict {
  /**
   * Milliseconds spent on this check's observations. `row-counts` reuses the counts of the full
   * read (one scan serves both), so the scan time is booked to `tables-readable`.
   */
  readonly durationMs: number;
}


/** What kind of restore is verified: a snapshot restore or a point-in-time restore. */
export type VerificationSourceKind = 'snapshot' | 'point-in-time';

/**
 * How far the newest heartbeat may be from the expected point in time.
 *
 * `maxLagSeconds`: how much older than the expected point it may be. `maxLeadSeconds`: how much
 * newer; for a point-in-time restore this should be 0, because a heartbeat's `written_at` is taken
 * by the same clock that stamps commits and recovery stops at the target commit time, so anything
 * newer means the restore went past the target.
 */
export interface HeartbeatTolerance {
  /** Seconds the newest heartbeat may precede the expected point; positive. */
  readonly maxLagSeconds: number;
  /** Seconds the newest heartbeat may follow the expected point; zero or more. */
  readonly maxLeadSeconds: number;
}

/**
 * Recommended tolerances per source kind. Lag: two probe intervals (the probe writes every 60 s),
 * so one late or missed probe run does not fail a restore but a stopped probe does. Lead for a
 * snapshot: RDS's `SnapshotCreateTime` marks the start of the snapshot and the storage point follows
 * it, so one probe write past it is legitimate. Lead for point-in-time: 0 (see {@link HeartbeatTolerance}).
 */
export const DEFAULT_HEARTBEAT_TOLERANCE: Readonly<Record<VerificationSourceKind, HeartbeatTolerance>> = {
  snapshot: { maxLagSeconds: 120, maxLeadSeconds: 60 },
  'point-in-time': { maxLagSeconds: 120, maxLeadSeconds: 0 },
};

/** The heartbeat expectation of one run. */
export interface HeartbeatExpectation extends HeartbeatTolerance {
  /** Where the restored data should end: the snapshot time or the PITR target. */
  readonly expectedAt: Date;
  /**
   * The manifest's newest heartbeat (snapshot restores only): the snapshot was taken after the
   * manifest, so a restored heartbeat older than this one proves data is missing.
   */
  readonly notBefore: string | null;
  /** Reading B's heartbeat (snapshot restores with B): a restored heartbeat newer than it cannot be. */
  readonly notAfter?: string | null;
}

/**
 * The expected outcome of a user assertion. A small set on purpose: one value compared with a
 * constant covers the invariants people write ("no negative totals", "at least one order today",
 * "the latest migration is 42") and stays unambiguous to read in config and in a report.
 * `between` is inclusive at both ends. Numbers compare numerically (the text form the server
 * returns is parsed), strings and booleans exactly, `null` matches SQL NULL.
 */
export type AssertionExpectation =
  | { readonly equals: number | string | boolean | null }
  | { readonly atLeast: number }
  | { readonly atMost: number }
  | { readonly between: readonly [number, number] };

/** A validated user assertion (see `parseAssertions` in `checks.ts`). */
export interface UserAssertion {
  /** Unique name; the check id is `assertion:<name>`. */
  readonly name: string;
  /** One SQL statement returning one row with one column. */
  readonly query: string;
  /** The condition its value must meet. */
  readonly expect: AssertionExpectation;
  /** Server-side statement timeout. @default 30 */
  readonly timeoutSeconds: number;
}

/** Default {@link UserAssertion.timeoutSeconds}. */
export const DEFAULT_ASSERTION_TIMEOUT_SECONDS = 30;

/**
 * Longest allowed assertion timeout: the verify function runs in a Lambda (15 minutes at most)
 * that also reads every table; an assertion needing more than 5 minutes belongs in a job of its own.
 */
export const MAX_ASSERTION_TIMEOUT_SECONDS = 300;

/** The document a verification produces (`runVerification`); stored in the archive and summarised in metrics. */
export interface VerificationReport {
  /** Document format; bump when the shape changes (2: `verdict`, `inconclusive` checks, `bracket`). */
  readonly formatVersion: 2;
  /** Database verified. */
  readonly database: string;
  /** What was restored, as plain JSON. */
  readonly source:
    | {
        readonly kind: 'snapshot';
        readonly snapshotId: string;
        readonly snapshotCreatedAt: string;
        readonly manifestCapturedAt: string;
        readonly manifestFingerprint: string;
      }
    | { readonly kind: 'point-in-time'; readonly targetTime: string };
  /** When verification started (ISO 8601). */
  readonly startedAt: string;
  /** When it finished (ISO 8601). */
  readonly finishedAt: string;
  /** See {@link ReportVerdict}. */
  readonly verdict: ReportVerdict;
  /** `verdict === 'passed'`. */
  readonly passed: boolean;
  /** Per-table row-count brackets (snapshot restores with a bracketed manifest), with their widths. */
  readonly bracket: readonly TableBracket[];
  /** Findings about the schema that are not losses, reported once (unlogged tables, page checksums off). */
  readonly findings: readonly string[];
  /**
   * Whether the restored server verifies page checksums; null when it could not be read. Off, a
   * zeroed heap page reads as empty: only the row-count bracket can catch it (docs/restore.md).
   */
  readonly dataChecksums: boolean | null;
  /** Every check, built-in ones in {@link CHECK_IDS} then {@link OPT_IN_CHECK_IDS} order, then assertions in config order. */
  readonly checks: readonly CheckResult[];
  /**
   * The newest heartbeat in the restored data: the point in time the restore is proven to reach.
   * Null when there is no heartbeat.
   */
  readonly recoveredPointInTime: string | null;
  /**
   * Whole seconds (an integer, never negative) from {@link recoveredPointInTime} to `finishedAt`:
   * how old the restored data is, rounded up (an age is never understated) and 0 when the heartbeat
   * is ahead of this function's clock (skew). The workflow passes it on to the restore λ and a
   * CloudWatch metric, whose contract is an integer.
   */
  readonly dataAgeSeconds: number | null;
}

/** The current {@link VerificationReport.formatVersion}. */
export const REPORT_FORMAT_VERSION = 2;
