/**
 * Environment the handlers read at module load, for tests. Set before a dynamic import of
 * a handler module (ES imports are hoisted, so a static import would run first).
 */
export const HANDLER_ENV: Readonly<Record<string, string>> = {
  AWS_REGION: 'eu-west-1',
  DATABASE_ID: 'swifteats',
  TOPOLOGY: 'multi-az-instance',
  POLICY_NAME: 'swifteats-gfs',
  SCHEDULE_TIMEZONE: 'UTC',
  TIER_RULES: JSON.stringify({ weeklyOn: 'SUN', monthlyOnDay: 1, yearlyOn: '01-01' }),
  DR_REGION: 'eu-central-1',
  DR_KMS_KEY_ID: 'alias/swifteats-dr',
  ARCHIVE_BUCKET: 'swifteats-dr-archive',
  DB_HOST: '127.0.0.1',
  DB_PORT: '5432',
  DB_NAME: 'swifteats',
  DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:swifteats-master-AbCdEf',
  DB_TLS_MODE: 'disable',
  ENGINE_VERSION: '18.3',
  RESTORE_INSTANCE_CLASS: 'db.m7g.large',
  RESTORE_SUBNET_GROUP: 'swifteats-database',
  RESTORE_PARAMETER_GROUP: 'swifteats-postgres18',
  VERIFY_SECURITY_GROUP_ID: 'sg-0verify000000000',
  PITR_SECURITY_GROUP_ID: 'sg-0database00000000',
  SECRET_KMS_KEY_ID: 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555',
  TEMP_TTL_HOURS: '6',
  STORAGE_TYPE: 'gp3',
  OFFSITE_PATHS: 'backup-replication,snapshot-copy',
  OBJECTIVES: JSON.stringify({ az: { rpoSeconds: 0, rtoSeconds: 300 }, region: { rpoSeconds: 900, rtoSeconds: 3600 }, corruption: { rpoSeconds: 600, rtoSeconds: 7200 }, snapshotLoss: { rpoSeconds: 108000, rtoSeconds: 14400 } }),
  REPLICA_HOST: 'none',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
};

/** Copies {@link HANDLER_ENV} (and overrides) into process.env. */
export function setHandlerEnv(overrides: Readonly<Record<string, string>> = {}): void {
  Object.assign(process.env, HANDLER_ENV, overrides);
}
