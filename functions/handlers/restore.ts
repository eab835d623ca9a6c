/**
 * restore λ: the RDS steps of the restore-test (verify) and point-in-time-restore
 * workflows, and the sweeper of leaked temporary databases.
 *
 * Actions (field `action`):
 * - `select`: the snapshot to prove (`snapshotId` given, or the newest unverified);
 * - `restore`: restore it into its temporary, isolated database (idempotent);
 * - `check`: one bounded poll of a restored database;
 * - `verdict`: the verdict's audit record (first: nothing is tagged without its record), metrics;
 * - `tag`: tag the recorded verdict on the snapshot and its offsite copy;
 * - `delete`: delete a temporary database (refuses anything else);
 * - `sweep`: delete temporary databases past their expiry (scheduled), each after its record;
 * - `pitr`: restore the database to a point in time into a new, kept database (intent record first);
 * - `pitr-record`: the outcome record of a point-in-time restore.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { controlPlaneFor } from '../adapters/rds/control-plane.ts';
import { restoresFor } from '../adapters/rds/restore.ts';
import { S3ArchiveStore } from '../adapters/s3/archive.ts';
import {
  applyVerdict,
  checkRestored,
  deleteTemporary,
  selectSnapshot,
  startPointInTimeRestore,
  recordVerdict,
  startTemporaryRestore,
  sweepTemporary,
  recordPointInTimeRestore,
  temporaryId,
} from '../domain/restore-test.ts';
import type { ArchiveStore } from '../ports/archive-store.ts';
import type { DatabaseControlPlane, Topology } from '../ports/database-control-plane.ts';
import type { RestoreControlPlane, RestorePlacement } from '../ports/restore-control-plane.ts';
import { envInteger, envTopology, failOnProblems, requireEnv } from '../shared/env.ts';
import { ConfigurationError } from '../shared/errors.ts';
import { logger, metrics, setDatabaseDimension } from '../shared/powertools.ts';
import { EventReader } from '../shared/validate.ts';

const env = requireEnv([
  'AWS_REGION',
  'DATABASE_ID',
  'TOPOLOGY',
  'ENGINE_VERSION',
  'DR_REGION',
  'ARCHIVE_BUCKET',
  'RESTORE_INSTANCE_CLASS',
  'RESTORE_SUBNET_GROUP',
  'RESTORE_PARAMETER_GROUP',
  'VERIFY_SECURITY_GROUP_ID',
  'PITR_SECURITY_GROUP_ID',
  'SECRET_KMS_KEY_ID',
  'TEMP_TTL_HOURS',
  'STORAGE_TYPE',
]);
const problems: string[] = [];
const topology: Topology = envTopology(env.TOPOLOGY, problems);
const ttlHours = envInteger(env.TEMP_TTL_HOURS, 'TEMP_TTL_HOURS', 1, 48, problems);
failOnProblems(problems);
// Set once: every metric of this function carries the `Database` dimension (functions/shared/powertools.ts).
setDatabaseDimension(env.DATABASE_ID);
const iops = process.env.STORAGE_IOPS ? Number(process.env.STORAGE_IOPS) : undefined;

/** Placement of restored databases (minus id and tags); restore tests and PITR differ in security group. */
function placement(securityGroupId: string): Omit<RestorePlacement, 'targetId' | 'tags'> {
  return {
    instanceClass: env.RESTORE_INSTANCE_CLASS,
    subnetGroupName: env.RESTORE_SUBNET_GROUP,
    securityGroupIds: [securityGroupId],
    parameterGroupName: env.RESTORE_PARAMETER_GROUP,
    secretKmsKeyId: env.SECRET_KMS_KEY_ID,
    ...(topology === 'multi-az-cluster' ? { storage: { type: env.STORAGE_TYPE, ...(iops === undefined ? {} : { iops }) } } : {}),
  };
}

/** What the handler acts through; injectable in tests. */
export interface RestoreDeps {
  readonly primary: DatabaseControlPlane;
  readonly dr: DatabaseControlPlane | null;
  readonly restores: RestoreControlPlane;
  readonly archive: ArchiveStore;
  readonly now: () => Date;
}

const rds = new RDSClient({ region: env.AWS_REGION });
const defaults: RestoreDeps = {
  primary: controlPlaneFor(topology, rds, env.AWS_REGION),
  dr: env.DR_REGION === 'none' ? null : controlPlaneFor(topology, new RDSClient({ region: env.DR_REGION }), env.DR_REGION),
  restores: restoresFor(topology, rds, env.ENGINE_VERSION),
  archive: new S3ArchiveStore(new S3Client({ region: env.AWS_REGION }), env.ARCHIVE_BUCKET),
  now: () => new Date(),
};

