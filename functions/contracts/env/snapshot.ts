import type { TierRules } from '../../domain/snapshots/naming.ts';
import { envContract, json, noneOr, text } from '../env-schema.ts';
import { topology } from './common.ts';

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
