/**
 * restore λ: the RDS steps of the restore-test (verify) and point-in-time-restore workflows, and the
 * sweeper of leaked temporary databases.
 *
 * This file is the composition root: configuration from the environment, the adapters on their SDK
 * clients, the table of actions (field `action` of the event) and the Lambda entry point. The actions:
 * test-actions.ts (`select`, `restore`, `check`, `verdict`, `tag`, `delete`, `sweep`) and
 * pitr-actions.ts (`pitr`, `pitr-record`). Errors are thrown typed (shared/errors.ts).
 */
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { controlPlaneFor } from '../../adapters/rds/control-plane.ts';
import { restoresFor } from '../../adapters/rds/restore.ts';
import { S3ArchiveStore } from '../../adapters/s3/archive.ts';
import type { Topology } from '../../ports/database-control-plane.ts';
import type { RestorePlacement } from '../../ports/restore-control-plane.ts';
import { parseEnv } from '../../contracts/env-schema.ts';
import { RESTORE_ENV } from '../../contracts/env/restore.ts';
import { drHandler } from '../../shared/handler.ts';
import { actionOf } from '../../contracts/events/read.ts';
import { RESTORE_EVENT } from '../../contracts/events/restore.ts';
import { PITR_ACTIONS } from './pitr-actions.ts';
import { TEST_ACTIONS } from './test-actions.ts';
import type { RestoreDeps, RestoreSettings } from './types.ts';

export type { RestoreDeps };

const env = parseEnv(RESTORE_ENV);
const topology: Topology = env.TOPOLOGY;
const ttlHours = env.TEMP_TTL_HOURS;
const iops = env.STORAGE_IOPS;

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

const settings: RestoreSettings = {
  database: env.DATABASE_ID,
  ttlHours,
  secretKmsKeyId: env.SECRET_KMS_KEY_ID,
  testPlacement: placement(env.VERIFY_SECURITY_GROUP_ID),
  pitrPlacement: placement(env.PITR_SECURITY_GROUP_ID),
};

const rds = new RDSClient({ region: env.AWS_REGION });
const defaults: RestoreDeps = {
  primary: controlPlaneFor(topology, rds, env.AWS_REGION),
  dr: env.DR_REGION === null ? null : controlPlaneFor(topology, new RDSClient({ region: env.DR_REGION }), env.DR_REGION),
  restores: restoresFor(topology, rds, env.ENGINE_VERSION),
  archive: new S3ArchiveStore(new S3Client({ region: env.AWS_REGION }), env.ARCHIVE_BUCKET),
  now: () => new Date(),
};

/** The actions by name. */
const TABLE = { ...TEST_ACTIONS, ...PITR_ACTIONS } as const;
/** One action. */
export type RestoreAction = keyof typeof TABLE;
/** What each action returns. */
export type RestoreOutput<A extends RestoreAction> = Awaited<ReturnType<(typeof TABLE)[A]>>;
const ACTIONS = Object.keys(RESTORE_EVENT) as (keyof typeof RESTORE_EVENT)[] satisfies readonly RestoreAction[];

/** Validates the event's action and runs it; the action reads and checks its own fields. */
export async function core(event: unknown, deps: RestoreDeps = defaults): Promise<RestoreOutput<RestoreAction>> {
  const action = actionOf(ACTIONS, event);
  return TABLE[action]({ event, now: deps.now(), settings }, deps);
}

/** The Lambda entry point (shared middlewares, the Database dimension: functions/shared/handler.ts). */
export const handler = drHandler({ name: 'restore', database: env.DATABASE_ID }, (event) => core(event));
