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
  REPLICA_HOST: 'none',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
};

/** Copies {@link HANDLER_ENV} (and overrides) into process.env. */
export function setHandlerEnv(overrides: Readonly<Record<string, string>> = {}): void {
  Object.assign(process.env, HANDLER_ENV, overrides);
}
