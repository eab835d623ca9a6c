/**
 * Each function's environment, declared once: the handler reads it with `parseEnv`, infra checks
 * what it writes against it at synth (`DrFunction`), and the tests read both.
 *
 * Keyed by the handler's name as infra names it (`DrFunctionProps.handler`).
 */
import { parseAssertions } from './documents/assertions.ts';
import type { UserAssertion } from '../domain/verification/report-model.ts';
import { DEFAULT_MAX_BRACKET_SHARE } from '../domain/verification/bracket.ts';
import { DEFAULT_SETTLE } from '../domain/verification/after-reading.ts';
import { PROBE_DEFAULTS } from '../domain/probe/model.ts';
import { parseOffsitePaths } from '../domain/rpo/objectives.ts';
import type { OffsitePaths, RecoveryObjectives } from '../domain/rpo/objectives.ts';
import type { RetentionSettings } from '../domain/retention/model.ts';
import type { TierRules } from '../domain/snapshots/naming.ts';
import type { Topology } from '../ports/database-control-plane.ts';
import { exactCountTableProblems } from '../domain/verification/exact-counts.ts';
import { ValidationError } from '../shared/errors.ts';
import { objectivesProblems } from './objectives.ts';
import { retentionSettingsProblems } from './retention-settings.ts';
import { decimal, envContract, integer, json, matching, noneOr, oneOf, optional, text } from './env-schema.ts';
import type { ContractField, EnvContract } from './env-schema.ts';
import { check, pipe, string, transform } from 'valibot';

/** Deployment topologies a function accepts in `TOPOLOGY`. */
export const TOPOLOGIES = ['multi-az-instance', 'multi-az-cluster'] as const satisfies readonly Topology[];

/** TLS modes a function accepts in `DB_TLS_MODE`. */
export const TLS_MODES = ['verify-full', 'require', 'disable'] as const;

const topology = () => oneOf(TOPOLOGIES, 'multi-az-instance or multi-az-cluster');
const port = () => integer(1, 65_535);
const secretArn = () => matching(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'a Secrets Manager secret ARN');
const topicArn = () => matching(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:.+$/, 'an SNS topic ARN');

/** The offsite paths, as `none` or a comma-separated list. */
const offsitePaths = () =>
  pipe(
    string(),
    check((value) => typeof parseOffsitePaths(value) !== 'string', (issue) => parseOffsitePaths(issue.input as string) as string),
    transform((value) => parseOffsitePaths(value) as OffsitePaths),
  );

/** Exact mode's tables (config restoreTest.exactCounts.tables), as JSON. */
const exactCountTables = () =>
  json<string[]>((value) => exactCountTableProblems(value, 'tables'));

/** The snapshot λ: takes, tags and copies snapshots. */
export const SNAPSHOT_ENV = envContract({
  fields: {
    AWS_REGION: text(),
    DATABASE_ID: text(),
    TOPOLOGY: topology(),
    POLICY_NAME: text(),
    SCHEDULE_TIMEZONE: text(),
    TIER_RULES: json<TierRules>(() => []),
    DR_REGION: noneOr(text()),
    DR_KMS_KEY_ID: text(),
    ARCHIVE_BUCKET: text(),
  },
});

/** The manifest λ: readings A and B of the source. */
export const MANIFEST_ENV = envContract({
  fields: {
    AWS_REGION: text(),
    DATABASE_ID: text(),
    DB_HOST: text(),
    DB_PORT: port(),
    DB_NAME: text(),
    DB_SECRET_ARN: text(),
    ARCHIVE_BUCKET: text(),
    // At most 13 min: with the 11 s flush and the reads, reading B stays inside the 15-min Lambda limit.
    BRACKET_MAX_WAIT_SECONDS: optional(integer(0, 780), DEFAULT_SETTLE.maxWaitSeconds),
    // Whether reading A digests every row (config restoreTest.contentDigest).
    CONTENT_DIGEST: optional(pipe(oneOf(['true', 'false'], 'true or false'), transform((value) => value === 'true')), true),
    EXACT_COUNT_TABLES: optional(exactCountTables(), [] as string[]),
  },
});

