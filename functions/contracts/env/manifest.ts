import { pipe, transform } from 'valibot';
import { DEFAULT_SETTLE } from '../../domain/verification/after-reading.ts';
import { envContract, integer, oneOf, optional, text } from '../env-schema.ts';
import { exactCountTables, port } from './common.ts';

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
