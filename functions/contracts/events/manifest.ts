/** The manifest λ's event. */
import { optional, unknown } from 'valibot';
import type { ObjectEntries } from 'valibot';
import { SNAPSHOT_ID } from '../../domain/snapshots/naming.ts';
import { absentAs, fieldsOf, oneOf, text } from '../schema.ts';
import { executionOr, textInstantOrNull } from './read.ts';

/** The manifest λ: reading A (`before`, the default) or B (`after`, at the snapshot's point). */
export const MANIFEST_EVENT = fieldsOf(
  {
    action: optional(oneOf(['before', 'after'] as const), 'before'),
    snapshotId: text(SNAPSHOT_ID),
    executionArn: executionOr('manual'),
    snapshotPoint: textInstantOrNull(),
  },
  {},
  // The snapshot's point is read only for reading B.
  (fields): ObjectEntries => (fields['action'] === 'after' ? {} : { snapshotPoint: absentAs(unknown(), null) }),
);
