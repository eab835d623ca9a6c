/**
 * failover λ: the steps of statemachines/failover.asl.json that are not probes (the probe λ confirms
 * and post-checks). One function with an `action` discriminator, like the snapshot λ: the steps run
 * under one lock and one configuration, and the role's permissions are scoped by resource (this
 * database, its replica, this record, this secret, this security group, this table, this topic)
 * rather than by step (docs/decisions.md).
 *
 * Actions (field `action` of the event):
 * - `validate` `{ input, startedAt }`: the execution's input (a manual start or an EventBridge event)
 *   to a request; ValidationError before anything is touched;
 * - `lock` `{ request }`: take the lock (a dry run only checks it); FailoverLockedError, FailoverCooldownError;
 * - `precheck` `{ request, confirm }`: the pre-checks on the confirmation probe's report;
 * - `fence` `{ request }`: close the old writer's security group (region mode);
 * - `act` `{ request, precheck }`: force the Multi-AZ failover, or promote the replica;
 * - `check` `{ precheck, attempt }`: one bounded poll of the new writer;
 * - `assess` `{ probe, attempt, phase }`: judge one post-check probe;
 * - `switch` `{ request, precheck }`: point the writer record and the connection secret at the new writer;
 * - `switch-status` `{ changeId, attempt }`: one bounded poll of the DNS change;
 * - `rollback` `{ request, precheck, failure }`: after a failure past the switch (`failure` names its
 *   error): restore the endpoint switched by this execution (az, observe), under the lock; keep the
 *   new writer after a promotion (region); skip on a lost lock;
 * - `record` `{ outcome, run }`: audit record, metrics, lock release or cooldown; returns the notification;
 * - `notify` `{ notification }`: publish it.
 * Every event carries `executionArn` (the lock's owner). Errors are thrown typed (shared/errors.ts).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { CloudWatchReplicationHistory } from '../adapters/cloudwatch/replication-history.ts';
import { DynamoDbFailoverLock } from '../adapters/dynamodb/failover-lock.ts';
import { SecurityGroupFence } from '../adapters/ec2/security-group-fence.ts';
import { controlPlaneFor } from '../adapters/rds/control-plane.ts';
import { Route53WriterRecord } from '../adapters/route53/writer-record.ts';
import { S3ArchiveStore } from '../adapters/s3/archive.ts';
import { SecretsManagerConnectionSecret } from '../adapters/secrets/connection-secret.ts';
import { SnsNotifier } from '../adapters/sns/notifier.ts';
import { FAILOVER_MODES, parseFailoverInput, type FailoverRequest } from '../domain/failover.ts';
import {
  act,
  assessPostCheck,
  confirmationFrom,
  fenceOldWriter,
  notifyRun,
  pollNewWriter,
  recordRun,
  rollBackSwitch,
  runPrechecks,
  switchEndpoint,
  switchStatus,
  takeLock,
  type ActResult,
  type FailoverPorts,
  type FailoverSettings,
  type FenceResult,
  type PrecheckResult,
  type ProbeReport,
  type RollbackResult,
  type RunOutcome,
  type SwitchResult,
} from '../domain/failover-run.ts';
import type { Topology } from '../ports/database-control-plane.ts';
import { envInteger, envTopology, failOnProblems, requireEnv } from '../shared/env.ts';
import { ConfigurationError, ValidationError } from '../shared/errors.ts';
import { DIMENSIONS, METRICS } from '../shared/metric-names.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { EventReader } from '../shared/validate.ts';

/** The function's configuration, from its environment. */
export interface FailoverConfig {
  readonly settings: FailoverSettings;
  /** Region of the function (its own clients: DynamoDB, SNS, S3, Secrets Manager). */
  readonly region: string;
  /** Region of the protected database (RDS, and EC2 for the fence). */
  readonly databaseRegion: string;
  /** DR region, or null (`DR_REGION=none`). */
  readonly drRegion: string | null;
  readonly lockTable: string;
  readonly hostedZoneId: string;
  readonly recordName: string;
  readonly connectionSecretArn: string;
  /** Security group of the old writer, or null (`FENCE_SECURITY_GROUP_ID=none`). */
  readonly fenceSecurityGroupId: string | null;
  readonly topicArn: string;
  readonly archiveBucket: string;
}

