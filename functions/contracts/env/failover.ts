import { envContract, integer, noneOr, text } from '../env-schema.ts';
import { secretArn, topicArn, topology } from './common.ts';

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
