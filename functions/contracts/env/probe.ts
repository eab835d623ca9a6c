import { PROBE_DEFAULTS } from '../../domain/probe/model.ts';
import { envContract, integer, noneOr, oneOf, optional, text } from '../env-schema.ts';
import { port, secretArn, TLS_MODES } from './common.ts';

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
