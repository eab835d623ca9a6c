/** The retention λ's event. */
import { fieldsOf, flag, oneOf } from '../schema.ts';
import { executionOr } from './read.ts';

/** The retention λ: one run in one region. */
export const RETENTION_EVENT = fieldsOf({ region: oneOf(['primary', 'dr'] as const), dryRun: flag(false), executionArn: executionOr('manual') });
