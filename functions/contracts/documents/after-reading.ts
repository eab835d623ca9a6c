/**
 * The stored reading B of the bracket (`manifests/<db>/<snapshotId>.after.json`): its schema,
 * declared once against the domain's {@link AfterReading}, and how it is read back.
 */
import { custom, number, optional } from 'valibot';
import type { AfterReading } from '../../domain/verification/after-reading.ts';
import type { OpenTransaction, SettleOutcome } from '../../domain/verification/bracket-model.ts';
import { members, must, parseWith, reportedAs, type Schema } from '../schema.ts';
import { aBoolean, aString, aStringOrNull, COUNTER_READING, jsonOf, LARGE_OBJECT_TALLY, LEDGER_READING } from './readings.ts';

/** How reading B waited: reported as one problem (its readers know the three fields together). */
const SETTLE: Schema<SettleOutcome> = reportedAs(
  members(
    {
      settled: aBoolean,
      waitedSeconds: number(),
      // The transactions are listed in reports as stored; only their being a list is checked.
      openTransactions: custom<readonly OpenTransaction[]>(Array.isArray),
    },
    must('an object'),
  ),
  'must be { settled, waitedSeconds, openTransactions }',
);

/** Reading B as stored. */
export const AFTER_READING: Schema<AfterReading> = members(
  {
    formatVersion: custom<1>((value) => value === 1, (issue) => `must be 1, got ${String(issue.input)}`),
    database: aString,
    snapshotId: aString,
    snapshotPoint: aString,
    readAt: aString,
    schemaFingerprint: aString,
    heartbeat: reportedAs(members({ latestAt: aStringOrNull }, must('an object')), 'must be a string or null', 'latestAt'),
    counters: COUNTER_READING,
    ledger: optional(LEDGER_READING),
    settle: SETTLE,
    largeObjects: optional(LARGE_OBJECT_TALLY),
  },
  must('an object'),
);

/**
 * Reads a stored reading B back.
 *
 * @throws ValidationError listing every problem with its JSON path (`after-reading.…`)
 */
export function parseAfterReading(text: string): AfterReading {
  return parseWith(AFTER_READING, jsonOf(text, 'after-reading'), { label: 'after-reading' });
}
