import { envContract, integer, noneOr, optional, text } from '../env-schema.ts';
import { topology } from './common.ts';

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