/** The verify λ: checks a restored copy. */
export const VERIFY_ENV = envContract({
  fields: {
    AWS_REGION: text(),
    DATABASE_ID: text(),
    DB_NAME: text(),
    DB_TLS_MODE: oneOf(TLS_MODES),
    ARCHIVE_BUCKET: text(),
    ASSERTIONS: optional(
      json(
        (value) => {
          try {
            parseAssertions(value, 'ASSERTIONS');
            return [];
          } catch (error) {
            if (error instanceof ValidationError) return error.problems;
            throw error;
          }
        },
        (value) => parseAssertions(value, 'ASSERTIONS'),
      ),
      [] as UserAssertion[],
    ),
    MAX_BRACKET_SHARE: optional(decimal(0, 1), DEFAULT_MAX_BRACKET_SHARE),
    EXACT_COUNT_TABLES: optional(exactCountTables(), [] as string[]),
  },
});

/** The restore λ: temporary restores, point-in-time restores, verdicts, sweeping. */
export const RESTORE_ENV = envContract({
  fields: {
    AWS_REGION: text(),
    DATABASE_ID: text(),
    TOPOLOGY: topology(),
    ENGINE_VERSION: text(),
    DR_REGION: noneOr(text()),
    ARCHIVE_BUCKET: text(),
    RESTORE_INSTANCE_CLASS: text(),
    RESTORE_SUBNET_GROUP: text(),
    RESTORE_PARAMETER_GROUP: text(),
    VERIFY_SECURITY_GROUP_ID: text(),
    PITR_SECURITY_GROUP_ID: text(),
    SECRET_KMS_KEY_ID: text(),
    TEMP_TTL_HOURS: integer(1, 48),
    STORAGE_TYPE: text(),
    STORAGE_IOPS: optional<number, undefined>(integer(1_000, 256_000), undefined),
  },
});

/** The retention λ: expires snapshots by policy. */
export const RETENTION_ENV = envContract({
  fields: {
    AWS_REGION: text(),
    DATABASE_ID: text(),
    TOPOLOGY: topology(),
    POLICY_NAME: text(),
    RETENTION_POLICY: json<RetentionSettings>(retentionSettingsProblems),
    DR_REGION: noneOr(text()),
    ARCHIVE_BUCKET: text(),
  },
});

/** The rpo-monitor λ: publishes RPO per failure mode. */
export const RPO_MONITOR_ENV = envContract({
  fields: {
    AWS_REGION: text(),
    DATABASE_ID: text(),
    TOPOLOGY: topology(),
    DR_REGION: noneOr(text()),
    OFFSITE_PATHS: offsitePaths(),
    OBJECTIVES: json<RecoveryObjectives>(objectivesProblems),
  },
  checks: [
    'AWS_REGION',
    'DATABASE_ID',
    'TOPOLOGY',
    'DR_REGION',
    'OFFSITE_PATHS',
    {
      uses: ['DR_REGION', 'OFFSITE_PATHS'],
      check: (v) =>
        (v.OFFSITE_PATHS.backupReplication || v.OFFSITE_PATHS.snapshotCopy) && v.DR_REGION === null
          ? ['DR_REGION: required (not none) with backup-replication or snapshot-copy in OFFSITE_PATHS']
          : [],
    },
    'OBJECTIVES',
  ],
});

