import { DEFAULT_MAX_BRACKET_SHARE } from '../../domain/verification/bracket.ts';
import type { UserAssertion } from '../../domain/verification/report-model.ts';
import { ValidationError } from '../../shared/errors.ts';
import { parseAssertions } from '../documents/assertions.ts';
import { decimal, envContract, json, oneOf, optional, text } from '../env-schema.ts';
import { exactCountTables, TLS_MODES } from './common.ts';

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