const SNAPSHOT_ID = /^[a-z][a-z0-9-]{0,254}$/;
const DB_ID = /^[a-z][a-z0-9-]{0,62}$/;

/** Validates the event and runs its action. */
export async function core(event: unknown, deps: RestoreDeps = defaults): Promise<unknown> {
  const input = new EventReader(event);
  const action = input.oneOf('action', ['select', 'restore', 'check', 'verdict', 'tag', 'delete', 'sweep', 'pitr', 'pitr-record']);
  input.done();
  const executionArn = input.optionalString('executionArn') ?? 'manual';
  logger.appendKeys({ database: env.DATABASE_ID, executionArn });
  const now = deps.now();

  switch (action) {
    case 'select': {
      // The workflow passes its whole input as `request`; `snapshotId` is optional there.
      const request = input.has('request') ? input.object('request') : input;
      const requested = request.optionalString('snapshotId', SNAPSHOT_ID);
      input.done();
      const chosen = selectSnapshot(await deps.primary.listManualSnapshots(env.DATABASE_ID), requested);
      if (!chosen) {
        logger.info('every managed snapshot is verified already: nothing to prove');
        return { found: false };
      }
      logger.appendKeys({ snapshotId: chosen.id });
      logger.info(`restore test will prove ${chosen.id}`);
      return { found: true, snapshotId: chosen.id, snapshotArn: chosen.arn, createdAt: chosen.createdAt?.toISOString() ?? null, databaseTime: chosen.databaseTime?.toISOString() ?? null };
    }
    case 'restore': {
      const snapshotId = input.string('snapshotId', SNAPSHOT_ID);
      input.done();
      logger.appendKeys({ snapshotId });
      const db = await startTemporaryRestore(deps.restores, { database: env.DATABASE_ID, snapshotId, now, ttlHours, placement: placement(env.VERIFY_SECURITY_GROUP_ID), archive: deps.archive, executionArn });
      logger.info(`temporary restore ${db.identifier} is ${db.status}`);
      return { identifier: db.identifier, status: db.status };
    }
    case 'check': {
      const identifier = input.string('identifier', DB_ID);
      const attempt = input.integer('attempt', 0, 10_000);
      const maxAttempts = input.integer('maxAttempts', 1, 10_000);
      input.done();
      const progress = await checkRestored(deps.restores, identifier, attempt, maxAttempts, now, env.SECRET_KMS_KEY_ID);
      logger.info(`${identifier} ${progress.status}, poll ${progress.attempt}/${maxAttempts}`);
      return progress;
    }
    case 'verdict': {
      const snapshotId = input.string('snapshotId', SNAPSHOT_ID);
      const passed = input.boolean('passed', false);
      if (!input.has('passed') && !input.has('inconclusive')) input.problems.push('passed: required, true or false');
      const restoreSeconds = input.nullableInteger('restoreSeconds', 0, 10 * 86_400);
      // Whole seconds, as the verify λ reports it (functions/domain/verification.ts).
      const dataAgeSeconds = input.nullableInteger('dataAgeSeconds', 0, 400 * 86_400);
      const reason = input.optionalString('reason');
      // Inconclusive: the checks could not run (restore or connection failed). That proves
      // nothing about the snapshot, so it is not tagged and stays first in line for the next test.
      const inconclusive = input.boolean('inconclusive', false);
      const report = input.storedDocument('report');
      input.done();
      logger.appendKeys({ snapshotId });
      const recorded = await recordVerdict(deps.archive, { database: env.DATABASE_ID, snapshotId, passed, inconclusive, restoreSeconds, dataAgeSeconds, reason, report, now, executionArn });
      // An inconclusive run proved nothing either way: it is not a failure (no VerificationPassed
      // data point, so VerificationFailed does not fire) and alarms on its own, VerificationInconclusive.
      if (!recorded.inconclusive) metrics.addMetric('VerificationPassed', MetricUnit.Count, recorded.passed ? 1 : 0);
      metrics.addMetric('VerificationInconclusive', MetricUnit.Count, recorded.inconclusive ? 1 : 0);
      if (restoreSeconds !== null) metrics.addMetric('RestoreDurationSeconds', MetricUnit.Seconds, restoreSeconds);
      if (dataAgeSeconds !== null) metrics.addMetric('RecoveredDataAgeSeconds', MetricUnit.Seconds, dataAgeSeconds);
      logger.info(`restore test of ${snapshotId}: ${inconclusive ? 'INCONCLUSIVE' : passed ? 'passed' : 'FAILED'}`, { audit: recorded.audit.key });
      return recorded;
    }
    case 'tag': {
      const snapshotId = input.string('snapshotId', SNAPSHOT_ID);
      const passed = input.boolean('passed', false);
      if (!input.has('passed')) input.problems.push('passed: required, true or false');
      const inconclusive = input.boolean('inconclusive', false);
      input.done();
      logger.appendKeys({ snapshotId });
      const applied = await applyVerdict(deps.primary, deps.dr, snapshotId, { passed, inconclusive }, now);
      if (applied.verifiedSnapshotAgeSeconds !== null) metrics.addMetric('VerifiedSnapshotAgeSeconds', MetricUnit.Seconds, applied.verifiedSnapshotAgeSeconds);
      logger.info(`${inconclusive ? 'not tagged (inconclusive)' : `tagged ${passed ? 'passed' : 'failed'}`}: ${snapshotId}`, { tagged: applied.tagged });
      const { verifiedSnapshotAgeSeconds: _age, ...result } = applied;
      return result;
    }
    case 'delete': {
      // By snapshot id on failure paths, where the restore may not have returned its identifier.
      const identifier = input.has('snapshotId') ? temporaryId(env.DATABASE_ID, input.string('snapshotId', SNAPSHOT_ID)) : input.string('identifier', DB_ID);
      input.done();
      const result = await deleteTemporary(deps.restores, env.DATABASE_ID, identifier);
      logger.info(`temporary database ${identifier}: ${result.outcome}`);
      return result;
    }
    case 'sweep': {
      input.done();
      const result = await sweepTemporary(deps.restores, env.DATABASE_ID, now, { archive: deps.archive, executionArn: input.optionalString('executionArn') ?? 'schedule' });
      metrics.addMetric('LeakedTemporaryInstances', MetricUnit.Count, result.leaked);
      if (result.leaked > 0) logger.warn(`leaked temporary databases: deleted ${result.deleted.join(', ') || 'none'}; unreadable expiry (kept): ${result.unreadable.join(', ') || 'none'}`);
      return result;
    }
    case 'pitr-record': {
      const identifier = input.string('identifier', DB_ID);
      const requestedTime = input.string('requestedTime');
      const resolvedTargetTime = input.nullableString('resolvedTargetTime');
      const checksPassed = input.has('checksPassed') ? input.boolean('checksPassed', false) : null;
      const failedChecks: unknown = (event as Record<string, unknown>)['failedChecks'] ?? [];
      const recoveredPointInTime = input.has('recoveredPointInTime') ? input.nullableString('recoveredPointInTime') : null;
      const restoreSeconds = input.nullableInteger('restoreSeconds', 0, 10 * 86_400);
      const reason = input.optionalString('reason');
      const report = input.storedDocument('report');
      if (!Array.isArray(failedChecks) || !failedChecks.every((c) => typeof c === 'string')) input.problems.push('failedChecks: an array of check ids');
      input.done();
      logger.appendKeys({ identifier });
      const audit = await recordPointInTimeRestore(deps.archive, {
        database: env.DATABASE_ID,
        identifier,
        requestedTime,
        resolvedTargetTime,
        checksPassed,
        failedChecks: failedChecks as string[],
        recoveredPointInTime,
        restoreSeconds,
        ...(reason === undefined ? {} : { reason }),
        report,
        now,
        executionArn,
      });
      logger.info(`point-in-time restore ${identifier} recorded`, { audit: audit.key });
      return { audit };
    }
    case 'pitr': {
      const targetTime = input.string('targetTime');
      const name = input.string('name');
      const at = targetTime === 'latest' ? 'latest' : new Date(targetTime);
      if (at !== 'latest' && (Number.isNaN(at.getTime()) || !/(Z|[+-]\d{2}:\d{2})$/.test(targetTime))) {
        input.problems.push(`targetTime: ${JSON.stringify(targetTime)} is not "latest" or an ISO-8601 time with a zone`);
      }
      input.done();
      // For `latest`, the restore reaches LatestRestorableTime as of the request: read it
      // first, so the checks know where the heartbeat should be.
      const resolved = at === 'latest' ? (await deps.restores.restoreWindow(env.DATABASE_ID)).latest : at;
      const db = await startPointInTimeRestore(deps.restores, { sourceId: env.DATABASE_ID, at: at as Date | 'latest', name, database: env.DATABASE_ID, placement: placement(env.PITR_SECURITY_GROUP_ID), archive: deps.archive, executionArn, now });
      logger.info(`point-in-time restore ${db.identifier} (${targetTime}) is ${db.status}`);
      return { identifier: db.identifier, status: db.status, targetTime, resolvedTargetTime: resolved?.toISOString() ?? null };
    }
  }
}

/** The Lambda entry point. */
export const handler = middy((event: unknown) => core(event))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
