/**
 * retention λ: expires the protected database's manual snapshots in the primary or the
 * DR region under the GFS policy, last step of statemachines/backup.asl.json (and
 * callable on its own for a dry run).
 *
 * Event: `{ region: 'primary' | 'dr', dryRun?: boolean (default false), executionArn?: string }`.
 * Environment (read at cold start; a missing or invalid one fails it, naming the variable):
 * - `DATABASE_ID`, `TOPOLOGY`, `POLICY_NAME`, `AWS_REGION`, `ARCHIVE_BUCKET`;
 * - `DR_REGION`: the DR region, or `none`;
 * - `RETENTION_POLICY`: JSON `{ daily, weekly, monthly, yearly, minimumCount,
 *   quotaHeadroom, deletesPerSecond, maxVerifiedAgeHours }` (see {@link RetentionSettings}).
 * Reads besides the region's snapshots: the region's databases (a `dr:temporary` one tagged
 * `dr:source-snapshot` is a restore test using that snapshot) and, for the primary region, the
 * DR region's copies (a source whose copy is still in progress is kept). A failing read fails
 * the run before any delete: retention cannot prove those snapshots expendable.
 * Returns a {@link RetentionRunReport}; throws typed errors (shared/errors.ts) for the state
 * machine's Retry/Catch: ValidationError (bad event, nothing done), ThrottledError (safe
 * to retry: a re-run resumes), RetentionSafetyError (the planner refused, nothing deleted).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { controlPlaneFor } from '../adapters/rds/control-plane.ts';
import { restoresFor } from '../adapters/rds/restore.ts';
import { S3ArchiveStore } from '../adapters/s3/archive.ts';
import type { DatabaseLister } from '../domain/retention/inventory.ts';
import type { RetentionSettings } from '../domain/retention/model.ts';
import { runRetention, type RetentionMetricValues, type RetentionRunReport } from '../domain/retention/run.ts';
import type { ArchiveStore } from '../ports/archive-store.ts';
import type { DatabaseControlPlane, Topology } from '../ports/database-control-plane.ts';
import { parseEnv } from '../contracts/env-schema.ts';
import { RETENTION_ENV } from '../contracts/env/retention.ts';
import { ConfigurationError } from '../shared/errors.ts';
import { METRICS } from '../shared/metric-names.ts';
import { readEvent } from '../contracts/events/read.ts';
import { RETENTION_EVENT } from '../contracts/events/retention.ts';
import { drHandler } from '../shared/handler.ts';
import { logger, metrics } from '../shared/powertools.ts';

export type { RetentionRunReport };

const env = parseEnv(RETENTION_ENV);
const topology: Topology = env.TOPOLOGY;
const settings: RetentionSettings = env.RETENTION_POLICY;

/** What the handler acts through; module-scope clients by default, injectable in tests. */
export interface RetentionDeps {
  readonly primary: DatabaseControlPlane;
  /** Null when no DR region is configured (`DR_REGION=none`). */
  readonly dr: DatabaseControlPlane | null;
  /** The databases of each region, read for restore tests in progress (`dr:temporary`, `dr:source-snapshot`); absent: not read. */
  readonly databases?: { readonly primary: DatabaseLister; readonly dr: DatabaseLister | null };
  readonly archive: ArchiveStore;
  readonly now: () => Date;
  /** Pacing and back-off waits; tests record them instead of sleeping. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Jitter source for back-off, in [0, 1). */
  readonly random: () => number;
  /** Milliseconds left in the invocation; absent: no time budget. */
  readonly remainingTimeMs?: () => number;
}

const primaryRds = new RDSClient({ region: env.AWS_REGION });
const drRds = env.DR_REGION === null ? null : new RDSClient({ region: env.DR_REGION });
/** Retention only lists through the restore adapter; the engine version is used by cluster restores alone. */
const LIST_ONLY_ENGINE_VERSION = 'unused';
const defaults: RetentionDeps = {
  primary: controlPlaneFor(topology, primaryRds, env.AWS_REGION),
  dr: drRds === null || env.DR_REGION === null ? null : controlPlaneFor(topology, drRds, env.DR_REGION),
  databases: {
    primary: restoresFor(topology, primaryRds, LIST_ONLY_ENGINE_VERSION),
    dr: drRds === null ? null : restoresFor(topology, drRds, LIST_ONLY_ENGINE_VERSION),
  },
  archive: new S3ArchiveStore(new S3Client({ region: env.AWS_REGION }), env.ARCHIVE_BUCKET),
  now: () => new Date(),
  sleep: async (ms) => {
    await sleep(ms);
  },
  random: Math.random,
};

/** Validates the event and runs retention in the region it names. */
export async function core(event: unknown, deps: RetentionDeps = defaults): Promise<RetentionRunReport> {
  const { region, dryRun, executionArn } = readEvent(RETENTION_EVENT, event);
  const plane = region === 'primary' ? deps.primary : requireDr(deps);

  const report = await runRetention(
    { database: env.DATABASE_ID, policyName: env.POLICY_NAME, settings, dryRun, executionArn },
    {
      plane,
      // In the primary region, a source whose DR copy is still in progress is kept: read the copies' status there.
      offsite: region === 'primary' ? deps.dr : null,
      ...restoresIn(region, deps),
      archive: deps.archive,
      now: deps.now,
      sleep: deps.sleep,
      random: deps.random,
      publish,
      log: logger,
      ...(deps.remainingTimeMs === undefined ? {} : { remainingTimeMs: deps.remainingTimeMs }),
    },
  );
  logger.info(
    `retention ${dryRun ? 'dry run' : 'run'} in ${plane.region}: ${report.deleted.length} deleted, ${report.alreadyGone.length} already gone, ${report.skipped.length} skipped, ${report.deferred.length} deferred of ${report.planned.length} planned`,
    { region: plane.region, audit: report.audit.key },
  );
  return report;
}

/**
 * Publishes one run's metrics under the `Database` dimension. Runs in the primary and
 * the DR region share it: alarms use the Maximum, so the worse region decides.
 */
function publish(values: RetentionMetricValues): void {
  for (const [name, value] of Object.entries(values) as [keyof RetentionMetricValues, number | null][]) {
    if (value !== null) metrics.addMetric(name, METRICS[name], value);
  }
}

function restoresIn(region: 'primary' | 'dr', deps: RetentionDeps): { restores?: DatabaseLister } {
  const lister = region === 'primary' ? deps.databases?.primary : deps.databases?.dr;
  return lister ? { restores: lister } : {};
}

function requireDr(deps: RetentionDeps): DatabaseControlPlane {
  if (deps.dr === null) throw new ConfigurationError('no DR region is configured (DR_REGION=none): no DR snapshots to expire');
  return deps.dr;
}

/** The Lambda entry point (functions/shared/handler.ts); the time budget comes from the invocation context. */
export const handler = drHandler({ name: 'retention', database: env.DATABASE_ID }, (event, context) => core(event, { ...defaults, remainingTimeMs: () => context.getRemainingTimeInMillis() }));