/** The probe λ: writes and reads heartbeats. */
export const PROBE_ENV = envContract({
  fields: {
    AWS_REGION: text(),
    DATABASE_ID: text(),
    DB_HOST: text(),
    DB_PORT: port(),
    DB_NAME: text(),
    DB_SECRET_ARN: secretArn(),
    DB_TLS_MODE: oneOf(TLS_MODES),
    REPLICA_HOST: noneOr(text()),
    REPLICA_PORT: optional<number, null>(port(), null),
    PROBE_CONNECT_TIMEOUT_MS: optional(integer(100, 60_000), PROBE_DEFAULTS.connectTimeoutMs),
    PROBE_STATEMENT_TIMEOUT_MS: optional(integer(100, 60_000), PROBE_DEFAULTS.statementTimeoutMs),
    PROBE_TIMEOUT_MS: optional(integer(100, 120_000), PROBE_DEFAULTS.timeoutMs),
    // At least an hour: the retention must never reach the heartbeat a probe has just written.
    HEARTBEAT_RETENTION_SECONDS: optional(integer(3_600, 366 * 24 * 3600), PROBE_DEFAULTS.retentionSeconds),
    HEARTBEAT_PRUNE_BATCH: optional(integer(1, 100_000), PROBE_DEFAULTS.pruneBatchSize),
    REPLICA_CATCH_UP_MS: optional(integer(0, 30_000), PROBE_DEFAULTS.replicaCatchUpMs),
  },
  checks: [
    'AWS_REGION',
    'DATABASE_ID',
    'DB_NAME',
    'DB_HOST',
    'DB_TLS_MODE',
    'DB_SECRET_ARN',
    'DB_PORT',
    'REPLICA_HOST',
    'REPLICA_PORT',
    {
      uses: ['REPLICA_HOST', 'REPLICA_PORT'],
      check: (v) =>
        v.REPLICA_HOST !== null && v.REPLICA_PORT === null
          ? ['REPLICA_PORT: required when REPLICA_HOST is set (use REPLICA_HOST=none when there is no replica)']
          : [],
    },
    'PROBE_CONNECT_TIMEOUT_MS',
    'PROBE_STATEMENT_TIMEOUT_MS',
    'PROBE_TIMEOUT_MS',
    'HEARTBEAT_RETENTION_SECONDS',
    'HEARTBEAT_PRUNE_BATCH',
    'REPLICA_CATCH_UP_MS',
  ],
});

/** The failover λ: the failover workflow's steps. */
export const FAILOVER_ENV = envContract({
  fields: {
    AWS_REGION: text(),
    DATABASE_ID: text(),
    TOPOLOGY: topology(),
    DATABASE_REGION: text(),
    DR_REGION: noneOr(text()),
    REPLICA_ID: noneOr(text()),
    LOCK_TABLE: text(),
    HOSTED_ZONE_ID: text(),
    RECORD_NAME: text(),
    // A short TTL is what makes the switch fast; Route 53 accepts any, 5-30 s is this design's range.
    RECORD_TTL_SECONDS: integer(5, 30),
    CONNECTION_SECRET_ARN: secretArn(),
    FENCE_SECURITY_GROUP_ID: noneOr(text()),
    TOPIC_ARN: topicArn(),
    ARCHIVE_BUCKET: text(),
    MAX_LAG_SECONDS: integer(0, 86_400),
    COOLDOWN_SECONDS: integer(0, 86_400),
    // At least the state machine's longest wait (30 min of promotion polls) plus its other steps.
    LOCK_LEASE_SECONDS: integer(2_700, 86_400),
  },
  checks: [
    'AWS_REGION',
    'DATABASE_ID',
    'DATABASE_REGION',
    'LOCK_TABLE',
    'HOSTED_ZONE_ID',
    'RECORD_NAME',
    'ARCHIVE_BUCKET',
    'TOPOLOGY',
    'MAX_LAG_SECONDS',
    'COOLDOWN_SECONDS',
    'LOCK_LEASE_SECONDS',
    'RECORD_TTL_SECONDS',
    'DR_REGION',
    'REPLICA_ID',
    'FENCE_SECURITY_GROUP_ID',
    { uses: ['REPLICA_ID', 'DR_REGION'], check: (v) => (v.REPLICA_ID !== null && v.DR_REGION === null ? ['REPLICA_ID: a cross-region replica needs DR_REGION'] : []) },
    {
      uses: ['REPLICA_ID', 'FENCE_SECURITY_GROUP_ID'],
      check: (v) =>
        v.REPLICA_ID !== null && v.FENCE_SECURITY_GROUP_ID === null
          ? ['FENCE_SECURITY_GROUP_ID: required with a cross-region replica (region mode fences the old writer)']
          : [],
    },
    'CONNECTION_SECRET_ARN',
    'TOPIC_ARN',
  ],
});

/** Every function's contract, by the handler name infra gives `DrFunction`. */
export const ENV_CONTRACTS: Readonly<Record<string, EnvContract<Record<string, ContractField>>>> = {
  snapshot: SNAPSHOT_ENV,
  manifest: MANIFEST_ENV,
  verify: VERIFY_ENV,
  restore: RESTORE_ENV,
  retention: RETENTION_ENV,
  'rpo-monitor': RPO_MONITOR_ENV,
  probe: PROBE_ENV,
  failover: FAILOVER_ENV,
} as never;
