import { describe, expect, it } from 'vitest';
import { environmentProblems, parseEnv } from '../../functions/contracts/env-schema.ts';
import { ENV_CONTRACTS, FAILOVER_ENV, PROBE_ENV, RPO_MONITOR_ENV, VERIFY_ENV } from '../../functions/contracts/environment.ts';
import { ConfigurationError } from '../../functions/shared/errors.ts';
import { checkEnvironment } from '../../infra/constructs/dr-function.ts';

const TOKEN = '${Token[TOKEN.123]}';
const isToken = (value: string): boolean => value.startsWith('${Token[');

const FAILOVER = {
  AWS_REGION: 'eu-west-1',
  DATABASE_ID: 'swifteats',
  TOPOLOGY: 'multi-az-instance',
  DATABASE_REGION: 'eu-west-1',
  DR_REGION: 'eu-central-1',
  REPLICA_ID: 'swifteats-dr',
  LOCK_TABLE: 'locks',
  HOSTED_ZONE_ID: 'Z1',
  RECORD_NAME: 'db.internal',
  RECORD_TTL_SECONDS: '10',
  CONNECTION_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:conn',
  FENCE_SECURITY_GROUP_ID: 'sg-1',
  TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:alerts',
  ARCHIVE_BUCKET: 'archive',
  MAX_LAG_SECONDS: '60',
  COOLDOWN_SECONDS: '3600',
  LOCK_LEASE_SECONDS: '3600',
};

describe('environment contracts (functions/contracts)', () => {
  it('parse a good environment into typed values, `none` as null, defaults for unset optionals', () => {
    const values = parseEnv(FAILOVER_ENV, { ...FAILOVER, REPLICA_ID: 'none' });
    expect(values).toMatchObject({ RECORD_TTL_SECONDS: 10, REPLICA_ID: null, DR_REGION: 'eu-central-1', LOCK_LEASE_SECONDS: 3600 });
    const verify = parseEnv(VERIFY_ENV, { AWS_REGION: 'eu-west-1', DATABASE_ID: 'd', DB_NAME: 'app', DB_TLS_MODE: 'require', ARCHIVE_BUCKET: 'b' });
    expect(verify).toMatchObject({ ASSERTIONS: [], MAX_BRACKET_SHARE: 0.05, DB_TLS_MODE: 'require' });
  });

  it('name missing variables first, then every bad value and broken rule in the contract order', () => {
    expect(() => parseEnv(RPO_MONITOR_ENV, { AWS_REGION: 'eu-west-1' })).toThrow(
      new ConfigurationError('missing environment variable(s): DATABASE_ID, TOPOLOGY, DR_REGION, OFFSITE_PATHS, OBJECTIVES'),
    );
    expect(() =>
      parseEnv(FAILOVER_ENV, { ...FAILOVER, TOPOLOGY: 'aurora', LOCK_LEASE_SECONDS: '60', RECORD_TTL_SECONDS: '300', DR_REGION: 'none', FENCE_SECURITY_GROUP_ID: 'none', TOPIC_ARN: 'alerts' }),
    ).toThrow(
      new ConfigurationError(
        'invalid environment: TOPOLOGY: "aurora" is not multi-az-instance or multi-az-cluster; LOCK_LEASE_SECONDS: "60" is not an integer from 2700 to 86400; RECORD_TTL_SECONDS: "300" is not an integer from 5 to 30; REPLICA_ID: a cross-region replica needs DR_REGION; FENCE_SECURITY_GROUP_ID: required with a cross-region replica (region mode fences the old writer); TOPIC_ARN: "alerts" is not an SNS topic ARN',
      ),
    );
    expect(() => parseEnv(VERIFY_ENV, { AWS_REGION: 'r', DATABASE_ID: 'd', DB_NAME: 'n', DB_TLS_MODE: 'prefer', ARCHIVE_BUCKET: 'b', ASSERTIONS: '[{"name":1}', MAX_BRACKET_SHARE: '2' })).toThrow(
      /^invalid environment: DB_TLS_MODE: "prefer" is not one of verify-full, require, disable; ASSERTIONS: not valid JSON \(.*\); MAX_BRACKET_SHARE: "2" is not a number above 0 and at most 1$/,
    );
  });

  it('check at synth what can be known: literals fully, tokens for presence, the runtime-set AWS_REGION as present', () => {
    const probe = { DATABASE_ID: 'd', DB_HOST: TOKEN, DB_PORT: TOKEN, DB_NAME: 'app', DB_SECRET_ARN: TOKEN, DB_TLS_MODE: 'verify-full', REPLICA_HOST: 'none' };
    expect(environmentProblems(PROBE_ENV, probe, isToken)).toEqual([]);
    expect(environmentProblems(PROBE_ENV, { ...probe, DB_TLS_MODE: 'prefer', REPLICA_HOST: TOKEN, HEARTBEAT_RETENTION_SECONDS: '60' }, isToken)).toEqual([
      'DB_TLS_MODE: "prefer" is not one of verify-full, require, disable',
      'HEARTBEAT_RETENTION_SECONDS: "60" is not an integer from 3600 to 31622400',
    ]);
    const { DB_NAME: _dropped, ...withoutName } = probe;
    expect(environmentProblems(PROBE_ENV, withoutName, isToken)).toEqual(['DB_NAME: required by the function, not set']);
  });

  it('fail synth when infra writes what the function would refuse at cold start (a lease under 45 minutes)', () => {
    const { AWS_REGION: _runtime, ...written } = FAILOVER;
    expect(() => checkEnvironment('failover', written)).not.toThrow();
    expect(() => checkEnvironment('failover', { ...written, LOCK_LEASE_SECONDS: '1800' })).toThrow(
      "failover function: the environment infra writes breaks the function's contract: LOCK_LEASE_SECONDS: \"1800\" is not an integer from 2700 to 86400",
    );
    expect(() => checkEnvironment('nope', {})).toThrow('nope function: no environment contract in functions/contracts/environment.ts');
    expect(Object.keys(ENV_CONTRACTS).sort()).toEqual(['failover', 'manifest', 'probe', 'restore', 'retention', 'rpo-monitor', 'snapshot', 'verify']);
  });
});