/** Bounds of the numeric settings: variable, allowed range. */
const NUMBERS = [
  ['MAX_LAG_SECONDS', 0, 86_400],
  ['COOLDOWN_SECONDS', 0, 86_400],
  // At least the state machine's longest wait (30 min of promotion polls) plus its other steps.
  ['LOCK_LEASE_SECONDS', 2_700, 86_400],
  // A short TTL is what makes the switch fast; Route 53 accepts any, 5-30 s is this design's range.
  ['RECORD_TTL_SECONDS', 5, 30],
] as const;

/**
 * Reads and validates the environment. Required: AWS_REGION, DATABASE_ID, TOPOLOGY, DATABASE_REGION,
 * DR_REGION (`none` without one), REPLICA_ID (`none` without a cross-region replica), LOCK_TABLE,
 * HOSTED_ZONE_ID, RECORD_NAME, RECORD_TTL_SECONDS, CONNECTION_SECRET_ARN, FENCE_SECURITY_GROUP_ID
 * (`none` when there is nothing to fence), TOPIC_ARN, ARCHIVE_BUCKET, MAX_LAG_SECONDS,
 * COOLDOWN_SECONDS, LOCK_LEASE_SECONDS.
 *
 * @throws ConfigurationError naming every missing or bad variable
 */
export function failoverConfigFromEnv(env: NodeJS.ProcessEnv = process.env): FailoverConfig {
  const e = requireEnv(
    [
      'AWS_REGION',
      'DATABASE_ID',
      'TOPOLOGY',
      'DATABASE_REGION',
      'DR_REGION',
      'REPLICA_ID',
      'LOCK_TABLE',
      'HOSTED_ZONE_ID',
      'RECORD_NAME',
      'RECORD_TTL_SECONDS',
      'CONNECTION_SECRET_ARN',
      'FENCE_SECURITY_GROUP_ID',
      'TOPIC_ARN',
      'ARCHIVE_BUCKET',
      'MAX_LAG_SECONDS',
      'COOLDOWN_SECONDS',
      'LOCK_LEASE_SECONDS',
    ],
    env,
  );
  const problems: string[] = [];
  const topology: Topology = envTopology(e.TOPOLOGY, problems);
  const numbers: Record<string, number> = {};
  for (const [name, min, max] of NUMBERS) numbers[name] = envInteger(e[name], name, min, max, problems);
  const replicaId = e.REPLICA_ID === 'none' ? null : e.REPLICA_ID;
  const drRegion = e.DR_REGION === 'none' ? null : e.DR_REGION;
  if (replicaId !== null && drRegion === null) problems.push('REPLICA_ID: a cross-region replica needs DR_REGION');
  if (replicaId !== null && e.FENCE_SECURITY_GROUP_ID === 'none') problems.push('FENCE_SECURITY_GROUP_ID: required with a cross-region replica (region mode fences the old writer)');
  if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(e.CONNECTION_SECRET_ARN)) problems.push(`CONNECTION_SECRET_ARN: ${JSON.stringify(e.CONNECTION_SECRET_ARN)} is not a Secrets Manager secret ARN`);
  if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:.+$/.test(e.TOPIC_ARN)) problems.push(`TOPIC_ARN: ${JSON.stringify(e.TOPIC_ARN)} is not an SNS topic ARN`);
  failOnProblems(problems);
  return {
    settings: {
      database: e.DATABASE_ID,
      topology,
      replicaId,
      leaseSeconds: numbers['LOCK_LEASE_SECONDS'] as number,
      cooldownSeconds: numbers['COOLDOWN_SECONDS'] as number,
      maxLagSeconds: numbers['MAX_LAG_SECONDS'] as number,
      recordTtlSeconds: numbers['RECORD_TTL_SECONDS'] as number,
    },
    region: e.AWS_REGION,
    databaseRegion: e.DATABASE_REGION,
    drRegion,
    lockTable: e.LOCK_TABLE,
    hostedZoneId: e.HOSTED_ZONE_ID,
    recordName: e.RECORD_NAME,
    connectionSecretArn: e.CONNECTION_SECRET_ARN,
    fenceSecurityGroupId: e.FENCE_SECURITY_GROUP_ID === 'none' ? null : e.FENCE_SECURITY_GROUP_ID,
    topicArn: e.TOPIC_ARN,
    archiveBucket: e.ARCHIVE_BUCKET,
  };
}

