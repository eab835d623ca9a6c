/** What the restore λ's actions read and act through (functions/handlers/restore/index.ts builds them). */
import type { ArchiveStore } from '../../ports/archive-store.ts';
import type { DatabaseControlPlane } from '../../ports/database-control-plane.ts';
import type { RestoreControlPlane, RestorePlacement } from '../../ports/restore-control-plane.ts';

/** What the handler acts through; injectable in tests. */
export interface RestoreDeps {
  readonly primary: DatabaseControlPlane;
  readonly dr: DatabaseControlPlane | null;
  readonly restores: RestoreControlPlane;
  readonly archive: ArchiveStore;
  readonly now: () => Date;
}

/** The function's settings, from its environment. */
export interface RestoreSettings {
  readonly database: string;
  /** Hours a temporary restore lives before the sweeper deletes it (`TEMP_TTL_HOURS`). */
  readonly ttlHours: number;
  /** The key of the restored databases' managed secrets (`SECRET_KMS_KEY_ID`). */
  readonly secretKmsKeyId: string;
  /** Placement of a restore test's temporary database (its own security group). */
  readonly testPlacement: Omit<RestorePlacement, 'targetId' | 'tags'>;
  /** Placement of a point-in-time restore (the database's security group). */
  readonly pitrPlacement: Omit<RestorePlacement, 'targetId' | 'tags'>;
}

/** What every action reads: the event (read by the action's schema, functions/contracts/events/restore.ts), the invocation's time, the settings. */
export interface RestoreInput {
  readonly event: unknown;
  readonly now: Date;
  readonly settings: RestoreSettings;
}

