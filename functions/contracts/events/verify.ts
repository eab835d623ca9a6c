/** The verify λ's event, by mode. */
import { DB_ID, SNAPSHOT_ID } from '../../domain/snapshots/naming.ts';
import { fieldsOf, instantWithZone, oneOf, text, wholeNumber } from '../schema.ts';
import { executionOr, readEvent, textInstantOrNull } from './read.ts';

const connection = {
  endpoint: text(),
  port: wholeNumber(1, 65_535),
  secretArn: text(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/),
  executionArn: executionOr('manual'),
};

/** The verify λ's modes, read first. */
export const VERIFY_MODES = ['snapshot', 'point-in-time'] as const;

/** The verify λ, by mode: the database to check and what it should hold. */
export const VERIFY_EVENT = {
  snapshot: fieldsOf({
    ...connection,
    snapshotId: text(SNAPSHOT_ID),
    snapshotCreatedAt: instantWithZone(),
    // RDS's SnapshotDatabaseTime (absent or null when RDS reports none): the heartbeat's anchor.
    snapshotDatabaseTime: textInstantOrNull(),
  }),
  'point-in-time': fieldsOf({ ...connection, identifier: text(DB_ID), targetTime: instantWithZone() }),
};

/** The verify λ's mode (the other fields depend on it). */
export function verifyModeOf(event: unknown): (typeof VERIFY_MODES)[number] {
  return readEvent(fieldsOf({ mode: oneOf(VERIFY_MODES) }), event).mode;
}