const config = failoverConfigFromEnv();

/** What the handler acts through: the ports of the use cases and the metric sink; injectable in tests. */
export interface FailoverDeps extends FailoverPorts {
  readonly publish: (name: 'FailoverDurationSeconds' | 'FailoverDataLossSeconds', value: number, failureMode: 'az' | 'region') => void;
}

/**
 * The adapters for a configuration, on new SDK clients: DynamoDB, SNS, S3 and Secrets Manager in the
 * function's region, RDS, EC2 and CloudWatch in the database's region, RDS in the DR region, Route 53
 * (global: the SDK signs for us-east-1 whatever the region).
 */
export function portsFor(cfg: FailoverConfig): Omit<FailoverPorts, 'now'> {
  return {
    lock: new DynamoDbFailoverLock(new DynamoDBClient({ region: cfg.region }), cfg.lockTable),
    primary: controlPlaneFor(cfg.settings.topology, new RDSClient({ region: cfg.databaseRegion }), cfg.databaseRegion),
    dr: cfg.drRegion === null ? null : controlPlaneFor(cfg.settings.topology, new RDSClient({ region: cfg.drRegion }), cfg.drRegion),
    fence: cfg.fenceSecurityGroupId === null ? null : new SecurityGroupFence(new EC2Client({ region: cfg.databaseRegion }), cfg.fenceSecurityGroupId),
    dns: new Route53WriterRecord(new Route53Client({ region: cfg.region }), cfg.hostedZoneId, cfg.recordName),
    secret: new SecretsManagerConnectionSecret(new SecretsManagerClient({ region: cfg.region }), cfg.connectionSecretArn),
    notifier: new SnsNotifier(new SNSClient({ region: cfg.region }), cfg.topicArn),
    archive: new S3ArchiveStore(new S3Client({ region: cfg.region }), cfg.archiveBucket),
    // The probe publishes in the database's region, where the automation runs.
    history: cfg.settings.replicaId === null ? null : new CloudWatchReplicationHistory(new CloudWatchClient({ region: cfg.databaseRegion }), cfg.settings.database),
  };
}

const defaults: FailoverDeps = {
  ...portsFor(config),
  now: () => new Date(),
  // One EMF document per value, with both dimensions: the per-mode RTO/RPO metrics are read by
  // Database and FailureMode together (functions/shared/metric-names.ts).
  publish: (name, value, failureMode) => {
    const single = metrics.singleMetric();
    single.addDimensions({ [DIMENSIONS.database]: config.settings.database, [DIMENSIONS.failureMode]: failureMode });
    single.addMetric(name, METRICS[name], value);
  },
};

/** The actions, in the order of the workflow. */
export const ACTIONS = ['validate', 'lock', 'precheck', 'fence', 'act', 'check', 'assess', 'switch', 'switch-status', 'rollback', 'record', 'notify'] as const;
/** One action. */
export type FailoverAction = (typeof ACTIONS)[number];

const OUTCOMES: readonly RunOutcome[] = ['succeeded', 'failed', 'false-alarm', 'dry-run'];

// ---------------------------------------------------------------------------------------------
// Readers of the state machine's own payloads: each field checked, a problem names its path.
// ---------------------------------------------------------------------------------------------

/** A reader of one object of the state that also reads nullable values and numbers. */
class StateReader extends EventReader {
  readonly #value: Record<string, unknown>;
  readonly #path: string;

  constructor(value: unknown, path: string, problems: string[]) {
    super(value, path, problems);
    this.#value = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
    this.#path = path;
  }

  /** A nested object; absent or null gives null (reported when `required`). */
  childOf(field: string, required: boolean): StateReader | null {
    const value = this.#value[field];
    if (value === undefined || value === null) {
      if (required) this.problems.push(`${this.#path}.${field}: required, an object`);
      return null;
    }
    return new StateReader(value, `${this.#path}.${field}`, this.problems);
  }

