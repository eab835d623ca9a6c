import type { RetentionSettings } from '../../domain/retention/model.ts';
import { envContract, json, noneOr, text } from '../env-schema.ts';
import { retentionSettingsProblems } from '../retention-settings.ts';
import { topology } from './common.ts';

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
