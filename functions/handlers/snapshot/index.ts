/**
 * snapshot λ: the non-destructive RDS steps of the backup workflow (statemachines/backup.asl.json).
 *
 * This file is the composition root: configuration from the environment, the adapters on their SDK
 * clients, the table of actions (field `action` of the event: `plan`, `create`, `check`, `copy`,
 * `record`, each in actions.ts) and the Lambda entry point. Errors are thrown typed
 * (shared/errors.ts) for the state machine's Retry/Catch.
 */
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { controlPlaneFor } from '../../adapters/rds/control-plane.ts';
import { S3ArchiveStore } from '../../adapters/s3/archive.ts';
import type { Topology } from '../../ports/database-control-plane.ts';
import { parseEnv } from '../../contracts/env-schema.ts';
import { SNAPSHOT_ENV } from '../../contracts/env/snapshot.ts';
import { drHandler } from '../../shared/handler.ts';
import { actionOf } from '../../contracts/events/read.ts';
import { SNAPSHOT_EVENT } from '../../contracts/events/snapshot.ts';
import { SNAPSHOT_ACTIONS, type SnapshotDeps, type SnapshotSettings } from './actions.ts';

export type { SnapshotDeps };

const env = parseEnv(SNAPSHOT_ENV);
const topology: Topology = env.TOPOLOGY;
const settings: SnapshotSettings = {
  database: env.DATABASE_ID,
  policy: env.POLICY_NAME,
  timeZone: env.SCHEDULE_TIMEZONE,
  tierRules: env.TIER_RULES,
  drKmsKeyId: env.DR_KMS_KEY_ID,
};

const defaults: SnapshotDeps = {
  primary: controlPlaneFor(topology, new RDSClient({ region: env.AWS_REGION }), env.AWS_REGION),
  dr: env.DR_REGION === null ? null : controlPlaneFor(topology, new RDSClient({ region: env.DR_REGION }), env.DR_REGION),
  archive: new S3ArchiveStore(new S3Client({ region: env.AWS_REGION }), env.ARCHIVE_BUCKET),
  now: () => new Date(),
};

/** One action. */
export type SnapshotAction = keyof typeof SNAPSHOT_ACTIONS;
/** What each action returns. */
export type SnapshotOutput<A extends SnapshotAction> = Awaited<ReturnType<(typeof SNAPSHOT_ACTIONS)[A]>>;
const ACTIONS = Object.keys(SNAPSHOT_EVENT) as (keyof typeof SNAPSHOT_EVENT)[] satisfies readonly SnapshotAction[];

/** Validates the event's action and runs it; without a valid action the other fields cannot be judged. */
export async function core(event: unknown, deps: SnapshotDeps = defaults): Promise<SnapshotOutput<SnapshotAction>> {
  const action = actionOf(ACTIONS, event);
  return SNAPSHOT_ACTIONS[action]({ event, settings }, deps);
}

/** The Lambda entry point (shared middlewares, the Database dimension: functions/shared/handler.ts). */
export const handler = drHandler({ name: 'snapshot', database: env.DATABASE_ID }, (event) => core(event));