  textOrNull(field: string): string | null {
    return this.#value[field] === null || this.#value[field] === undefined ? null : this.string(field);
  }

  numeric(field: string, nullable = false): number | null {
    const value = this.#value[field];
    if (nullable && (value === null || value === undefined)) return null;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.problems.push(`${this.#path}.${field}: ${value === undefined ? 'required' : JSON.stringify(value)}, a number`);
      return 0;
    }
    return value;
  }

  rawValue(field: string): unknown {
    return this.#value[field];
  }
}

function readRequest(r: StateReader): FailoverRequest {
  const trigger = r.childOf('trigger', true);
  const source = trigger?.oneOf('source', ['manual', 'alarm', 'rds-event'] as const) ?? 'manual';
  return {
    mode: r.oneOf('mode', FAILOVER_MODES),
    reason: r.string('reason'),
    dryRun: r.boolean('dryRun', false),
    force: r.boolean('force', false),
    detectedAt: r.instant('detectedAt').toISOString(),
    startedAt: r.instant('startedAt').toISOString(),
    trigger: { source, id: trigger?.textOrNull('id') ?? null },
  };
}

function readProbe(r: StateReader): ProbeReport {
  const error = r.childOf('error', false);
  const replica = r.childOf('replica', false);
  const healthy = r.rawValue('healthy');
  if (typeof healthy !== 'boolean') r.problems.push(`probe.healthy: ${JSON.stringify(healthy)}, true or false`);
  return {
    healthy: healthy === true,
    phase: r.textOrNull('phase'),
    error: error === null ? null : { name: error.string('name'), message: typeof error.rawValue('message') === 'string' ? (error.rawValue('message') as string) : '' },
    heartbeatAt: r.textOrNull('heartbeatAt'),
    latencyMs: r.numeric('latencyMs', true),
    replica: replica === null ? null : { newestHeartbeatAt: replica.textOrNull('newestHeartbeatAt'), ageSeconds: replica.numeric('ageSeconds', true) },
  };
}

function readPrecheck(r: StateReader): PrecheckResult {
  const checks = r.rawValue('checks');
  return {
    verdict: r.oneOf('verdict', ['proceed', 'false-alarm', 'observe'] as const),
    checks: Array.isArray(checks) ? (checks as PrecheckResult['checks']) : [],
    targetId: r.string('targetId'),
    targetRegion: r.oneOf('targetRegion', ['primary', 'dr'] as const),
    writerBefore: r.textOrNull('writerBefore'),
    alreadyPromoted: r.boolean('alreadyPromoted', false),
    expect: r.oneOf('expect', ['writer-moved', 'promoted', 'available'] as const),
    pollSeconds: r.integer('pollSeconds', 1, 3600),
    maxPolls: r.integer('maxPolls', 1, 100_000),
    probeTarget: r.oneOf('probeTarget', ['writer', 'replica'] as const),
    recordBefore: r.string('recordBefore'),
    secretHostBefore: r.string('secretHostBefore'),
    secretPortBefore: r.integer('secretPortBefore', 0, 65_535),
    targetHost: r.string('targetHost'),
    targetPort: r.integer('targetPort', 0, 65_535),
    replicaNewestHeartbeatAt: r.textOrNull('replicaNewestHeartbeatAt'),
    primaryUnreachable: r.textOrNull('primaryUnreachable'),
    at: r.instant('at').toISOString(),
  };
}

/** Reads `{ Payload: ... }` of a state machine result, or null when the step did not run. */
function payload(run: StateReader, field: string): StateReader | null {
  return run.childOf(field, false)?.childOf('Payload', false) ?? null;
}

function readRun(run: StateReader, owner: string, outcome: RunOutcome) {
  const state = run.childOf('request', true);
  const request = state === null ? ({} as FailoverRequest) : readRequest(state);
  const precheck = payload(run, 'precheck');
  const postCheck = payload(run, 'postCheckAssess');
  const verify = payload(run, 'verifyAssess');
  const error = run.childOf('error', false);
  return {
    request,
    owner,
    outcome,
    locked: payload(run, 'lock')?.rawValue('acquired') === true,
    precheck: precheck === null ? null : readPrecheck(precheck),
    fence: (payload(run, 'fence')?.rawValue('verdict') === undefined ? null : (run.childOf('fence', false)?.rawValue('Payload') as FenceResult)) ?? null,
    act: (payload(run, 'act')?.rawValue('action') === undefined ? null : (run.childOf('act', false)?.rawValue('Payload') as ActResult)) ?? null,
    postCheckedAt: postCheck?.rawValue('passed') === true ? postCheck.instant('at').toISOString() : null,
    switched: (payload(run, 'switch')?.rawValue('plan') === undefined ? null : (run.childOf('switch', false)?.rawValue('Payload') as SwitchResult)) ?? null,
    verifiedAt: verify?.rawValue('passed') === true ? verify.instant('at').toISOString() : null,
    rollback: (payload(run, 'rollback')?.rawValue('verdict') === undefined ? null : (run.childOf('rollback', false)?.rawValue('Payload') as RollbackResult)) ?? null,
    error: error === null ? null : { name: error.string('Error'), cause: typeof error.rawValue('Cause') === 'string' ? (error.rawValue('Cause') as string) : '' },
  };
}

/** Step Functions passes a Lambda error's Cause as the JSON of `{ errorMessage, errorType, ... }`: keep the message. */
function causeMessage(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    return cause;
  }
}

/**
 * Validates the event and runs its action.
 *
 * 1. Read `action` and `executionArn` (the lock's owner); log with the database and the execution.
 * 2. Read the action's fields, every problem named (ValidationError, nothing done).
 * 3. Run the use case of `failover-run.ts` with the ports, and return its typed output.
 *
 * @param cfg the configuration; the module's (from the environment) unless a test passes another topology's
 */
export async function core(event: unknown, deps: FailoverDeps = defaults, cfg: FailoverConfig = config): Promise<unknown> {
  const input = new StateReader(event, 'event', []);
  const action = input.oneOf('action', ACTIONS);
  const owner = input.string('executionArn', /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:.+$/);
  input.done();
  logger.appendKeys({ database: cfg.settings.database, executionArn: owner, action });
  const { settings } = cfg;
  // A missing object is one problem, not one per field: read it only when present (done() throws otherwise).
  const request = (): FailoverRequest => {
    const r = input.childOf('request', true);
    return r === null ? ({} as FailoverRequest) : readRequest(r);
  };
  const precheck = (): PrecheckResult => {
    const r = input.childOf('precheck', true);
    return r === null ? ({} as PrecheckResult) : readPrecheck(r);
  };

  switch (action as FailoverAction) {
    case 'validate': {
      const startedAt = input.instant('startedAt');
      input.done();
      const parsed = parseFailoverInput(input.rawValue('input'), {
        database: settings.database,
        topology: settings.topology,
        region: cfg.databaseRegion,
        hasReplica: settings.replicaId !== null && deps.dr !== null,
        startedAt,
      });
      logger.info(`failover requested: ${parsed.mode}${parsed.dryRun ? ' (dry run)' : ''}${parsed.force ? ' (forced)' : ''}: ${parsed.reason}`, { request: parsed });
      return { request: parsed };
    }
    case 'lock': {
      const r = request();
      input.done();
      const result = await takeLock(deps, settings, r, owner);
      logger.info(result.acquired ? 'failover lock taken' : 'dry run: the failover lock is free', { ...result });
      return result;
    }
    case 'precheck': {
      const r = request();
      const confirm = input.childOf('confirm', false);
      if (r.mode !== 'observe' && confirm === null) input.problems.push(`event.confirm: required in mode ${r.mode}, the confirmation probe's output`);
      const report = r.mode === 'observe' || confirm === null ? null : readProbe(confirm);
      input.done();
      const result = await runPrechecks(deps, settings, r, report === null ? null : confirmationFrom(report));
      logger.info(`pre-checks: ${result.verdict}`, { checks: result.checks });
      return result;
    }
    case 'fence': {
      const r = request();
      input.done();
      if (r.mode !== 'region') throw new ValidationError([`event.request.mode: ${JSON.stringify(r.mode)} is not region; only a region failover fences`]);
      const result = await fenceOldWriter(deps, settings, r, owner);
      logger.info(`fence: ${result.verdict}: ${result.detail}`, { rules: result.rules });
      return result;
    }
    case 'act': {
      const r = request();
      const p = precheck();
      input.done();
      const result = await act(deps, settings, r, p, owner);
      logger.info(`action ${result.action}: ${result.called ? 'called' : result.alreadyDone ? 'already done' : 'not called'}`, { ...result });
      return result;
    }
    case 'check': {
      const p = precheck();
      const attempt = input.integer('attempt', 0, 100_000);
      input.done();
      const result = await pollNewWriter(deps, p, attempt);
      logger.info(`new writer ${result.ready ? 'ready' : 'not ready'}: ${result.status}, writer ${result.writer ?? 'none'} (poll ${result.attempt}/${p.maxPolls})`);
      return result;
    }
    case 'assess': {
      const p = input.childOf('probe', true);
      const probe = p === null ? ({ healthy: false } as ProbeReport) : readProbe(p);
      const attempt = input.integer('attempt', 0, 1000);
      const phase = input.oneOf('phase', ['post-check', 'verify'] as const);
      input.done();
      const result = assessPostCheck(probe, attempt, phase, deps.now());
      logger.info(`${phase} ${result.passed ? 'passed' : 'failed, retrying'}: ${result.detail} (attempt ${result.attempt})`);
      return result;
    }
    case 'switch': {
      const r = request();
      const p = precheck();
      input.done();
      const result = await switchEndpoint(deps, settings, r, p, owner);
      logger.info(`endpoint ${result.dryRun ? 'switch planned' : 'switched'}: record ${result.plan.record ? 'changed' : 'unchanged'}, secret ${result.plan.secret ? 'changed' : 'unchanged'}`, { ...result });
      return result;
    }
    case 'switch-status': {
      const changeId = input.textOrNull('changeId');
      const attempt = input.integer('attempt', 0, 100_000);
      input.done();
      return switchStatus(deps, changeId, attempt, 60);
    }
    case 'rollback': {
      const r = request();
      const p = precheck();
      const failure = input.textOrNull('failure');
      input.done();
      const result = await rollBackSwitch(deps, settings, r, p, owner, failure);
      logger.warn(`endpoint rollback: ${result.verdict}: ${result.detail}; restored ${result.restored.join(', ') || 'nothing'}`, { plan: result.plan, found: result.found, failure });
      return result;
    }
    case 'record': {
      const outcome = input.oneOf('outcome', OUTCOMES);
      const state = input.childOf('run', true);
      input.done();
      const run = readRun(state as StateReader, owner, outcome);
      // Set by the closing step that runs when the record step's archive retries ran out.
      const lost = (state as StateReader).childOf('recordError', false);
      input.done();
      const unrecorded = lost === null ? null : { name: lost.string('Error'), cause: causeMessage(typeof lost.rawValue('Cause') === 'string' ? (lost.rawValue('Cause') as string) : '') };
      input.done();
      const result = await recordRun(deps, settings, { ...run, error: run.error === null ? null : { name: run.error.name, cause: causeMessage(run.error.cause) }, unrecorded }, deps.publish);
      if (result.auditError !== null) logger.error(`failover ${outcome}: the audit record could not be written (${result.auditError}); lock ${result.lock}`, { record: result.notification?.message ?? null });
      else logger.info(`failover ${outcome}; lock ${result.lock}`, { timeline: result.timeline, dataLoss: result.dataLoss, audit: result.audit?.key ?? 'already recorded' });
      return result;
    }
    case 'notify': {
      // A dry run's record step returns no notification: a dry run notifies no one.
      if (input.rawValue('notification') === null) {
        input.done();
        logger.info('dry run: no notification');
        return { messageId: null };
      }
      const n = input.childOf('notification', true);
      const subject = n?.string('subject') ?? '';
      const message = n?.string('message') ?? '';
      input.done();
      return { messageId: await notifyRun(deps, { subject, message }) };
    }
  }
}

/** The Lambda entry point. */
export const handler = middy((event: unknown) => core(event))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
